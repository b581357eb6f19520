/**
 * VaultSecretManager, the public face over the start-up load (loader.ts: options → auth → read, all
 * paths in parallel) and, after start-up, the supervisor that keeps things fresh (lifecycle/). It
 * commits what the loader read (validate → inject → status), publishes changes and rotations, and
 * gives back what it holds on close(). Nothing is injected unless every step succeeded.
 *
 * Longer than one file usually is: it is the whole public API (each method documented here) and
 * the one place that owns the status, the secrets and the subjects the loader and supervisor feed.
 */
import { setMaxListeners } from 'node:events';
import type { Observable } from 'rxjs';
import type { AuthSession } from './auth';
import { VaultConfigurationError, VaultSecretError, type VaultError } from './errors';
import { healthBody } from './status/health-body';
import { LazyEvents } from './lazy-events';
import type { VaultHttpClient } from './http/client';
import { tooLargeWarning } from './inject';
import { giveBack } from './give-back';
import { loadFromVault, singleAttemptPolicy, type Loaded } from './loader';
import { createLogger, describeKeys, type CoreLogger } from './logger';
import { resolveOptions, type ResolvedOptions, type VaultOptions } from './options';
import type { RetryPolicy } from './http/retry';
import { SecretState, type Commit, type SecretsRecord } from './inject/secret-state';
import { StatusStore, toLastError } from './status';
import type { SecretChangeEvent, SecretRotationEvent, VaultLastError, VaultStatus } from './types';
import { convertReads, missingKeys } from './values';
import { sleepOn, systemClock, TimerGroup, type Clock, type RandomSource } from './lifecycle/clock';
import { withConsumerErrors, type Derived } from './lifecycle/readiness';
import type { Handover } from './lifecycle/rotation-handover';
import type { Supervisor } from './lifecycle/supervisor';
import { Backoff } from './lifecycle/timing';
import type { DynamicLease, VaultOps } from './lifecycle/vault-ops';

export type { SecretsRecord } from './inject/secret-state';

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

type SupervisorClass = typeof Supervisor;

/** The watchers' code, loaded only by a manager with refresh or dynamic secrets. */
function supervisorFor(options: ResolvedOptions): Promise<SupervisorClass> | undefined {
  const { lifecycle } = options;
  if (lifecycle.refreshIntervalMs === null && lifecycle.dynamic.length === 0) return undefined;
  return import('./lifecycle/supervisor').then((m) => m.Supervisor);
}

const closedError = () =>
  new VaultConfigurationError(
    'VAULT_CLOSED',
    'the manager was closed before its secrets were loaded: nothing was injected (create a new VaultSecretManager to load again)',
  );

export class VaultSecretManager {
  /** Live status; replays the current value to new subscribers. */
  get status$(): Observable<VaultStatus> {
    return this.store.status$;
  }

  /** Names of keys changed by a refresh, a rotation, or a load that succeeded in the background. */
  get changes$(): Observable<SecretChangeEvent> {
    return this.changesSubject.stream;
  }

  /** New credentials of a dynamic secret, with their values, so the app can swap its pool. */
  get rotations$(): Observable<SecretRotationEvent> {
    return this.rotationsSubject.stream;
  }

  private readonly options: ResolvedOptions | undefined;
  private readonly log: CoreLogger;
  private readonly store: StatusStore;
  private readonly changesSubject = new LazyEvents<SecretChangeEvent>();
  private readonly rotationsSubject = new LazyEvents<SecretRotationEvent>();
  private readonly clock: Clock;
  private readonly random: RandomSource;
  private readonly configError: VaultError | undefined;
  private readonly logStartupFailure: boolean;
  private state: SecretState | undefined;
  private http: VaultHttpClient | undefined;
  private ops: VaultOps | undefined;
  private supervisor: Supervisor | undefined;
  private initPromise: Promise<SecretsRecord> | undefined;
  /** Cancels the start-up in flight (close() during initialize()). */
  private readonly startup = new AbortController();
  /** A revoke-after-load still in flight; close() waits for it. */
  private pendingRevoke: Promise<void> | undefined;
  private readonly retryTimers: TimerGroup;
  private backgroundStart = false;
  private closed = false;
  /** The supervisor's latest readiness, before consumer reports are folded in. */
  private derived: Derived | undefined;
  private readonly consumerErrors = new Map<string, VaultLastError>();
  private closing: Promise<void> = Promise.resolve();

  constructor(options: VaultOptions = {}) {
    let resolved: ResolvedOptions | undefined;
    try {
      resolved = resolveOptions(options);
    } catch (error) {
      // Reported by initialize(), so constructing never throws inside a framework's provider graph.
      this.configError = error as VaultError;
    }
    this.options = resolved;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.retryTimers = new TimerGroup(this.clock);
    this.log = createLogger(options.logger);
    this.logStartupFailure = options.logStartupFailure !== false;
    // Every parallel read listens on this signal; many paths are expected, not a leak.
    setMaxListeners(0, this.startup.signal);
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
  }

  /** Loads once; later calls return the same promise. Rejects with a VaultError subclass. */
  initialize(): Promise<SecretsRecord> {
    if (this.closed && this.initPromise === undefined) return Promise.reject(closedError());
    this.initPromise ??= this.load();
    return this.initPromise;
  }

  /**
   * Start anyway, then recover: loads like initialize() but never rejects. Until a load succeeds the
   * state is `loading` or `failed` (readiness down) and loading is retried with capped, jittered
   * backoff; then the state becomes `ready` and `changes$` announces the keys (reason `load`).
   * A configuration error is not retried: it cannot fix itself.
   */
  initializeInBackground(): void {
    if (this.closed || this.backgroundStart) return;
    this.backgroundStart = true;
    const backoff = new Backoff(this.options?.retryDelayMs ?? 1000, this.random);
    const attempt = (retry: boolean) => {
      const run = retry ? (this.initPromise = this.load()) : this.initialize();
      run.then(
        () => {
          if (!retry) return;
          const keys = Object.keys(this.getAll());
          this.changesSubject.next({ reason: 'load', keys, at: new Date(this.clock.now()).toISOString() });
        },
        (error: unknown) => {
          if (this.closed || (error as VaultError).code === 'VAULT_CONFIG_INVALID') return;
          const wait = backoff.next();
          this.log.warn(
            `start-up failed (${toLastError(error).code}); loading again in the background in ${Math.round(wait / 1000)} s`,
          );
          this.retryTimers.at(wait, () => attempt(true));
        },
      );
    };
    attempt(false);
  }

  get(key: string): string | undefined {
    return this.state?.get(key);
  }

  getAll(): SecretsRecord {
    return this.state?.snapshot() ?? Object.freeze({});
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

  /** getHealthBody() as JSON text, serialized once per status change (health routes send it as is). */
  getHealthJson(): string {
    return this.store.json(this.options?.healthBody ?? 'full');
  }

  /**
   * The start-up budget in ms (`startupTimeout`), for an adapter that must fit it inside its own
   * (Fastify's `pluginTimeout`); undefined when the options are invalid.
   */
  get startupTimeoutMs(): number | undefined {
    return this.options?.startupTimeoutMs;
  }

  /** JSON loggers see the status only: the fields hold the secrets, the token and its HTTP client. */
  toJSON(): VaultStatus {
    return this.getStatus();
  }

  /** `console.log(manager)`, `util.inspect` and REPLs see the status only, as for toJSON(). */
  [INSPECT](
    _depth: number,
    options: unknown,
    inspect?: (value: unknown, options?: unknown) => string,
  ): string {
    const status = this.getStatus();
    return `${this.constructor.name} ${inspect ? inspect(status, options) : JSON.stringify(status)}`;
  }

  /**
   * For consumers of the secrets, e.g. a pool that could not apply rotated credentials and kept the
   * old ones: an error makes a loaded manager `degraded` (still ready) with it as `last_error` until
   * the same `consumer` reports `null`. Pass a VaultError (its message must be secret-free); any
   * other error is shown by name only. Never makes the state `failed`.
   */
  reportConsumerError(consumer: string, error: unknown): void {
    if (this.closed) return;
    if (error === null || error === undefined) this.consumerErrors.delete(consumer);
    else this.consumerErrors.set(consumer, toLastError(error, new Date(this.clock.now())));
    this.applyReadiness();
  }

  private applyReadiness(): void {
    const current = this.getStatus();
    const loaded = current.state === 'ready' || current.state === 'degraded';
    const base = this.derived ?? (loaded ? { state: 'ready' as const, last_error: null } : undefined);
    if (!base) return;
    const next = withConsumerErrors(base, [...this.consumerErrors.values()]);
    const changed =
      current.last_error?.at !== next.last_error?.at || current.last_error?.code !== next.last_error?.code;
    if (current.state !== next.state || changed) {
      this.store.update(next);
    }
  }

  /**
   * Final: stops every watcher, makes a pending initialize() reject (VAULT_CLOSED), revokes what this
   * manager holds (dynamic leases; the token when it logged in for it), and releases connections.
   * Idempotent; every step is bounded by VAULT_TIMEOUT.
   */
  async close(): Promise<void> {
    if (this.closed) return this.closing;
    this.closed = true;
    this.closing = this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    this.retryTimers.stop();
    this.startup.abort();
    // A start-up in flight cleans up after itself before it rejects.
    await this.initPromise?.catch(() => undefined);
    const leases = this.supervisor?.stop() ?? [];
    // A re-login in flight answers with a token only this manager knows of: wait, then give it back.
    await this.supervisor?.settled();
    await this.pendingRevoke;
    await this.releaseHeld(leases);
    this.http?.close();
    this.changesSubject.complete();
    this.rotationsSubject.complete();
    this.store.complete();
  }

  private throwIfClosed(): void {
    if (this.closed) throw closedError();
  }

  private async load(): Promise<SecretsRecord> {
    const started = this.clock.now();
    try {
      if (this.configError) throw this.configError;
      const options = this.options as ResolvedOptions;
      return options.enabled ? await this.loadFromVault(options, started) : this.checkDisabled(options);
    } catch (error) {
      const failure = this.closed ? closedError() : error;
      if (!this.closed) {
        this.store.update({
          state: 'failed',
          secrets_loaded: false,
          last_error: toLastError(failure, new Date(this.clock.now())),
        });
      }
      const line = `start-up failed: ${(failure as VaultError).toLogLine?.() ?? toLastError(failure).message}`;
      if (this.logStartupFailure && !this.closed) this.log.error(line);
      else this.log.debug(`start-up failed (reported by the caller): ${toLastError(failure).code}`);
      throw failure;
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
    return this.getAll();
  }

  private backgroundPolicy(): RetryPolicy {
    return singleAttemptPolicy((this.options as ResolvedOptions).timeoutMs);
  }

  private loadFromVault(options: ResolvedOptions, started: number): Promise<SecretsRecord> {
    // Loads during the login's round trip, so it costs no time of its own.
    const supervisorClass = supervisorFor(options);
    return loadFromVault(
      {
        options,
        closed: this.startup.signal,
        throwIfClosed: () => this.throwIfClosed(),
        session: (session) => {
          if (session) this.updateTokenStatus(session);
          else this.store.update({ authenticated: false, token_expires_at: null });
        },
        warn: (message) => this.log.warn(message),
        info: (message) => this.log.info(message),
        sleep: (ms, signal) => sleepOn(this.clock, ms, signal),
        now: () => this.clock.now(),
        random: this.random,
      },
      async (loaded) => {
        this.http = loaded.http;
        this.ops = loaded.ops;
        const SupervisorImpl = await supervisorClass;
        this.throwIfClosed();
        return this.commitLoad(options, loaded, started, SupervisorImpl);
      },
    );
  }

  private commitLoad(
    options: ResolvedOptions,
    loaded: Loaded,
    started: number,
    SupervisorImpl: SupervisorClass | undefined,
  ): SecretsRecord {
    const { ops, kvVersion, kvSecrets, leases, session, authName } = loaded;
    const state = new SecretState({
      env: options.env,
      inject: options.inject,
      override: options.override,
      required: options.required,
      describeSources: () => options.paths.map((p) => `${options.mountPoint}/${p}`).join(', '),
      version: options.version,
    });
    const dynamic = new Map(leases.map((l) => [l.spec.path, l.values]));
    const { keys, injected, kept, tooLarge } = state.commitInitial(convertReads(kvSecrets, options), dynamic);
    const warning = tooLargeWarning(tooLarge);
    if (warning) this.log.warn(warning);
    this.state = state;
    this.store.update({
      state: 'ready',
      secrets_loaded: true,
      keys: keys.length,
      loaded_at: new Date(this.clock.now()).toISOString(),
      last_error: null,
    });
    this.startAfterLoad(options, ops, kvVersion, leases, session, SupervisorImpl);
    const injectNote = !options.inject
      ? 'not injected (inject: false)'
      : kept.length > 0
        ? `${injected.length} injected, ${kept.length} kept (override: false)`
        : `${injected.length} injected`;
    this.log.info(
      `loaded ${keys.length} keys from ${kvSecrets.length} path(s) via ${authName} auth in ${this.clock.now() - started} ms, ${injectNote}: ${describeKeys(keys)}`,
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

  /** Start-up only: revoke the token. Refresh or dynamic: the supervisor keeps everything fresh. */
  private startAfterLoad(
    options: ResolvedOptions,
    ops: VaultOps,
    kvVersion: 1 | 2,
    leases: DynamicLease[],
    session: AuthSession,
    SupervisorImpl: SupervisorClass | undefined,
  ): void {
    const { lifecycle } = options;
    if (SupervisorImpl === undefined) {
      if (lifecycle.revokeToken) {
        this.pendingRevoke = ops
          .revokeSelf(session.token, this.backgroundPolicy())
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
    const policy = () => this.backgroundPolicy();
    this.supervisor = new SupervisorImpl(
      {
        clock: this.clock,
        random: this.random,
        log: this.log,
        backoffBaseMs: options.retryDelayMs,
        canRelogin: options.authMethod !== 'token',
        refreshIntervalMs: lifecycle.refreshIntervalMs,
        ops: {
          login: () => ops.login(policy()),
          ...(options.authMethod === 'token'
            ? { lookupToken: (token: string) => ops.lookupSelf(token, policy()) }
            : {}),
          renewToken: (token, increment) => ops.renewSelf(token, increment, policy()),
          readKv: async (token) => convertReads(await ops.readKvAll(token, kvVersion, policy()), options),
          readDynamic: (token, spec) => ops.readDynamic(token, spec, policy()),
          renewLease: (token, id, increment) => ops.renewLease(token, id, increment, policy()),
          revokeLease: (token, id) => ops.revokeLease(token, id, policy()),
          revokeToken: (token) => ops.revokeSelf(token, policy()),
        },
        commitKv: (values) => this.publish('refresh', (this.state as SecretState).commitKv(values)),
        commitDynamic: (lease, handover) => this.rotated(lease, handover),
        session: (s) => this.updateTokenStatus(s),
        readiness: (derived) => {
          this.derived = derived;
          this.applyReadiness();
        },
      },
      session,
    );
    this.supervisor.start(leases);
  }

  private rotated(lease: DynamicLease, handover: Handover | null): void {
    const keys = this.publish(
      'rotation',
      (this.state as SecretState).commitDynamic(lease.spec.path, lease.values),
    );
    this.rotationsSubject.next({
      path: lease.spec.path,
      keys,
      values: Object.freeze({ ...lease.values }),
      at: new Date(this.clock.now()).toISOString(),
      retain: handover ? () => handover.retain() : () => () => undefined,
    });
  }

  /** Announces changed key names; a change that changed nothing announces nothing. */
  private publish(reason: SecretChangeEvent['reason'], commit: Commit): string[] {
    const keys = commit.changed;
    const warning = tooLargeWarning(commit.tooLarge);
    if (warning) this.log.warn(warning);
    if (keys.length === 0) return keys;
    const at = new Date(this.clock.now()).toISOString();
    this.store.update({ keys: (this.state as SecretState).size, loaded_at: at });
    this.log.info(`${reason}: ${keys.length} key(s) changed: ${describeKeys(keys)}`);
    this.changesSubject.next({ reason, keys, at });
    return keys;
  }

  /** On close: revoke dynamic leases, and the token when this manager logged in for it. */
  private async releaseHeld(leases: DynamicLease[]): Promise<void> {
    const token = this.supervisor?.token;
    if (!this.ops || !this.options || token === undefined) return;
    await giveBack(this.ops, token, leases, this.options.authMethod, this.backgroundPolicy(), (message) =>
      this.log.warn(message),
    );
  }
}
