import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { DatabaseBackend } from './database';
import { postgresDatabaseBackend } from './postgres-backend';
import { DEFAULT_ISSUER } from './jwt';
import { writeAppRole } from './routes/approle';
import { newAppRoleMount, newK8sMount } from './routes/sys';
import { applySeed, loadSeedFile } from './seed';
import { HttpFront } from './server';
import { DevState } from './state';
import { newTokenId, sanitizePolicies } from './token-store';
import type { DevServerOptions, FaultMatch, FaultSpec, ServiceAccountClaims, VaultDevServer } from './types';
import { nowSeconds, SYSTEM_MAX_TTL } from './util';

export interface StartOptions extends DevServerOptions {
  /** Where `database/creds` creates real users; default: none (creds are issued without a real role). */
  databaseBackend?: DatabaseBackend;
}

function requireMount<T>(map: Map<string, T>, mount: string, kind: string): T {
  const found = map.get(mount);
  if (!found) throw new Error(`no ${kind} auth mount at "${mount}"; enable it first`);
  return found;
}

/** Starts an in-process Vault-API-compatible server on 127.0.0.1. */
export async function startVaultDevServer(options: StartOptions = {}): Promise<VaultDevServer> {
  const backend =
    options.databaseBackend ??
    (options.databaseUrl ? postgresDatabaseBackend(options.databaseUrl) : undefined);
  const state = new DevState(backend);
  const front = new HttpFront(state, options.logger);
  const rootToken = options.rootToken ?? newTokenId();
  state.tokens.create({
    id: rootToken,
    policies: ['root'],
    ttl: 0,
    displayName: 'root',
    path: 'auth/token/root',
  });
  if (options.defaultMounts !== false) {
    state.enableKv('secret', 2);
    state.enableKv('kv', 2);
  }

  const port = await front.listen(options.port ?? 0);
  let closing: Promise<void> | undefined;

  const server: VaultDevServer = {
    address: `http://127.0.0.1:${port}`,
    rootToken,
    unsealKey: state.unsealKey,
    close() {
      closing ??= (async () => {
        await front.close();
        await state.leases.close();
        await state.databaseBackend.close?.();
      })();
      return closing;
    },

    enableKv(mount, version) {
      state.enableKv(mount, version);
    },
    writeSecret(mount, path, data) {
      const m = state.mounts.get(mount);
      if (!m || m.type !== 'kv') throw new Error(`no KV mount at "${mount}"`);
      if (m.version === 2) (m.store as import('./kv-store').KvV2Store).write(path, data);
      else (m.store as Map<string, Record<string, unknown>>).set(path, structuredClone(data));
    },
    deleteSecret(mount, path) {
      const m = state.mounts.get(mount);
      if (!m || m.type !== 'kv') throw new Error(`no KV mount at "${mount}"`);
      if (m.version === 2) (m.store as import('./kv-store').KvV2Store).secrets.delete(path);
      else (m.store as Map<string, unknown>).delete(path);
    },
    writePolicy(name, hcl) {
      state.writePolicy(name, hcl);
    },
    createToken(opts = {}) {
      const ttl = opts.ttl ?? 3600;
      return state.tokens.create({
        policies: sanitizePolicies(opts.policies ?? []),
        ttl,
        explicitMaxTtl: opts.explicit_max_ttl ?? 0,
        renewable: opts.renewable ?? true,
        numUses: opts.num_uses ?? 0,
        displayName: 'token',
      }).id;
    },
    revokeToken(token) {
      state.tokens.revoke(token);
    },

    enableKubernetesAuth(mount, config = {}) {
      const m = state.kubernetes.get(mount) ?? newK8sMount();
      m.configured = config.configured ?? true;
      if (config.issuer) m.issuer = config.issuer;
      if (m.configured)
        m.config ??= {
          kubernetes_host: 'https://kubernetes.default.svc',
          kubernetes_ca_cert: '',
          pem_keys: [],
          issuer: config.issuer ?? '',
          disable_iss_validation: !config.issuer,
          disable_local_ca_jwt: false,
          token_reviewer_jwt_set: false,
          use_annotations_as_alias_metadata: false,
        };
      state.kubernetes.set(mount, m);
    },
    writeKubernetesRole(mount, role, config) {
      requireMount(state.kubernetes, mount, 'kubernetes').roles.set(role, structuredClone(config));
    },
    mintServiceAccountJwt(claims: ServiceAccountClaims) {
      const now = nowSeconds();
      const uid = state.serviceAccountUid(claims.namespace, claims.serviceAccount);
      const issuer = claims.issuer ?? DEFAULT_ISSUER;
      return state.signer.sign({
        aud:
          claims.audience === undefined
            ? [issuer]
            : Array.isArray(claims.audience)
              ? claims.audience
              : [claims.audience],
        exp: now + (claims.ttlSeconds ?? 3600),
        iat: now,
        iss: issuer,
        jti: randomUUID(),
        'kubernetes.io': {
          namespace: claims.namespace,
          pod: { name: `${claims.serviceAccount}-0`, uid: randomUUID() },
          serviceaccount: { name: claims.serviceAccount, uid },
        },
        nbf: now + (claims.notBeforeSeconds ?? 0),
        sub: `system:serviceaccount:${claims.namespace}:${claims.serviceAccount}`,
      });
    },
    writeServiceAccountTokenFile(filePath, claims) {
      mkdirSync(dirname(filePath), { recursive: true });
      writeFileSync(filePath, server.mintServiceAccountJwt(claims), { mode: 0o600 });
      return filePath;
    },

    enableAppRole(mount) {
      if (!state.approle.has(mount)) state.approle.set(mount, newAppRoleMount());
    },
    writeAppRole(mount, role, config = {}) {
      const m = requireMount(state.approle, mount, 'approle');
      const r = writeAppRole(m, role, config);
      const secretId = randomUUID();
      r.secretIds.add(secretId);
      return { roleId: r.roleId, secretId };
    },

    configureDatabaseRole(role, config) {
      state.enableDatabase();
      state.databaseRoles.set(role, {
        default_ttl: config.default_ttl || SYSTEM_MAX_TTL,
        max_ttl: config.max_ttl || SYSTEM_MAX_TTL,
      });
    },

    seal() {
      state.sealed = true;
    },
    unseal() {
      state.sealed = false;
    },
    setInitialized(initialized) {
      state.initialized = initialized;
    },

    addFault(fault: FaultSpec, match?: FaultMatch) {
      return front.faults.add(fault, match);
    },
    clearFaults() {
      front.faults.clear();
    },
    setLatency(ms) {
      front.latencyMs = Math.max(0, ms);
    },
    setRateLimit(rate, options) {
      front.rateLimiter.set(rate, options);
    },

    get requests() {
      return front.requests;
    },
    clearRequests() {
      front.requests.length = 0;
    },
  };

  if (options.seed) {
    try {
      applySeed(server, typeof options.seed === 'string' ? loadSeedFile(options.seed) : options.seed);
    } catch (err) {
      await server.close();
      throw err;
    }
  }
  return server;
}
