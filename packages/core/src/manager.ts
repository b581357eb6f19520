/**
 * VaultSecretManager: options → auth → read (all paths in parallel) → validate → inject → status.
 * Two sequential round trips on the happy path (token auth: one). Nothing is injected unless every
 * step succeeded.
 */
import { Subject, type Observable } from 'rxjs';
import { createAuthMethod, type AuthMethod, type AuthSession } from './auth';
import { VaultConfigurationError, VaultSecretError, type VaultError } from './errors';
import type { FailureContext } from './error-mapping';
import { createVaultHttpClient, type VaultHttpClient } from './http-client';
import { injectSecrets } from './inject';
import { detectKvVersion, readKv, type KvSecret } from './kv';
import { createLogger, describeKeys, type CoreLogger } from './logger';
import { resolveOptions, type ResolvedOptions, type VaultOptions } from './options';
import type { RetryPolicy } from './retry';
import { StatusStore, toLastError } from './status';
import type { SecretChangeEvent, VaultStatus } from './types';
import { convertSecretData, mergeInOrder, missingKeys } from './values';
import { vaultCall } from './vault-call';

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

  /** Stops every timer and releases connections. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.http?.client.stopAllRenewals();
    this.http?.close();
    this.changesSubject.complete();
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
    const policy: RetryPolicy = {
      maxRetries: options.maxRetries,
      baseDelayMs: options.retryDelayMs,
      maxDelayMs: Math.max(options.retryDelayMs * 8, 1000),
      deadline,
      attemptTimeoutMs: options.timeoutMs,
      signal: cancel.signal,
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
      ...extra,
      get sensitive() {
        return [...auth.sensitiveValues(), currentToken(), options.token, options.secretId];
      },
    });

    const session = await vaultCall(
      http,
      policy,
      context({ phase: 'login', loginHint: auth.loginHint, authMountSetting: auth.authMountSetting }),
      (requestOptions) => auth.login(http.client, requestOptions),
    );
    this.session = session;
    this.store.update({
      authenticated: true,
      token_expires_at:
        session.leaseDuration > 0
          ? new Date(session.obtainedAt + session.leaseDuration * 1000).toISOString()
          : null,
    });
    const withToken = (requestOptions: Record<string, unknown>) => ({
      ...requestOptions,
      headers: { 'X-Vault-Token': session.token },
    });

    let kvVersion: 1 | 2;
    if (options.kvVersion === 'auto') {
      const first = options.paths[0] as string;
      kvVersion = await vaultCall(http, policy, context({ phase: 'detect', secretPath: first }), (ro) =>
        detectKvVersion(http.client, options.mountPoint, first, withToken(ro)),
      );
    } else {
      kvVersion = options.kvVersion;
    }

    let reads: KvSecret[];
    try {
      reads = await Promise.all(
        options.paths.map((path) =>
          vaultCall(http, policy, context({ phase: 'read', secretPath: path }), (ro) =>
            readKv(
              http.client,
              { mount: options.mountPoint, path, kvVersion, version: options.version },
              withToken(ro),
            ),
          ),
        ),
      );
    } finally {
      // One failed read fails the start-up: stop the siblings' retries.
      cancel.abort();
    }
    this.kvSecrets = reads;

    const merged = mergeInOrder(
      reads.map((r) =>
        convertSecretData(r.data, `${options.mountPoint}/${r.path}`, options.keyTransform, options.keyPrefix),
      ),
    );
    const missing = missingKeys(options.required, merged);
    if (missing.length > 0) {
      throw new VaultSecretError(
        'VAULT_REQUIRED_KEYS_MISSING',
        `required keys missing from Vault: ${missing.join(', ')} (read ${options.paths.map((p) => `${options.mountPoint}/${p}`).join(', ')}): add them in Vault or fix VAULT_PATH`,
        { keys: missing, setting: 'VAULT_PATH' },
      );
    }

    const keys = Object.keys(merged);
    let injectNote = 'not injected (inject: false)';
    if (options.inject) {
      const { injected, kept } = injectSecrets(options.env, merged, options.override);
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
    this.log.info(
      `loaded ${keys.length} keys from ${reads.length} path(s) via ${auth.name} auth in ${Date.now() - started} ms, ${injectNote}: ${describeKeys(keys)}`,
    );
    return this.getAll();
  }
}
