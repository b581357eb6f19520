/**
 * The pool against a real PostgreSQL, driven by a rotation source we control: what it retains and
 * releases, when it swaps, what a failed check does, and that nothing fails during a swap.
 */
import { inspect } from 'node:util';
import pg from 'pg';
import { Subject } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isReady, type SecretRotationEvent, type VaultLastError } from '@vault-config/core';
import { createVaultPgPool, VaultPoolError, type RetiredEvent, type VaultPgPool } from '../src';
import { skipWithoutPostgres, startTestPostgres, type TestPostgres } from '../../../test/support/postgres';

let db: TestPostgres;
let admin: pg.Pool;
let roleCount = 0;

/** A login role of our own, as the database engine would create one. */
async function newRole(): Promise<{ DB_USER: string; DB_PASSWORD: string }> {
  roleCount += 1;
  const user = `pool_test_${roleCount}`;
  const password = `pw-${roleCount}-${Math.random().toString(36).slice(2)}`;
  await admin.query(`CREATE ROLE ${user} LOGIN PASSWORD '${password}'`);
  return { DB_USER: user, DB_PASSWORD: password };
}

/** Stands in for the manager: secrets, a rotation stream, and what the pool reports. */
function source(initial: Record<string, string>) {
  const values = { ...initial };
  const rotations = new Subject<SecretRotationEvent>();
  const reports: Array<{ consumer: string; error: VaultLastError | unknown }> = [];
  const holds = { retained: 0, released: 0 };
  return {
    holds,
    reports,
    get: (key: string) => values[key],
    rotations$: rotations.asObservable(),
    reportConsumerError: (consumer: string, error: unknown) => void reports.push({ consumer, error }),
    /** Publishes new credentials; resolves with the release count of this rotation's retain. */
    rotate(next: Record<string, string>) {
      Object.assign(values, next);
      let released = false;
      rotations.next({
        path: 'database/creds/app',
        keys: Object.keys(next),
        values: Object.freeze({ ...next }),
        at: new Date().toISOString(),
        retain: () => {
          holds.retained += 1;
          return () => {
            if (released) return;
            released = true;
            holds.released += 1;
          };
        },
      });
      return {
        get released() {
          return released;
        },
      };
    },
  };
}

const until = async (check: () => boolean, ms: number, what: string) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};
const currentUser = async (pool: VaultPgPool) =>
  (await pool.query<{ u: string }>('SELECT current_user AS u')).rows[0]?.u;

describe.skipIf(skipWithoutPostgres())('VaultPgPool', () => {
  let pool: VaultPgPool | undefined;
  let poolConfig: pg.PoolConfig;

  beforeAll(async () => {
    db = await startTestPostgres();
    admin = new pg.Pool({ connectionString: db.url, max: 2 });
    const url = new URL(db.url);
    poolConfig = { host: url.hostname, port: Number(url.port), database: 'postgres', max: 4 };
  }, 60_000);
  afterEach(async () => {
    await pool?.end();
    pool = undefined;
  });
  afterAll(async () => {
    await admin?.end();
    await db?.stop();
  }, 30_000);

  it('swaps to the new credentials, keeps the old lease until a checked-out client is back', async () => {
    const first = await newRole();
    const s = source(first);
    pool = createVaultPgPool(s, { keys: { user: 'DB_USER', password: 'DB_PASSWORD' }, pool: poolConfig });
    expect(await currentUser(pool)).toBe(first.DB_USER);

    const client = await pool.connect();
    await client.query('BEGIN');
    const second = await newRole();
    const retired: RetiredEvent[] = [];
    pool.on('retired', (e: RetiredEvent) => retired.push(e));
    const rotation = s.rotate(second);
    expect(s.holds.retained).toBe(1);
    await until(() => pool?.generation === 1, 5_000, 'the swap');
    expect(await currentUser(pool)).toBe(second.DB_USER);

    // The transaction that spans the swap still works, and the old lease is still held for it.
    await new Promise((r) => setTimeout(r, 100));
    expect(rotation.released).toBe(false);
    expect(pool.drainingCount).toBe(1);
    expect((await client.query<{ u: string }>('SELECT current_user AS u')).rows[0]?.u).toBe(first.DB_USER);
    await client.query('COMMIT');
    client.release();
    await until(() => rotation.released, 5_000, 'the release of the old lease');
    expect(retired).toEqual([{ generation: 0, drainMs: expect.any(Number), timedOut: false }]);
    expect(pool.drainingCount).toBe(0);
    const { rows } = await admin.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = $1', [
      first.DB_USER,
    ]);
    expect(rows[0].n).toBe(0);
    expect(s.reports).toEqual([]);
  });

  it('the new pool logs in as many connections as the live one has before it takes traffic', async () => {
    const s = source(await newRole());
    pool = createVaultPgPool(s, { keys: { user: 'DB_USER', password: 'DB_PASSWORD' }, pool: poolConfig });
    await Promise.all(Array.from({ length: 3 }, () => pool!.query('SELECT pg_sleep(0.05)')));
    const second = await newRole();
    const atSwap: number[] = [];
    pool.on('swap', () => atSwap.push(pool!.idleCount));
    s.rotate(second);
    await until(() => pool?.generation === 1, 5_000, 'the swap');
    const sessions = await admin.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = $1', [
      second.DB_USER,
    ]);
    expect(sessions.rows[0].n).toBe(3);
    // Counted over the live pool and the one draining: at least the three warm ones are idle.
    expect(atSwap[0]).toBeGreaterThanOrEqual(3);
  });

  it('queries queued on the old pool when it is swapped out still complete', async () => {
    const s = source(await newRole());
    pool = createVaultPgPool(s, {
      keys: { user: 'DB_USER', password: 'DB_PASSWORD' },
      pool: { ...poolConfig, max: 1 },
    });
    // One connection, ten queries: nine wait in the old pool's queue while it is swapped out.
    const queued = Array.from({ length: 10 }, () => pool!.query('SELECT pg_sleep(0.02)'));
    s.rotate(await newRole());
    await until(() => pool?.generation === 1, 5_000, 'the swap');
    await expect(Promise.all(queued)).resolves.toHaveLength(10);
    await until(() => s.holds.released === 1, 5_000, 'the release');
  });

  it('a failed check keeps the old pool, reports a VaultPoolError without the role name, retries, recovers', async () => {
    const first = await newRole();
    const s = source(first);
    const failures: VaultPoolError[] = [];
    pool = createVaultPgPool(s, {
      keys: { user: 'DB_USER', password: 'DB_PASSWORD' },
      pool: poolConfig,
      retryDelayMs: 200,
      name: 'orders db',
    });
    pool.on('checkFailed', (e: VaultPoolError) => failures.push(e));
    const second = await newRole();
    await admin.query(`ALTER ROLE ${second.DB_USER} NOLOGIN`);
    const rotation = s.rotate(second);
    await until(() => failures.length >= 1, 5_000, 'a failed check');
    const failure = failures[0] as VaultPoolError;
    expect(failure).toBeInstanceOf(VaultPoolError);
    expect(failure).toMatchObject({
      code: 'VAULT_POOL_CHECK_FAILED',
      sqlState: '28000',
      path: 'database/creds/app',
    });
    expect(failure.message).toContain('DB_USER, DB_PASSWORD');
    expect(failure.message).not.toContain(second.DB_USER);
    expect(failure.message).not.toContain(second.DB_PASSWORD);
    expect(s.reports[0]).toEqual({ consumer: 'orders db', error: failure });
    // Still served, by the old credentials, whose lease is still retained.
    expect(await currentUser(pool)).toBe(first.DB_USER);
    expect(pool.generation).toBe(0);
    expect(rotation.released).toBe(false);

    await admin.query(`ALTER ROLE ${second.DB_USER} LOGIN`);
    await until(() => pool?.generation === 1, 5_000, 'the swap after the retry');
    expect(await currentUser(pool)).toBe(second.DB_USER);
    expect(s.reports.at(-1)).toEqual({ consumer: 'orders db', error: null });
    await until(() => rotation.released, 5_000, 'the release');
  });

  it('newer credentials replace a pool still failing its check; its lease is given back at once', async () => {
    const first = await newRole();
    const s = source(first);
    pool = createVaultPgPool(s, {
      keys: { user: 'DB_USER', password: 'DB_PASSWORD' },
      pool: poolConfig,
      retryDelayMs: 5_000,
    });
    const broken = await newRole();
    await admin.query(`ALTER ROLE ${broken.DB_USER} NOLOGIN`);
    const toBroken = s.rotate(broken);
    await until(() => s.reports.length === 1, 5_000, 'a failed check');
    const third = await newRole();
    const toThird = s.rotate(third);
    // The second rotation retained the broken credentials' lease: nobody uses them, released at once.
    expect(toThird.released).toBe(true);
    // Generation 2: the third credentials seen; the broken ones (1) never went live.
    await until(() => pool?.generation === 2, 5_000, 'the swap');
    expect(await currentUser(pool)).toBe(third.DB_USER);
    await until(() => toBroken.released, 5_000, 'the first lease released after the drain');
    expect(s.reports.at(-1)).toEqual({ consumer: 'pg pool', error: null });
  });

  it('end() drains every pool, releases what it retained and stops following rotations', async () => {
    const s = source(await newRole());
    pool = createVaultPgPool(s, { keys: { user: 'DB_USER', password: 'DB_PASSWORD' }, pool: poolConfig });
    const client = await pool.connect();
    const rotation = s.rotate(await newRole());
    await until(() => pool?.generation === 1, 5_000, 'the swap');
    await pool.query('SELECT 1');
    const ending = pool.end();
    expect(pool.end()).toBe(ending);
    await new Promise((r) => setTimeout(r, 50));
    expect(rotation.released).toBe(false);
    client.release();
    await ending;
    expect(rotation.released).toBe(true);
    expect(pool.totalCount).toBe(0);
    s.rotate(await newRole());
    expect(s.holds.retained).toBe(1);
    await expect(pool.query('SELECT 1')).rejects.toThrow(/after calling end/);
  });

  it('an idle connection ended by the server is reported, never thrown', async () => {
    const first = await newRole();
    const s = source(first);
    const warnings: string[] = [];
    pool = createVaultPgPool(s, {
      keys: { user: 'DB_USER', password: 'DB_PASSWORD' },
      pool: poolConfig,
      logger: { warn: (m) => warnings.push(m), error: (m) => warnings.push(m) },
    });
    await pool.query('SELECT 1');
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [
      first.DB_USER,
    ]);
    await until(() => warnings.length > 0, 5_000, 'the warning');
    expect(warnings[0]).toMatch(/pg pool: an idle connection failed \(SQLSTATE 57P01\)/);
    expect(warnings.join()).not.toContain(first.DB_USER);
    expect(await currentUser(pool)).toBe(first.DB_USER);
  });

  it('printing or JSON-encoding the pool shows counters, never the credentials', async () => {
    const first = await newRole();
    const s = source(first);
    pool = createVaultPgPool(s, { keys: { user: 'DB_USER', password: 'DB_PASSWORD' }, pool: poolConfig });
    await pool.query('SELECT 1');
    const second = await newRole();
    s.rotate(second);
    await until(() => pool?.generation === 1, 5_000, 'the swap');
    const shown = [inspect(pool, { depth: 10 }), JSON.stringify(pool), inspect({ pool }, { depth: 10 })].join(
      '\n',
    );
    expect(shown).toContain('generation: 1');
    for (const secret of [first.DB_PASSWORD, second.DB_PASSWORD]) expect(shown).not.toContain(secret);
  });

  it('refuses options that would bypass Vault, and names missing keys', async () => {
    const s = source(await newRole());
    expect(() =>
      createVaultPgPool(s, {
        keys: { user: 'DB_USER', password: 'DB_PASSWORD' },
        pool: { password: 'x' } as pg.PoolConfig,
      }),
    ).toThrow(/pool must not set user, password or connectionString/);
    expect(() => createVaultPgPool(s, { keys: { user: 'DB_USER' } as never })).toThrow(
      /keys must name the secrets/,
    );
    expect(() => createVaultPgPool(s, { keys: { user: 'PG_USER', password: 'DB_PASSWORD' } })).toThrow(
      /PG_USER not loaded/,
    );
    expect(() =>
      createVaultPgPool(s, { keys: { user: 'DB_USER', password: 'DB_PASSWORD' }, drainTimeoutMs: 0 }),
    ).toThrow(/drainTimeoutMs must be a number of milliseconds/);
  });
});

describe('readiness while a check fails', () => {
  it('a degraded state is still ready', () => {
    expect(isReady({ state: 'degraded' })).toBe(true);
  });
});
