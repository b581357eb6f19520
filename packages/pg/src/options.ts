import type { PoolConfig } from 'pg';
import type pg from 'pg';
import type { VaultLogger } from '@vault-config/core';

export interface VaultPgPoolOptions {
  /** Names of the secrets holding the database credentials, e.g. `{ user: 'DB_USER', password: 'DB_PASSWORD' }`. */
  keys: { user: string; password: string };
  /** Everything else `pg.Pool` takes (host, port, database, max, ssl…); user and password come from Vault. */
  pool?: Omit<PoolConfig, 'user' | 'password'>;
  /** Run on a new pool before it takes traffic. Default `SELECT 1`. */
  check?: string;
  /**
   * Connections opened and checked on the new pool before it takes traffic. Default: as many as the
   * live pool has open, so the swap costs no login latency; during a swap up to twice `max` are open.
   */
  warm?: number;
  /** Bound on that check, ms. Default 5000. */
  checkTimeoutMs?: number;
  /**
   * Longest wait for a retired pool's checked-out clients (open transactions) before its lease is
   * released anyway, ms. Default 300000 (5 min). Vault drops the old role at its own expiry regardless.
   */
  drainTimeoutMs?: number;
  /** First retry of a failed check, ms; doubles up to 60 s. Default 1000. */
  retryDelayMs?: number;
  /** Name shown in the manager's status when a check fails. Default `pg pool`. */
  name?: string;
  /** Where rotations and idle-client errors are reported (names and codes only). Default: nowhere. */
  logger?: VaultLogger;
  /** The pool class, e.g. from `pg` with native bindings. Default: `pg.Pool`. */
  Pool?: typeof pg.Pool;
}

export interface ResolvedPoolOptions {
  keys: { user: string; password: string };
  pool: Omit<PoolConfig, 'user' | 'password'>;
  check: string;
  warm: number | undefined;
  checkTimeoutMs: number;
  drainTimeoutMs: number;
  retryDelayMs: number;
  name: string;
  logger: VaultLogger | undefined;
}

/** Failed checks are retried at least this often. */
export const MAX_RETRY_DELAY_MS = 60_000;

function positive(
  value: number | undefined,
  fallback: number,
  setting: string,
  floor: number,
  unit = 'milliseconds',
): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < floor)
    throw new TypeError(`@vault-config/pg: ${setting} must be a number of ${unit} ≥ ${floor} (got ${value})`);
  return value;
}

export function resolvePoolOptions(options: VaultPgPoolOptions): ResolvedPoolOptions {
  const keys = options?.keys;
  if (
    !keys ||
    typeof keys.user !== 'string' ||
    typeof keys.password !== 'string' ||
    !keys.user ||
    !keys.password
  )
    throw new TypeError(
      "@vault-config/pg: keys must name the secrets with the credentials, e.g. { user: 'DB_USER', password: 'DB_PASSWORD' }",
    );
  const pool = { ...(options.pool ?? {}) } as PoolConfig;
  if ('user' in pool || 'password' in pool || 'connectionString' in pool)
    throw new TypeError(
      '@vault-config/pg: pool must not set user, password or connectionString: they come from Vault (set host, port and database instead)',
    );
  return {
    keys: { user: keys.user, password: keys.password },
    pool,
    check: options.check ?? 'SELECT 1',
    warm:
      options.warm === undefined
        ? undefined
        : Math.floor(positive(options.warm, 1, 'warm', 1, 'connections')),
    checkTimeoutMs: positive(options.checkTimeoutMs, 5_000, 'checkTimeoutMs', 100),
    drainTimeoutMs: positive(options.drainTimeoutMs, 300_000, 'drainTimeoutMs', 100),
    retryDelayMs: positive(options.retryDelayMs, 1_000, 'retryDelayMs', 100),
    name: options.name ?? 'pg pool',
    logger: options.logger,
  };
}
