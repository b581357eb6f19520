/**
 * A pool-shaped object that always routes to the live `pg.Pool`. On a rotation of its credentials it
 * keeps the old lease (`retain()`), builds a pool with the new credentials, checks it, swaps, lets
 * the old pool's checked-out clients finish, ends it, and only then releases the old lease, which
 * the manager then revokes. A failed check keeps the old pool, reports `degraded` and retries.
 */
import { EventEmitter } from 'node:events';
import { inspect } from 'node:util';
import pg from 'pg';
import type { SecretRotationEvent, VaultSecretManager } from '@vault-config/core';
import type { Subscription } from 'rxjs';
import { describeDriverError, VaultPoolError } from './errors';
import { checkAndWarm } from './check';
import { drainPool } from './drain';
import {
  MAX_RETRY_DELAY_MS,
  resolvePoolOptions,
  type ResolvedPoolOptions,
  type VaultPgPoolOptions,
} from './options';

/** What the pool needs from the manager. */
export type PoolSecretSource = Pick<VaultSecretManager, 'get' | 'rotations$' | 'reportConsumerError'>;

interface Credentials {
  user: string;
  password: string;
}

/** One set of credentials and the pool built from it. */
interface Generation {
  id: number;
  credentials: Credentials;
  pool: pg.Pool;
  /** Release functions of the rotations that retained this generation's lease. */
  holds: Array<() => void>;
}

export interface SwapEvent {
  /** The credentials now live: 0 for those at creation, n for those of the n-th rotation seen. */
  generation: number;
  path: string;
  at: string;
}

export interface RetiredEvent {
  generation: number;
  /** From the swap to the old pool's end. */
  drainMs: number;
  /** True when drainTimeoutMs ran out with clients still checked out. */
  timedOut: boolean;
}

const FORWARDED = ['connect', 'acquire', 'remove', 'release'] as const;

export class VaultPgPool extends EventEmitter {
  private readonly options: ResolvedPoolOptions;
  private readonly Pool: typeof pg.Pool;
  private live: Generation;
  private candidate: Generation | undefined;
  private readonly retiring = new Map<Generation, Promise<void>>();
  private readonly subscription: Subscription;
  private nextId = 0;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private ending: Promise<void> | undefined;

  // A plain field, not a parameter property: tsup's CJS output mangles those next to field initializers.
  private readonly source: PoolSecretSource;

  constructor(source: PoolSecretSource, options: VaultPgPoolOptions) {
    super();
    this.source = source;
    this.options = resolvePoolOptions(options);
    this.Pool = options.Pool ?? pg.Pool;
    this.live = this.open(this.initialCredentials());
    this.subscription = source.rotations$.subscribe((event) => this.rotated(event));
  }

  // --- the pg.Pool surface ----------------------------------------------------------------------

  /** `pg.Pool#query` on the live pool (promise or callback form). */
  readonly query: pg.Pool['query'] = ((...args: unknown[]) =>
    (this.live.pool.query as (...a: unknown[]) => unknown).apply(this.live.pool, args)) as pg.Pool['query'];

  /** `pg.Pool#connect` on the live pool; the client may outlive a swap, its old pool waits for it. */
  readonly connect: pg.Pool['connect'] = ((...args: unknown[]) =>
    (this.live.pool.connect as (...a: unknown[]) => unknown).apply(
      this.live.pool,
      args,
    )) as pg.Pool['connect'];

  /**
   * Stops following rotations, ends every pool once its checked-out clients are back (each bounded
   * by drainTimeoutMs) and releases the leases it kept. Idempotent.
   */
  end(): Promise<void> {
    this.ending ??= this.shutDown();
    return this.ending;
  }

  get ended(): boolean {
    return this.ending !== undefined;
  }

  /** What `console.log(pool)` and JSON loggers show: counters, never the credentials. */
  toJSON(): Record<string, unknown> {
    return {
      generation: this.generation,
      totalCount: this.totalCount,
      idleCount: this.idleCount,
      waitingCount: this.waitingCount,
      drainingCount: this.drainingCount,
      ended: this.ended,
    };
  }

  [inspect.custom](): string {
    return `VaultPgPool ${inspect(this.toJSON())}`;
  }

  /** Clients of the live pool and of pools still draining. */
  get totalCount(): number {
    return this.sum((p) => p.totalCount);
  }

  get idleCount(): number {
    return this.sum((p) => p.idleCount);
  }

  get waitingCount(): number {
    return this.sum((p) => p.waitingCount);
  }

  /** Which credentials the live pool uses: 0 for those at creation, n for those of the n-th rotation seen. */
  get generation(): number {
    return this.live.id;
  }

  /** Pools that were swapped out and are still finishing their clients' work. */
  get drainingCount(): number {
    return this.retiring.size;
  }

  // --- rotation ---------------------------------------------------------------------------------

  private initialCredentials(): Credentials {
    const { user, password } = this.options.keys;
    const missing = [user, password].filter((key) => this.source.get(key) === undefined);
    if (missing.length > 0)
      throw new TypeError(
        `@vault-config/pg: ${missing.join(', ')} not loaded: create the pool after the manager has loaded, and map the key(s) in VAULT_DYNAMIC or the Vault path`,
      );
    return { user: this.source.get(user) as string, password: this.source.get(password) as string };
  }

  private open(credentials: Credentials): Generation {
    // Not enumerable: a debugger or a careless inspect of the generation does not show it.
    credentials = Object.defineProperty({ user: credentials.user } as Credentials, 'password', {
      value: credentials.password,
      enumerable: false,
    });
    const pool = new this.Pool({
      ...this.options.pool,
      user: credentials.user,
      password: credentials.password,
    });
    // An idle client whose session the server ended (its role dropped, a restart) must not crash the app.
    pool.on('error', (error, client) => {
      if (this.listenerCount('error') > 0) this.emit('error', error, client);
      else
        this.options.logger?.warn(
          `${this.options.name}: an idle connection failed (${describeDriverError(error).label}); it is replaced on demand`,
        );
    });
    for (const name of FORWARDED) pool.on(name, (...args: unknown[]) => this.emit(name, ...args));
    return { id: this.nextId, credentials, pool, holds: [] };
  }

  private rotated(event: SecretRotationEvent): void {
    const { user, password } = this.options.keys;
    if (this.ending || (!(user in event.values) && !(password in event.values))) return;
    // Keeps the credentials in use before this rotation alive: those of the newest pool built.
    const newest = this.candidate ?? this.live;
    newest.holds.push(event.retain());
    // A pool still being checked never took traffic: the newer credentials replace it.
    if (this.candidate) this.discard(this.candidate);
    clearTimeout(this.retryTimer);
    this.nextId += 1;
    this.candidate = this.open({
      user: event.values[user] ?? (this.source.get(user) as string),
      password: event.values[password] ?? (this.source.get(password) as string),
    });
    void this.tryCandidate(this.candidate, event.path);
  }

  private async tryCandidate(candidate: Generation, path: string): Promise<void> {
    try {
      await checkAndWarm(candidate.pool, this.warmCount(), this.options.check, this.options.checkTimeoutMs);
    } catch (error) {
      if (this.candidate === candidate) this.checkFailed(candidate, path, error);
      return;
    }
    if (this.candidate !== candidate) return;
    this.candidate = undefined;
    const old = this.live;
    this.live = candidate;
    if (this.failures > 0) this.source.reportConsumerError(this.options.name, null);
    this.failures = 0;
    this.info(
      `${this.options.name}: new credentials from ${path} checked and in use; the previous pool drains`,
    );
    // Draining starts before listeners run: one that throws cannot keep the old pool open.
    this.retire(old, Date.now());
    this.emit('swap', { generation: candidate.id, path, at: new Date().toISOString() } satisfies SwapEvent);
  }

  /** Keeps serving with the live pool; tries again on a fresh pool after a capped, doubling wait. */
  private checkFailed(candidate: Generation, path: string, error: unknown): void {
    this.failures += 1;
    const wait = Math.min(
      MAX_RETRY_DELAY_MS,
      this.options.retryDelayMs * 2 ** Math.min(this.failures - 1, 16),
    );
    const { label, sqlState } = describeDriverError(error);
    const keys = [this.options.keys.user, this.options.keys.password];
    const failure = new VaultPoolError(
      `the new credentials from ${path} (${keys.join(', ')}) failed the pool check (${label}); still serving with the previous credentials, retrying in ${Math.ceil(wait / 1000)} s`,
      { path, keys, attempts: this.failures, ...(sqlState ? { sqlState } : {}) },
    );
    this.options.logger?.warn(`${this.options.name}: ${failure.message}`);
    this.source.reportConsumerError(this.options.name, failure);
    // A pool whose connections hang is not reused: the retry starts from a fresh one.
    void candidate.pool.end().catch(() => undefined);
    const retry: Generation = {
      ...this.open(candidate.credentials),
      id: candidate.id,
      holds: candidate.holds,
    };
    this.candidate = retry;
    this.retryTimer = setTimeout(() => void this.tryCandidate(retry, path), wait);
    this.retryTimer.unref();
    if (this.listenerCount('checkFailed') > 0) this.emit('checkFailed', failure);
  }

  /** Drains `old` in the background, then gives back the leases that kept it working. */
  private retire(old: Generation, swappedAt: number): void {
    const done = drainPool(old.pool, this.options.drainTimeoutMs).then((drained) => {
      if (!drained)
        this.options.logger?.warn(
          `${this.options.name}: a retired pool still had clients checked out after ${this.options.drainTimeoutMs} ms; releasing its lease anyway`,
        );
      for (const release of old.holds.splice(0)) release();
      this.retiring.delete(old);
      this.emit('retired', {
        generation: old.id,
        drainMs: Date.now() - swappedAt,
        timedOut: !drained,
      } satisfies RetiredEvent);
    });
    this.retiring.set(old, done);
  }

  /** Drops a pool that never took traffic and gives back its lease. */
  private discard(generation: Generation): void {
    void generation.pool.end().catch(() => undefined);
    for (const release of generation.holds.splice(0)) release();
  }

  private async shutDown(): Promise<void> {
    this.subscription.unsubscribe();
    clearTimeout(this.retryTimer);
    if (this.candidate) this.discard(this.candidate);
    this.candidate = undefined;
    this.retire(this.live, Date.now());
    await Promise.all(this.retiring.values());
    if (this.failures > 0) this.source.reportConsumerError(this.options.name, null);
  }

  /** As many connections as the live pool has open (at least one, at most `max`), ready before the swap. */
  private warmCount(): number {
    const max = this.options.pool.max ?? 10;
    return Math.max(1, Math.min(max, this.options.warm ?? this.live.pool.totalCount));
  }

  private info(message: string): void {
    const logger = this.options.logger;
    if (logger?.info) logger.info(message);
    else logger?.log?.(message);
  }

  private sum(count: (pool: pg.Pool) => number): number {
    let total = count(this.live.pool);
    for (const generation of this.retiring.keys())
      if (generation !== this.live) total += count(generation.pool);
    return total;
  }
}

/**
 * A pool that follows rotated credentials of `manager` (loaded already): hand it to your code as you
 * would a `pg.Pool`.
 */
export function createVaultPgPool(manager: PoolSecretSource, options: VaultPgPoolOptions): VaultPgPool {
  return new VaultPgPool(manager, options);
}
