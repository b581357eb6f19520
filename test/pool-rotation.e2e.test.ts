/**
 * The pg pool through real rotations: the dev server's database engine issues short-lived roles in
 * a real PostgreSQL, the core rotates them, and @vault-config/pg swaps its pool each time while four
 * query workers and two long-transaction workers run without pause. No query may fail; each old role
 * may be dropped only after its pool has drained; after close nothing is left: no pool, no session,
 * no role, no lease.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VaultSecretManager } from '@vault-config/core';
import { createVaultPgPool, type RetiredEvent, type VaultPgPool } from '@vault-config/pg';
import { loadSeedFile, startVaultDevServer, type VaultDevServer } from '@vault-config/testing';
import { skipWithoutPostgres, startTestPostgres, type TestPostgres } from './support/postgres';

const SEED = new URL('../packages/testing/seed.example.json', import.meta.url).pathname;
const ROTATIONS = 5;
/** A transaction this long spans a swap whenever one happens while it runs. */
const TX_SLEEP_S = 0.3;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Samples pg_roles and pg_stat_activity: when each role was last seen with sessions, when it vanished. */
function watchRoles(admin: pg.Pool, users: () => string[]) {
  const lastActiveAt = new Map<string, number>();
  const droppedAt = new Map<string, number>();
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const names = [...users()];
      const at = Date.now();
      const roles = await admin.query<{ rolname: string }>(
        'SELECT rolname FROM pg_roles WHERE rolname = ANY($1)',
        [names],
      );
      const active = await admin.query<{ usename: string }>(
        'SELECT DISTINCT usename FROM pg_stat_activity WHERE usename = ANY($1)',
        [names],
      );
      const present = new Set(roles.rows.map((r) => r.rolname));
      for (const name of names) if (!present.has(name) && !droppedAt.has(name)) droppedAt.set(name, at);
      for (const { usename } of active.rows) lastActiveAt.set(usename, at);
      await sleep(20);
    }
  })();
  return {
    lastActiveAt,
    droppedAt,
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

describe.skipIf(skipWithoutPostgres())('pg pool through rotations of dynamic credentials', () => {
  let db: TestPostgres;
  let vault: VaultDevServer;
  let admin: pg.Pool;
  let dir: string;

  beforeAll(async () => {
    db = await startTestPostgres();
    admin = new pg.Pool({ connectionString: db.url, max: 2 });
    vault = await startVaultDevServer({ seed: loadSeedFile(SEED), databaseUrl: db.url });
    // Renewed once, capped by max_ttl, replaced ahead of expiry: a rotation about every 4.5 s, with
    // about a second of the old lease left for its pool to drain.
    vault.configureDatabaseRole('app', { default_ttl: 4, max_ttl: 6 });
    vault.writePolicy(
      'myapp-dev-read',
      [
        'path "kv/data/ACME/DEV/MYAPP" { capabilities = ["read"] }',
        'path "database/creds/app" { capabilities = ["read"] }',
        'path "sys/leases/*" { capabilities = ["update"] }',
      ].join('\n'),
    );
    dir = mkdtempSync(join(tmpdir(), 'vault-pool-rotation-'));
  }, 60_000);

  afterAll(async () => {
    await admin?.end();
    await vault?.close();
    await db?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it(`serves continuous queries through ${ROTATIONS} rotations with zero failures`, async () => {
    const manager = new VaultSecretManager({
      env: {},
      address: vault.address,
      role: 'dev-myapp',
      k8sAuthMountPoint: 'kubernetes-dev-myapp',
      path: 'ACME/DEV/MYAPP',
      tokenPath: vault.writeServiceAccountTokenFile(join(dir, 'token'), {
        namespace: 'myapp',
        serviceAccount: 'vault-auth-dev-myapp',
      }),
      dynamic: [{ path: 'database/creds/app', keys: { username: 'DB_USER', password: 'DB_PASSWORD' } }],
      logger: { warn: () => undefined, error: () => undefined },
    });
    await manager.initialize();
    // users[n]: the role of generation n (the n-th rotation's credentials).
    const users = [manager.get('DB_USER') as string];
    manager.rotations$.subscribe((event) => users.push(event.values.DB_USER as string));

    const url = new URL(db.url);
    const pool: VaultPgPool = createVaultPgPool(manager, {
      keys: { user: 'DB_USER', password: 'DB_PASSWORD' },
      pool: { host: url.hostname, port: Number(url.port), database: 'postgres', max: 6 },
    });
    const retired = new Map<number, number>();
    const timedOut: number[] = [];
    pool.on('retired', (event: RetiredEvent) => {
      if (event.timedOut) timedOut.push(event.generation);
      retired.set(event.generation, Date.now());
    });
    const idleErrors: unknown[] = [];
    pool.on('error', (error) => idleErrors.push(error));
    const roles = watchRoles(admin, () => users);
    try {
      const failures: string[] = [];
      let queries = 0;
      let spanning = 0;
      let running = true;
      const queryWorker = async () => {
        while (running) {
          try {
            const { rows } = await pool.query<{ u: string }>('SELECT current_user AS u, pg_sleep(0.005)');
            if (!users.includes(rows[0]?.u as string)) failures.push('query ran as an unknown role');
            queries += 1;
          } catch (error) {
            failures.push(`query: ${(error as Error).message}`);
          }
        }
      };
      const transactionWorker = async () => {
        while (running) {
          try {
            const client = await pool.connect();
            const before = pool.generation;
            try {
              await client.query('BEGIN');
              await client.query('SELECT pg_sleep($1)', [TX_SLEEP_S]);
              const { rows } = await client.query<{ u: string }>('SELECT current_user AS u');
              await client.query('COMMIT');
              if (rows[0]?.u !== users[before]) failures.push('a transaction changed role mid-way');
              if (pool.generation !== before) spanning += 1;
              queries += 1;
            } finally {
              client.release();
            }
          } catch (error) {
            failures.push(`transaction: ${(error as Error).message}`);
          }
        }
      };
      const workers = [
        ...Array.from({ length: 4 }, queryWorker),
        ...Array.from({ length: 2 }, transactionWorker),
      ];

      const deadline = Date.now() + 32_000;
      while (pool.generation < ROTATIONS && Date.now() < deadline) await sleep(50);
      running = false;
      await Promise.all(workers);
      expect(pool.generation, 'rotations applied before the deadline').toBeGreaterThanOrEqual(ROTATIONS);
      expect(failures).toEqual([]);
      expect(idleErrors).toEqual([]);
      expect(timedOut, 'pools that did not drain in time').toEqual([]);
      expect(queries).toBeGreaterThan(200);
      // Long transactions were open across swaps, and finished on the credentials they started with.
      expect(spanning).toBeGreaterThanOrEqual(ROTATIONS - 1);

      // Each retired generation's role is dropped (the manager revoked its lease on release), and only
      // after its pool drained: no session of it survived the drain, none was cut off.
      const old = Array.from({ length: ROTATIONS }, (_, g) => g);
      const until = Date.now() + 5_000;
      while (old.some((g) => !roles.droppedAt.has(users[g] as string)) && Date.now() < until) await sleep(50);
      for (const g of old) {
        const user = users[g] as string;
        const drained = retired.get(g);
        const dropped = roles.droppedAt.get(user);
        expect(drained, `generation ${g} drained`).toBeDefined();
        expect(dropped, `generation ${g}'s role dropped`).toBeDefined();
        expect(dropped as number, `generation ${g}: dropped after its pool drained`).toBeGreaterThanOrEqual(
          drained as number,
        );
        expect(roles.lastActiveAt.get(user) ?? 0, `generation ${g}: no session after the drop`).toBeLessThan(
          dropped as number,
        );
        // Released means revoked now, not after a grace period or at expiry.
        expect((dropped as number) - (drained as number), `generation ${g}: revoked on release`).toBeLessThan(
          1_500,
        );
      }

      // Close: the pool first (as the framework glue does), then the manager; nothing is left.
      await pool.end();
      expect(pool.totalCount).toBe(0);
      expect(pool.drainingCount).toBe(0);
      await manager.close();
    } finally {
      await roles.stop();
      // Idempotent: only does something when an assertion above failed.
      await pool.end();
      await manager.close();
    }
    const sessions = await admin.query(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename LIKE 'v-%'",
    );
    expect(sessions.rows[0].n).toBe(0);
    const left = await admin.query("SELECT count(*)::int AS n FROM pg_roles WHERE rolname LIKE 'v-%'");
    expect(left.rows[0].n).toBe(0);
    const issued = vault.requests.filter(
      (r) => r.path.startsWith('/v1/database/creds/app') && r.status === 200,
    );
    const revoked = vault.requests.filter(
      (r) => r.path.startsWith('/v1/sys/leases/revoke') && r.status === 204,
    );
    expect(issued.length).toBe(users.length);
    expect(revoked.length).toBe(users.length);
  }, 60_000);
});
