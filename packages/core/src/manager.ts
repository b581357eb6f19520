/**
 * VaultSecretManager: options → auth → read (all paths in parallel) → validate → inject → status.
 * Two sequential round trips on the happy path (token auth: one). Nothing is injected unless every
 * step succeeded.
 */
import { setMaxListeners } from 'node:events';
import { Subject, type Observable } from 'rxjs';
import { createAuthMethod, type AuthMethod, type AuthSession } from './auth';
import { VaultConfigurationError, VaultSecretError, type VaultError } from './errors';
import type { FailureContext } from './error-mapping';
import { createVaultHttpClient, type VaultHttpClient } from './http-client';
import { healthBody } from './health-body';
import { injectSecrets, tooLargeWarning } from './inject';
import { detectKvVersion, type KvSecret } from './kv';
import { createLogger, describeKeys, type CoreLogger } from './logger';
import { resolveOptions, type ResolvedOptions, type VaultOptions } from './options';
import type { RetryPolicy } from './retry';
import { StatusStore, toLastError } from './status';
import type { SecretChangeEvent, SecretRotationEvent, VaultStatus } from './types';
import { convertSecretData, mergeInOrder, missingKeys } from './values';
import { vaultCall } from './vault-call';
import { Background, singleAttemptPolicy } from './lifecycle/background';
import { diffKeys } from './lifecycle/diff';
import { createVaultOps, type DynamicLease, type VaultOps } from './lifecycle/vault-ops';

export type SecretsRecord = Readonly<Record<string, string>>;

const EMPTY: SecretsRecord = Object.freeze({});

export class VaultSecretManager {
  /** Live status; replays the current value to new subscribers. */
  readonly status$: Observable<VaultStatus>;
  /** Names of keys changed by a refresh or rotation (issue 6 publishes here). */
  readonly changes$: Observable<SecretChangeEvent>;

  protected readonly options: ResolvedOptions | undefined;
  protected readonly log: CoreLogger;
  protected readonly store: StatusStore;
  protected readonly changesSubject = new Subject<SecretChangeEvent>();
  /** New credentials of a dynamic secret, with their values, so the app can swap its pool. */
  readonly rotations$: Observable<SecretRotationEvent>;
  protected readonly rotationsSubject = new Subject<SecretRotationEvent>();
  private kvValues: Record<string, string> = {};
  /** Dynamic-secret values by path, in the order of the `dynamic` option. */
  private readonly dynamicValues = new Map<string, Record<string, string>>();
  /** Keys this manager wrote into the env (so a refresh may update or remove them). */
  private readonly injectedKeys = new Set<string>();
  private background: Background | undefined;
  private ops: VaultOps | undefined;
  /** A revoke-after-load still in flight; close() waits for it. */
  private pendingRevoke: Promise<void> | undefined;
  /** Seams for the lifecycle work (issue 6): the client, the auth method, the token, the reads. */
  protected http: VaultHttpClient | undefined;
  protected auth: AuthMethod | undefined;
  protected session: AuthSession | undefined;
  protected kvSecrets: KvSecret[] = [];
  protected readonly timers = new Set<ReturnType<typeof setTimeout>>();

  private readonly configError: VaultError | undefined;
  private secrets: SecretsRecord = EMPTY;
  private initPromise: Promise<SecretsRecord> | undefined;
  private closed = false;
  private readonly logStartupFailure: boolean;

  constructor(options: VaultOptions = {}) {
    let resolved: ResolvedOptions | undefined;
    try {
      resolved = resolveOptions(options);
    } catch (error) {
      // Reported by initialize(), so constructing never throws inside a framework's provider graph.
      this.configError = error as VaultError;
    }
    this.options = resolved;
    this.log = createLogger(options.logger);
    this.logStartupFailure = options.logStartupFailure !== false;
    this.store = new StatusStore({
      authenticated: false,
      secrets_loaded: false,
      vault_url: resolved?.address ?? null,
      vault_path: resolved && resolved.paths.length > 0 ? resolved.paths.join(',') : null,
      vault_role: resolved?.authMethod === 'kubernetes' ? resolved.role : null,
      state: 'loading',
      auth_method: resolved?.authMethod ?? null,
      keys: 0,
      loaded_at: null,
      token_expires_at: null,
      last_error: null,
    });
    this.status$ = this.store.status$;
    this.changes$ = this.changesSubject.asObservable();
    this.rotations$ = this.rotationsSubject.asObservable();
  }

  /** Loads once; later calls return the same promise. Rejects with a VaultError subclass. */
  initialize(): Promise<SecretsRecord> {
    if (this.closed && this.initPromise === undefined) {
      return Promise.reject(
        new VaultConfigurationError(
          'VAULT_CONFIG_INVALID',
          'initialize() was called after close(): create a new VaultSecretManager',
        ),
      );
    }
    this.initPromise ??= this.load();
    return this.initPromise;
  }

  get(key: string): string | undefined {
    return Object.prototype.hasOwnProperty.call(this.secrets, key) ? this.secrets[key] : undefined;
  }

  getAll(): SecretsRecord {
    return Object.freeze({ ...this.secrets });
  }

  getStatus(): VaultStatus {
    return this.store.get();
  }

  /** The reference service's name for getStatus(). */
  get_status(): VaultStatus {
    return this.getStatus();
  }

  /** What health routes and indicators serve: the status, or `{ state }` with VAULT_HEALTH_BODY=minimal. */
  getHealthBody(): VaultStatus | Pick<VaultStatus, 'state'> {
    return healthBody(this.getStatus(), this.options?.healthBody ?? 'full');
  }

  /**
   * Stops every timer, revokes what this manager holds (dynamic leases; the token when it logged in
   * for it), and releases connections. Idempotent; every step is bounded by VAULT_TIMEOUT.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.background?.stop();
    await this.pendingRevoke;
    await this.releaseHeld();
    this.http?.client.stopAllRenewals();
    this.http?.close();
    this.changesSubject.complete();
    this.rotationsSubject.complete();
    this.store.complete();
  }

  private async load(): Promise<SecretsRecord> {
    const started = Date.now();
    try {
      if (this.configError) throw this.configError;
      const options = this.options as ResolvedOptions;
      const secrets = options.enabled
        ? await this.loadFromVault(options, started)
        : this.checkDisabled(options);
      return secrets;
    } catch (error) {
      this.http?.close();
      this.store.update({ state: 'failed', secrets_loaded: false, last_error: toLastError(error) });
      const line = `start-up failed: ${(error as VaultError).toLogLine?.() ?? toLastError(error).message}`;
      if (this.logStartupFailure) this.log.error(line);
      else this.log.debug(`start-up failed (reported by the caller): ${toLastError(error).code}`);
      throw error;
    }
  }

  /** No VAULT_ADDR: Vault is skipped, but required keys must already be in the environment. */
  private checkDisabled(options: ResolvedOptions): SecretsRecord {
    const missing = missingKeys(options.required, options.env);
    if (missing.length > 0) {
      throw new VaultSecretError(
        'VAULT_REQUIRED_KEYS_MISSING',
        `required keys missing from the environment: ${missing.join(', ')} (VAULT_ADDR is not set, so Vault was skipped: set VAULT_ADDR or provide them)`,
        { keys: missing, setting: 'VAULT_ADDR' },
      );
    }
    this.store.update({ state: 'disabled', last_error: null });
    this.log.warn('VAULT_ADDR is not set: Vault skipped, using the existing environment');
    return this.secrets;
  }

  private async loadFromVault(options: ResolvedOptions, started: number): Promise<SecretsRecord> {
    const deadline = started + options.startupTimeoutMs;
    const cancel = new AbortController();
    // Every parallel read listens on this signal; many paths are expected, not a leak.
    setMaxListeners(0, cancel.signal);
    const policy: RetryPolicy = {
      maxRetries: options.maxRetries,
      baseDelayMs: options.retryDelayMs,
      maxDelayMs: Math.max(options.retryDelayMs * 8, 1000),
      deadline,
      attemptTimeoutMs: options.timeoutMs,
      signal: cancel.signal,
      // Every failed attempt that will be retried, so a slow start-up is never silent.
      warn: (message) => this.log.warn(message),
    };
    const http = createVaultHttpClient(options);
    this.http = http;
    const auth = createAuthMethod(options);
    this.auth = auth;
    const currentToken = () => this.session?.token;
    const context = (extra: Partial<FailureContext>): FailureContext => ({
      phase: 'read',
      address: options.address as string,
      mountPoint: options.mountPoint,
      secretVersion: options.version,
      ...extra,
      get sensitive() {
        return [...auth.sensitiveValues(), currentToken(), options.token, options.secretId];
      },
    });

    const ops = createVaultOps(http, auth, options, context);
    const session = await ops.login(policy);
    this.session = session;
    this.updateTokenStatus(session);

    let kvVersion: 1 | 2;
    if (options.kvVersion === 'auto') {
      const first = options.paths[0] as string;
      kvVersion = await vaultCall(http, policy, context({ phase: 'detect', secretPath: first }), (ro) =>
        detectKvVersion(http.client, options.mountPoint, first, {
          ...ro,
          headers: { 'X-Vault-Token': session.token },
        }),
      );
    } else {
      kvVersion = options.kvVersion;
    }

    let reads: KvSecret[];
    let leases: DynamicLease[];
    try {
      // KV paths and dynamic secrets in parallel: still one round trip after the login.
      [reads, leases] = await Promise.all([
        ops.readKvAll(session.token, kvVersion, policy),
        Promise.all(options.lifecycle.dynamic.map((spec) => ops.readDynamic(session.token, spec, policy))),
      ]);
    } finally {
      // One failed read fails the start-up: stop the siblings' retries.
      cancel.abort();
    }
    this.kvSecrets = reads;
    this.kvValues = this.convertKv(reads);
    for (const lease of leases) this.dynamicValues.set(lease.spec.path, lease.values);
    const merged = this.compose();
    const missing = missingKeys(options.required, merged);
    if (missing.length > 0) {
      // Leases issued for this failed start-up are nobody's: give them back.
      await Promise.all(
        leases.map((l) => ops.revokeLease(session.token, l.leaseId, policy).catch(() => undefined)),
      );
      const version =
        options.version !== null ? ` version ${options.version}, pinned by VAULT_SECRET_VERSION,` : '';
      throw new VaultSecretError(
        'VAULT_REQUIRED_KEYS_MISSING',
        `required keys missing from Vault: ${missing.join(', ')} (read ${options.paths.map((p) => `${options.mountPoint}/${p}`).join(', ')}${version}): add them in Vault or fix VAULT_PATH${version ? ' or VAULT_SECRET_VERSION' : ''}`,
        { keys: missing, setting: version ? 'VAULT_SECRET_VERSION' : 'VAULT_PATH' },
      );
    }

    const keys = Object.keys(merged);
    let injectNote = 'not injected (inject: false)';
    if (options.inject) {
      const { injected, kept, tooLarge } = injectSecrets(options.env, merged, options.override);
      for (const key of injected) this.injectedKeys.add(key);
      const warning = tooLargeWarning(tooLarge);
      if (warning) this.log.warn(warning);
      injectNote =
        kept.length > 0
          ? `${injected.length} injected, ${kept.length} kept (override: false)`
          : `${injected.length} injected`;
    }
    this.secrets = Object.freeze(Object.assign(Object.create(null), merged) as Record<string, string>);
    this.store.update({
      state: 'ready',
      secrets_loaded: true,
      keys: keys.length,
      loaded_at: new Date().toISOString(),
      last_error: null,
    });
    this.startAfterLoad(options, ops, kvVersion, leases);
    this.log.info(
      `loaded ${keys.length} keys from ${reads.length} path(s) via ${auth.name} auth in ${Date.now() - started} ms, ${injectNote}: ${describeKeys(keys)}`,
    );
    return this.getAll();
  }

  private updateTokenStatus(session: AuthSession): void {
    this.store.update({
      authenticated: true,
      token_expires_at:
        session.leaseDuration > 0
          ? new Date(session.obtainedAt + session.leaseDuration * 1000).toISOString()
          : null,
    });
  }

  private convertKv(reads: KvSecret[]): Record<string, string> {
    const options = this.options as ResolvedOptions;
    return mergeInOrder(
      reads.map((r) =>
        convertSecretData(
          r.data,
          `${options.mountPoint}/${r.path}`,
          options.keyTransform,
          options.keyPrefix,
          options.allowKeys,
        ),
      ),
    );
  }

  /** KV paths in order (later wins), then dynamic secrets in order. */
  private compose(): Record<string, string> {
    return mergeInOrder([this.kvValues, ...this.dynamicValues.values()]);
  }

  /** Start-up only: revoke the token. Refresh or dynamic: keep everything fresh in the background. */
  private startAfterLoad(
    options: ResolvedOptions,
    ops: VaultOps,
    kvVersion: 1 | 2,
    leases: DynamicLease[],
  ): void {
    this.ops = ops;
    const { lifecycle } = options;
    if (lifecycle.refreshIntervalMs === null && lifecycle.dynamic.length === 0) {
      if (lifecycle.revokeToken && this.session) {
        const token = this.session.token;
        this.pendingRevoke = ops
          .revokeSelf(token, this.backgroundPolicy())
          .then(() => this.log.debug('token revoked after start-up (VAULT_REVOKE_TOKEN)'))
          .catch((error: unknown) =>
            this.log.warn(
              `could not revoke the token after start-up (${toLastError(error).code}); it expires at its TTL`,
            ),
          )
          .finally(() => this.http?.close());
        this.store.update({ token_expires_at: null });
      } else {
        this.http?.close();
      }
      return;
    }
    this.background = new Background({
      ops,
      log: this.log,
      kvVersion,
      refreshIntervalMs: lifecycle.refreshIntervalMs,
      timeoutMs: options.timeoutMs,
      retryDelayMs: options.retryDelayMs,
      session: () => this.session as AuthSession,
      setSession: (session) => {
        this.session = session;
        this.updateTokenStatus(session);
      },
      applyKv: (reads) => {
        this.kvSecrets = reads;
        this.kvValues = this.convertKv(reads);
        this.publish('refresh');
      },
      applyDynamic: (lease) => {
        this.dynamicValues.set(lease.spec.path, lease.values);
        const keys = this.publish('rotation');
        this.rotationsSubject.next({
          path: lease.spec.path,
          keys,
          values: Object.freeze({ ...lease.values }),
          at: new Date().toISOString(),
        });
      },
      degraded: (error) => {
        if (this.getStatus().state !== 'failed') this.store.update({ state: 'degraded', last_error: error });
      },
      recovered: () => this.store.update({ state: 'ready', last_error: null }),
      expired: (error) => this.store.update({ state: 'failed', last_error: error }),
    });
    this.background.start(leases);
  }

  /** Applies the composed secrets to the record and the env; publishes the changed key names. */
  private publish(reason: SecretChangeEvent['reason']): string[] {
    const options = this.options as ResolvedOptions;
    const next = this.compose();
    const changed = diffKeys(this.secrets, next);
    if (changed.length === 0) return changed;
    if (options.inject) {
      for (const key of changed) {
        const owned = this.injectedKeys.has(key) || options.override || options.env[key] === undefined;
        if (!owned) continue;
        if (key in next) {
          options.env[key] = next[key];
          this.injectedKeys.add(key);
        } else {
          delete options.env[key];
          this.injectedKeys.delete(key);
        }
      }
    }
    this.secrets = Object.freeze(Object.assign(Object.create(null), next) as Record<string, string>);
    this.store.update({ keys: Object.keys(next).length, loaded_at: new Date().toISOString() });
    this.log.info(`${reason}: ${changed.length} key(s) changed: ${describeKeys(changed)}`);
    this.changesSubject.next({ reason, keys: changed, at: new Date().toISOString() });
    return changed;
  }

  private backgroundPolicy(): RetryPolicy {
    return singleAttemptPolicy((this.options as ResolvedOptions).timeoutMs);
  }

  /** On close: revoke dynamic leases, and the token when this manager logged in for it. */
  private async releaseHeld(): Promise<void> {
    const options = this.options;
    if (!this.ops || !this.session || !options || !this.background) return;
    const ops = this.ops;
    const token = this.session.token;
    await Promise.all(this.background.heldLeases().map((lease) => this.background?.revokeLease(lease)));
    if (options.authMethod !== 'token') {
      await ops.revokeSelf(token, this.backgroundPolicy()).catch(() => undefined);
    }
  }
}
