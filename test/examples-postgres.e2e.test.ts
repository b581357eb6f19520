/**
 * Both example apps against a real PostgreSQL with dynamic credentials from the dev server's database
 * engine: through at least three rotations a client queries continuously, no query fails, and the
 * roles of revoked leases are gone from pg_roles. Fastify's `app.pg` and Nest's injected pool are
 * @vault-config/pg's.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSeedFile, startVaultDevServer, type VaultDevServer } from '@vault-config/testing';
import { appEntry, type AppName } from './support/fault-apps';
import { skipWithoutPostgres, startTestPostgres, type TestPostgres } from './support/postgres';

const SEED = new URL('../packages/testing/seed.example.json', import.meta.url).pathname;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

const APPS: AppName[] = ['fastify-example', 'nest-example'];

describe.skipIf(skipWithoutPostgres()).each(APPS)('%s with dynamic PostgreSQL credentials', (app) => {
  let db: TestPostgres;
  let vault: VaultDevServer;
  let dir: string;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    db = await startTestPostgres();
    vault = await startVaultDevServer({ seed: loadSeedFile(SEED), databaseUrl: db.url });
    vault.configureDatabaseRole('app', { default_ttl: 2, max_ttl: 3 });
    vault.writePolicy(
      'myapp-dev-read',
      [
        'path "kv/data/ACME/DEV/MYAPP" { capabilities = ["read"] }',
        'path "database/creds/app" { capabilities = ["read"] }',
        'path "sys/leases/revoke" { capabilities = ["update"] }',
      ].join('\n'),
    );
    dir = mkdtempSync(join(tmpdir(), 'vault-pg-e2e-'));
  }, 60_000);

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await vault?.close();
    await db?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('serves queries through three rotations with zero failures; old roles are dropped', async () => {
    const tokenPath = vault.writeServiceAccountTokenFile(join(dir, 'token'), {
      namespace: 'myapp',
      serviceAccount: 'vault-auth-dev-myapp',
    });
    const url = new URL(db.url);
    const port = await freePort();
    child = spawn(process.execPath, [appEntry(app)], {
      env: {
        PATH: process.env.PATH,
        HOST: '127.0.0.1',
        PORT: String(port),
        VAULT_ADDR: vault.address,
        VAULT_ROLE: 'dev-myapp',
        VAULT_PATH: 'ACME/DEV/MYAPP',
        VAULT_K8S_AUTH_MOUNT_POINT: 'kubernetes-dev-myapp',
        VAULT_K8S_TOKEN_PATH: tokenPath,
        VAULT_DYNAMIC: JSON.stringify([
          { path: 'database/creds/app', keys: { username: 'DB_USER', password: 'DB_PASSWORD' } },
        ]),
        PGHOST: url.hostname,
        PGPORT: url.port,
        PGDATABASE: 'postgres',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));

    const base = `http://127.0.0.1:${port}`;
    const bootEnd = Date.now() + 15_000;
    while (Date.now() < bootEnd) {
      const ok = await fetch(`${base}/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      await new Promise((r) => setTimeout(r, 100));
    }

    const users: string[] = [];
    let queries = 0;
    const failures: string[] = [];
    const end = Date.now() + 25_000;
    // Keep querying until three rotations have been served (four distinct roles).
    while (Date.now() < end && new Set(users).size < 4) {
      try {
        const res = await fetch(`${base}/db/now`, { signal: AbortSignal.timeout(5_000) });
        const body = (await res.json()) as { user?: string; message?: string };
        queries += 1;
        if (res.status !== 200 || !body.user) failures.push(`${res.status} ${body.message ?? ''}`);
        else if (users.at(-1) !== body.user) users.push(body.user);
      } catch (error) {
        failures.push(String(error));
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(failures, output).toEqual([]);
    // vault: database-creds, lease-renew
    expect(new Set(users).size, output).toBeGreaterThanOrEqual(4);
    expect(queries).toBeGreaterThan(50);

    // Old leases are revoked once their pool has drained (the example's app.pg retains them until then).
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    try {
      const old = users.slice(0, -2);
      const gone = Date.now() + 10_000;
      let remaining: string[] = old;
      while (Date.now() < gone) {
        const { rows } = await admin.query<{ rolname: string }>(
          'SELECT rolname FROM pg_roles WHERE rolname = ANY($1)',
          [old],
        );
        remaining = rows.map((r) => r.rolname);
        if (remaining.length === 0) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      // vault: lease-revoke, database-revoke-drops-role
      expect(remaining, output).toEqual([]);
    } finally {
      await admin.end();
    }
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => child?.once('exit', r));
    expect(code, output).toBe(0);
  }, 90_000);
});
