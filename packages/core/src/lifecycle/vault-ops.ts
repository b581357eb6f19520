/**
 * The Vault calls the manager makes, each one step under the retry policy with its failure mapped to
 * a typed error. Start-up and the background timers share them.
 */
import type { AuthMethod, AuthSession } from '../auth';
import { VaultSecretError } from '../errors';
import type { FailureContext } from '../error-mapping';
import type { VaultHttpClient } from '../http-client';
import { readKv, type KvSecret } from '../kv';
import type { ResolvedOptions } from '../options';
import type { RetryPolicy } from '../retry';
import { toEnvValue, assertValidKey } from '../values';
import { vaultCall } from '../vault-call';
import type { DynamicSecretSpec } from './options';

/** A dynamic secret as read: its lease and its values mapped onto keys. */
export interface DynamicLease {
  spec: DynamicSecretSpec;
  leaseId: string;
  /** Seconds granted at issue. */
  duration: number;
  renewable: boolean;
  expiresAt: number;
  values: Record<string, string>;
  /** `data.ttl` of a lease-less answer (e.g. `database/static-creds`): seconds until Vault changes it. */
  ttlSeconds?: number;
}

export interface VaultOps {
  login(policy: RetryPolicy): Promise<AuthSession>;
  readKvAll(token: string, kvVersion: 1 | 2, policy: RetryPolicy): Promise<KvSecret[]>;
  readDynamic(token: string, spec: DynamicSecretSpec, policy: RetryPolicy): Promise<DynamicLease>;
  renewSelf(token: string, incrementSeconds: number, policy: RetryPolicy): Promise<AuthSession>;
  revokeSelf(token: string, policy: RetryPolicy): Promise<void>;
  /** What Vault says of a token handed to us (token auth): its remaining TTL and renewability. */
  lookupSelf(token: string, policy: RetryPolicy): Promise<AuthSession>;
  renewLease(token: string, leaseId: string, incrementSeconds: number, policy: RetryPolicy): Promise<number>;
  revokeLease(token: string, leaseId: string, policy: RetryPolicy): Promise<void>;
}

function mapDynamic(
  spec: DynamicSecretSpec,
  data: Record<string, unknown>,
  allowed: readonly string[],
): Record<string, string> {
  const values: Record<string, string> = {};
  const fields = spec.keys ? Object.keys(spec.keys) : Object.keys(data);
  for (const field of fields) {
    const key = spec.keys?.[field] ?? field;
    assertValidKey(key, spec.path, allowed);
    if (data[field] === undefined) {
      throw new VaultSecretError(
        'VAULT_RESPONSE_INVALID',
        `Vault's answer for ${spec.path} has no field "${field}": check the "keys" mapping of VAULT_DYNAMIC`,
        { setting: 'VAULT_DYNAMIC', keys: [key] },
      );
    }
    values[key] = toEnvValue(data[field]);
  }
  return values;
}

export function createVaultOps(
  http: VaultHttpClient,
  auth: AuthMethod,
  options: ResolvedOptions,
  context: (extra: Partial<FailureContext>) => FailureContext,
  now: () => number = Date.now,
): VaultOps {
  const withToken = (token: string, ro: Record<string, unknown>) => ({
    ...ro,
    headers: { 'X-Vault-Token': token },
  });
  const step = <T>(
    policy: RetryPolicy,
    extra: Partial<FailureContext>,
    fn: (ro: Record<string, unknown>) => Promise<T>,
  ) => vaultCall(http, policy, context(extra), fn);

  return {
    login: (policy) =>
      step(
        policy,
        { phase: 'login', loginHint: auth.loginHint, authMountSetting: auth.authMountSetting },
        (ro) => auth.login(http.client, ro),
      ).then((session) => ({ ...session, obtainedAt: now() })),

    readKvAll: (token, kvVersion, policy) =>
      Promise.all(
        options.paths.map((path) =>
          step(policy, { phase: 'read', secretPath: path }, (ro) =>
            readKv(
              http.client,
              { mount: options.mountPoint, path, kvVersion, version: options.version },
              withToken(token, ro),
            ),
          ),
        ),
      ),

    async readDynamic(token, spec, policy) {
      const body = (await step(policy, { phase: 'read', secretPath: spec.path }, (ro) =>
        http.client.read(spec.path, withToken(token, ro)),
      )) as { lease_id?: unknown; lease_duration?: unknown; renewable?: unknown; data?: unknown } | null;
      const data = body?.data;
      if (!body || typeof data !== 'object' || data === null) {
        throw new VaultSecretError(
          'VAULT_RESPONSE_INVALID',
          `Vault's answer for ${spec.path} has no data: check VAULT_DYNAMIC names a secret path`,
          { setting: 'VAULT_DYNAMIC' },
        );
      }
      // No lease (static credentials, a KV path): the supervisor re-reads it instead of renewing.
      const leaseId = typeof body.lease_id === 'string' ? body.lease_id : '';
      const duration =
        typeof body.lease_duration === 'number' && body.lease_duration > 0 && leaseId !== ''
          ? body.lease_duration
          : 0;
      const ttl = (data as { ttl?: unknown }).ttl;
      return {
        spec,
        leaseId,
        duration,
        renewable: duration > 0 && body.renewable === true,
        expiresAt: now() + duration * 1000,
        values: mapDynamic(spec, data as Record<string, unknown>, options.allowKeys),
        ...(typeof ttl === 'number' && ttl > 0 ? { ttlSeconds: ttl } : {}),
      };
    },

    async renewSelf(token, incrementSeconds, policy) {
      const body = (await step(policy, { phase: 'login' }, (ro) =>
        http.client.write(
          'auth/token/renew-self',
          { increment: `${incrementSeconds}s` },
          withToken(token, ro),
        ),
      )) as { auth?: { lease_duration?: number; renewable?: boolean } };
      const lease = body?.auth?.lease_duration ?? 0;
      return {
        token,
        leaseDuration: lease,
        renewable: body?.auth?.renewable === true,
        obtainedAt: now(),
      };
    },

    async lookupSelf(token, policy) {
      const body = (await step(policy, { phase: 'login' }, (ro) =>
        http.client.read('auth/token/lookup-self', withToken(token, ro)),
      )) as { data?: { ttl?: unknown; renewable?: unknown } } | null;
      const ttl = body?.data?.ttl;
      return {
        token,
        leaseDuration: typeof ttl === 'number' && ttl > 0 ? ttl : 0,
        renewable: body?.data?.renewable === true,
        obtainedAt: now(),
      };
    },

    async revokeSelf(token, policy) {
      await step(policy, { phase: 'login' }, (ro) =>
        http.client.write('auth/token/revoke-self', {}, withToken(token, ro)),
      );
    },

    async renewLease(token, leaseId, incrementSeconds, policy) {
      const body = (await step(policy, { phase: 'read', secretPath: 'sys/leases/renew' }, (ro) =>
        http.client.write(
          'sys/leases/renew',
          { lease_id: leaseId, increment: incrementSeconds },
          withToken(token, ro),
        ),
      )) as { lease_duration?: number };
      return typeof body?.lease_duration === 'number' ? body.lease_duration : 0;
    },

    async revokeLease(token, leaseId, policy) {
      await step(policy, { phase: 'read', secretPath: 'sys/leases/revoke' }, (ro) =>
        http.client.write('sys/leases/revoke', { lease_id: leaseId }, withToken(token, ro)),
      );
    },
  };
}
