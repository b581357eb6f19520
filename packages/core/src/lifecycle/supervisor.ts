/**
 * Owns what the manager holds after start-up — the token, each dynamic lease, the refresh loop —
 * with one watcher each, and reacts when a watcher ends: logs in again (the auth method re-reads the
 * token file), fetches new credentials, re-reads. Recoveries retry with capped, jittered backoff for
 * as long as the supervisor runs, after an expiry too. Readiness is derived from what is held.
 *
 * Longer than one file usually is: the token, the leases and the refresh loop share one map of held
 * things and one token (a lease renewal may need a new login first), and readiness is derived from
 * all of them at once; the timing of each watcher lives in lifetime-watcher.ts and periodic-task.ts.
 */
import type { AuthSession } from '../auth';
import type { CoreLogger } from '../logger';
import { toLastError } from '../status';
import type { Clock, RandomSource } from './clock';
import { TimerGroup } from './clock';
import { LifetimeWatcher, type DoneReason } from './lifetime-watcher';
import { PeriodicTask, RetryLoop } from './periodic-task';
import { deriveReadiness, nextExpiry, type Derived, type Held } from './readiness';
import { createHandover, type Handover } from './rotation-handover';
import { MIN_BACKOFF_MS } from './timing';
import type { DynamicLease } from './vault-ops';
import type { DynamicSecretSpec } from './options';

/** Re-read interval of a dynamic path that came without a lease, when nothing else says. */
export const STATIC_REREAD_MS = 5 * 60_000;
/** No re-read of a lease-less dynamic path runs more often than this. */
export const MIN_STATIC_REREAD_MS = 10_000;

/** Vault calls the supervisor needs, each one attempt, rejecting with an error that may carry `status`. */
export interface SupervisorOps {
  login(): Promise<AuthSession>;
  /** The TTL of a token handed to us, unknown until asked; undefined when there is no such token. */
  lookupToken?(token: string): Promise<AuthSession>;
  renewToken(token: string, incrementSeconds: number): Promise<AuthSession>;
  /** Reads and converts every KV path. */
  readKv(token: string): Promise<Record<string, string>>;
  readDynamic(token: string, spec: DynamicSecretSpec): Promise<DynamicLease>;
  renewLease(token: string, leaseId: string, incrementSeconds: number): Promise<number>;
  revokeLease(token: string, leaseId: string): Promise<void>;
  /** Gives back a token that a login returned after stop() (revoke-self with that token). */
  revokeToken?(token: string): Promise<void>;
}

export interface SupervisorHost {
  clock: Clock;
  random: RandomSource;
  log: CoreLogger;
  backoffBaseMs: number;
  ops: SupervisorOps;
  /** Whether a 403 may be fixed by logging in again (false for a token handed to us). */
  canRelogin: boolean;
  refreshIntervalMs: number | null;
  /** Validate, then commit; throws (and changes nothing) when the result would break `required`. */
  commitKv(values: Record<string, string>): void;
  commitDynamic(lease: DynamicLease, handover: Handover | null): void;
  session(session: AuthSession): void;
  readiness(derived: Derived): void;
}

const statusOf = (error: unknown) => (error as { status?: number } | null)?.status;
const permanent = (error: unknown) => [400, 403, 404].includes(statusOf(error) ?? 0);

export class Supervisor {
  private readonly held = new Map<string, Held>();
  private readonly stoppers = new Map<string, { stop(): void }>();
  private readonly leases = new Map<string, DynamicLease>();
  /** Old leases whose consumers may still use them. */
  private readonly handedOver = new Set<DynamicLease>();
  private readonly timers: TimerGroup;
  private readonly expiryTimer: TimerGroup;
  private session: AuthSession;
  private stopped = false;
  /** Logins in flight and the give-back of their tokens: what close() waits for after stop(). */
  private readonly inflight = new Set<Promise<unknown>>();

  constructor(
    private readonly host: SupervisorHost,
    session: AuthSession,
  ) {
    this.session = session;
    this.timers = new TimerGroup(host.clock);
    this.expiryTimer = new TimerGroup(host.clock);
  }

  start(leases: DynamicLease[]): void {
    this.watchToken(this.session);
    if (this.session.leaseDuration <= 0 && this.host.ops.lookupToken) void this.learnTokenLifetime();
    if (this.host.refreshIntervalMs !== null) this.watchRefresh(this.host.refreshIntervalMs);
    for (const lease of leases) this.watchLease(lease);
    this.derive();
  }

  /** Stops every watcher; returns the leases still held (current and handed over), for revocation. */
  stop(): DynamicLease[] {
    this.stopped = true;
    for (const stopper of this.stoppers.values()) stopper.stop();
    this.stoppers.clear();
    const held = [...this.leases.values(), ...this.handedOver];
    this.handedOver.clear();
    this.timers.stop();
    this.expiryTimer.stop();
    return held;
  }

  get token(): string {
    return this.session.token;
  }

  /**
   * Resolves once no login is in flight and every token that arrived after stop() was given back.
   * Each request is bounded by VAULT_TIMEOUT, so this is too.
   */
  async settled(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.inflight.add(promise);
    const done = () => void this.inflight.delete(promise);
    promise.then(done, done);
    return promise;
  }

  private login(): Promise<AuthSession> {
    return this.track(this.host.ops.login());
  }

  // --- state ------------------------------------------------------------------------------------

  private set(id: string, patch: Partial<Held> & { name?: string }): void {
    const before = this.held.get(id) ?? {
      name: id,
      expiresAt: null,
      error: null,
      expiredCode: id === 'token' ? 'VAULT_TOKEN_EXPIRED' : 'VAULT_LEASE_FAILED',
    };
    this.held.set(id, { ...before, ...patch });
    this.derive();
  }

  private fail(id: string, what: string, error: unknown, retryInMs: number): void {
    const last = toLastError(error, new Date(this.host.clock.now()));
    this.host.log.warn(
      `${what} failed (${last.code}); last good secrets kept, retrying in ${Math.round(retryInMs / 1000)} s`,
    );
    this.set(id, { error: last });
  }

  private derive(): void {
    if (this.stopped) return;
    const now = this.host.clock.now();
    this.host.readiness(deriveReadiness([...this.held.values()], now));
    // An expiry changes readiness even when nothing reports it: derive again then.
    this.expiryTimer.clear();
    const next = nextExpiry([...this.held.values()], now);
    if (next !== null) this.expiryTimer.at(next - now, () => this.derive());
  }

  private replace(id: string, stopper: { stop(): void } | undefined): void {
    this.stoppers.get(id)?.stop();
    if (stopper) this.stoppers.set(id, stopper);
    else this.stoppers.delete(id);
  }

  // --- the token --------------------------------------------------------------------------------

  private watchToken(session: AuthSession): void {
    this.session = session;
    this.host.session(session);
    if (session.leaseDuration <= 0) {
      this.replace('token', undefined);
      this.set('token', { name: 'token', expiresAt: null, error: null });
      return;
    }
    const expiresAt = session.obtainedAt + session.leaseDuration * 1000;
    this.set('token', { name: 'token', expiresAt, error: null });
    const watcher = new LifetimeWatcher(
      { expiresAt, grantedMs: session.leaseDuration * 1000 },
      {
        clock: this.host.clock,
        random: this.host.random,
        backoffBaseMs: this.host.backoffBaseMs,
        isPermanent: permanent,
        ...(session.renewable
          ? {
              renew: async (incrementMs: number) => {
                const renewed = await this.host.ops.renewToken(session.token, Math.ceil(incrementMs / 1000));
                return renewed.leaseDuration * 1000;
              },
            }
          : {}),
        listener: {
          renewed: (lifetime) => {
            const ttl = Math.round((lifetime.expiresAt - this.host.clock.now()) / 1000);
            this.session = { ...this.session, leaseDuration: ttl, obtainedAt: this.host.clock.now() };
            this.host.session(this.session);
            this.set('token', { expiresAt: lifetime.expiresAt, error: null });
          },
          failing: (error, wait) => this.fail('token', 'token renewal', error, wait),
          done: (reason) => (this.host.canRelogin ? this.relogin(reason) : this.cannotReplaceToken(reason)),
        },
      },
    );
    this.replace('token', watcher);
    watcher.start();
  }

  /**
   * A token handed to us comes without its TTL: ask once, and watch it like ours if it expires.
   * A failed lookup only means it is not renewed (a 403 later shows in the steps that use it).
   */
  private async learnTokenLifetime(): Promise<void> {
    const token = this.session.token;
    try {
      const looked = await (this.host.ops.lookupToken as (t: string) => Promise<AuthSession>)(token);
      if (!this.stopped && this.session.token === token && looked.leaseDuration > 0) this.watchToken(looked);
    } catch (error) {
      this.host.log.warn(
        `could not look up the token's TTL (${toLastError(error).code}); it will not be renewed`,
      );
    }
  }

  /** A token handed to us cannot be replaced by a login: it stays held until its expiry shows. */
  private cannotReplaceToken(reason: DoneReason): void {
    const held = this.held.get('token');
    const until = held?.expiresAt ? new Date(held.expiresAt).toISOString() : 'its expiry';
    this.host.log.warn(
      `the token handed in (VAULT_TOKEN) cannot be renewed further (${reason}); it stops working at ${until}: provide a new one`,
    );
  }

  private relogin(reason: DoneReason): void {
    if (this.stopped) return;
    this.host.log.info(`logging in to Vault again (${reason})`);
    const loop = new RetryLoop({
      clock: this.host.clock,
      random: this.host.random,
      backoffBaseMs: this.host.backoffBaseMs,
      attempt: async () => {
        const session = await this.login();
        if (this.stopped) return void this.giveBackToken(session.token);
        this.watchToken(session);
      },
      failing: (error, wait) => this.fail('token', 'login', error, wait),
    });
    this.replace('token', loop);
    loop.start();
  }

  /** Runs `fn` with the token; a 403 (token revoked or expired) logs in again once and retries. */
  private async withToken<T>(fn: (token: string) => Promise<T>): Promise<T> {
    const used = this.session.token;
    try {
      return await fn(used);
    } catch (error) {
      if (statusOf(error) !== 403 || !this.host.canRelogin || this.stopped) throw error;
      const fresh = await this.freshToken(used);
      // Stopped while logging in: no request goes out after stop().
      if (this.stopped) throw error;
      return fn(fresh);
    }
  }

  /** One login for every caller that saw `stale` refused; a token renewed since is used as is. */
  private freshToken(stale: string): Promise<string> {
    if (this.session.token !== stale) return Promise.resolve(this.session.token);
    this.pendingLogin ??= this.login()
      .then((session) => {
        if (this.stopped) this.giveBackToken(session.token);
        else this.watchToken(session);
        return session.token;
      })
      .finally(() => {
        this.pendingLogin = undefined;
      });
    return this.pendingLogin;
  }

  private pendingLogin: Promise<string> | undefined;

  // --- the refresh loop -------------------------------------------------------------------------

  private watchRefresh(intervalMs: number): void {
    this.set('refresh', { name: 'refresh', expiresAt: null, error: null });
    const task = new PeriodicTask(intervalMs, {
      clock: this.host.clock,
      random: this.host.random,
      backoffBaseMs: this.host.backoffBaseMs,
      step: async () => {
        const values = await this.withToken((token) => this.host.ops.readKv(token));
        if (!this.stopped) this.host.commitKv(values);
        return intervalMs;
      },
      succeeded: () => this.set('refresh', { error: null }),
      failing: (error, wait) => this.fail('refresh', 'refresh', error, wait),
    });
    this.replace('refresh', task);
    task.start();
  }

  // --- dynamic leases ---------------------------------------------------------------------------

  private leaseId(spec: DynamicSecretSpec): string {
    return `lease:${spec.path}`;
  }

  private watchLease(lease: DynamicLease): void {
    const id = this.leaseId(lease.spec);
    const name = `lease of ${lease.spec.path}`;
    if (lease.leaseId === '' || lease.duration <= 0) return this.watchStatic(lease, id, name);
    this.leases.set(id, lease);
    this.set(id, { name, expiresAt: lease.expiresAt, error: null });
    const watcher = new LifetimeWatcher(
      { expiresAt: lease.expiresAt, grantedMs: lease.duration * 1000 },
      {
        clock: this.host.clock,
        random: this.host.random,
        backoffBaseMs: this.host.backoffBaseMs,
        isPermanent: (error) => statusOf(error) === 400,
        ...(lease.renewable
          ? {
              renew: (incrementMs: number) =>
                this.withToken((token) =>
                  this.host.ops.renewLease(token, lease.leaseId, Math.ceil(incrementMs / 1000)),
                ).then((seconds) => seconds * 1000),
            }
          : {}),
        listener: {
          renewed: (lifetime) => {
            lease.expiresAt = lifetime.expiresAt;
            this.set(id, { expiresAt: lifetime.expiresAt, error: null });
          },
          failing: (error, wait) => this.fail(id, `renewal of the ${name}`, error, wait),
          done: () => this.rotate(lease),
        },
      },
    );
    this.replace(id, watcher);
    watcher.start();
  }

  /** A dynamic path that came without a lease: re-read on a schedule, like a KV path. */
  private watchStatic(lease: DynamicLease, id: string, name: string): void {
    this.leases.delete(id);
    this.set(id, { name, expiresAt: null, error: null });
    const interval = (read: DynamicLease) =>
      Math.max(
        MIN_STATIC_REREAD_MS,
        read.ttlSeconds !== undefined && read.ttlSeconds > 0
          ? read.ttlSeconds * 1000
          : (this.host.refreshIntervalMs ?? STATIC_REREAD_MS),
      );
    const task = new PeriodicTask(interval(lease), {
      clock: this.host.clock,
      random: this.host.random,
      backoffBaseMs: Math.max(this.host.backoffBaseMs, MIN_BACKOFF_MS),
      step: async () => {
        const fresh = await this.withToken((token) => this.host.ops.readDynamic(token, lease.spec));
        if (this.stopped) return interval(fresh);
        this.host.commitDynamic(fresh, null);
        // It came with a lease this time: a lease watcher takes over (and stops this task).
        if (fresh.leaseId !== '' && fresh.duration > 0) this.watchLease(fresh);
        return interval(fresh);
      },
      succeeded: () => this.set(id, { error: null }),
      failing: (error, wait) => this.fail(id, `re-read of ${lease.spec.path}`, error, wait),
    });
    this.replace(id, task);
    task.start();
  }

  /** New credentials for `old`'s path, retried until they come, expiry or not. */
  private rotate(old: DynamicLease): void {
    if (this.stopped) return;
    const id = this.leaseId(old.spec);
    const loop = new RetryLoop({
      clock: this.host.clock,
      random: this.host.random,
      backoffBaseMs: this.host.backoffBaseMs,
      attempt: async () => {
        const fresh = await this.withToken((token) => this.host.ops.readDynamic(token, old.spec));
        if (this.stopped) return void this.revoke(fresh);
        const handover = this.handOver(old);
        try {
          this.host.commitDynamic(fresh, handover);
        } catch (error) {
          // Not applied: the old credentials stay in use, the new lease is nobody's.
          handover.cancel();
          this.handedOver.delete(old);
          void this.revoke(fresh);
          throw error;
        }
        this.watchLease(fresh);
        handover.arm();
      },
      failing: (error, wait) => this.fail(id, `new credentials for ${old.spec.path}`, error, wait),
    });
    this.replace(id, loop);
    loop.start();
  }

  private handOver(old: DynamicLease): Handover {
    this.handedOver.add(old);
    return createHandover({
      timers: this.timers,
      now: () => this.host.clock.now(),
      expiresAt: old.expiresAt,
      revoke: () => void this.revoke(old),
      settled: () => this.handedOver.delete(old),
    });
  }

  /** A token nobody will use or renew: revoked now rather than left alive until its TTL. */
  private giveBackToken(token: string): void {
    const revoking = this.host.ops.revokeToken?.(token);
    if (!revoking) return;
    void this.track(
      revoking.catch((error: unknown) =>
        this.host.log.warn(
          `could not revoke a token obtained after stop (${toLastError(error).code}); it expires at its TTL`,
        ),
      ),
    );
  }

  /** Gives a lease back; a failure only means it lives until its own expiry. */
  async revoke(lease: DynamicLease): Promise<void> {
    try {
      await this.host.ops.revokeLease(this.session.token, lease.leaseId);
    } catch (error) {
      this.host.log.warn(
        `could not revoke a lease of ${lease.spec.path} (${toLastError(error).code}); it expires on its own`,
      );
    }
  }
}
