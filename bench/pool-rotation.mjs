/**
 * 6. Query latency across rotations: the same closed-loop load through @vault-config/pg's pool, once
 * with credentials that do not rotate during the run and once with a rotation about every 2 s.
 * Target: p99 with rotations within 1.2× of p99 without.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { VaultSecretManager } from '@vault-config/core';
import { createVaultPgPool } from '@vault-config/pg';
import { startVaultDevServer } from '@vault-config/testing';
import { AUTH_MOUNT, ROLE } from './lib/vault.mjs';
import { postgresAvailable, startPostgres } from '../scripts/lib/postgres-cluster.mjs';
import { median, printTable, round } from './lib/stats.mjs';

const DURATION_MS = 6_000;
/** Runs alternate steady / rotating this many times; medians are reported (the machine is shared). */
const PAIRS = 3;
const WORKERS = 8;
const POOL_MAX = 8;
const QUERY = 'SELECT current_user, now()';
const PATH = 'ACME/DEV/BENCH';

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function run(world, role) {
  const manager = new VaultSecretManager({
    env: {},
    address: world.server.address,
    role: ROLE,
    k8sAuthMountPoint: AUTH_MOUNT,
    path: PATH,
    tokenPath: world.tokenPath,
    dynamic: [{ path: `database/creds/${role}`, keys: { username: 'DB_USER', password: 'DB_PASSWORD' } }],
    logger: { warn: () => undefined, error: () => undefined },
  });
  await manager.initialize();
  const url = new URL(world.db.url);
  const pool = createVaultPgPool(manager, {
    keys: { user: 'DB_USER', password: 'DB_PASSWORD' },
    pool: { host: url.hostname, port: Number(url.port), database: 'postgres', max: POOL_MAX },
  });
  // Warm the pool so both runs start from open connections.
  await Promise.all(Array.from({ length: POOL_MAX }, () => pool.query('SELECT 1')));
  let swaps = 0;
  pool.on('swap', () => (swaps += 1));
  const latencies = [];
  let failures = 0;
  const end = performance.now() + DURATION_MS;
  await Promise.all(
    Array.from({ length: WORKERS }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        try {
          await pool.query(QUERY);
          latencies.push(performance.now() - t);
        } catch {
          failures += 1;
        }
      }
    }),
  );
  await pool.end();
  await manager.close();
  latencies.sort((a, b) => a - b);
  return {
    queries: latencies.length,
    failures,
    swaps,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies.at(-1),
  };
}

export async function poolRotationBench() {
  if (!postgresAvailable()) {
    console.log('\npool-rotation: skipped (PostgreSQL is not installed)');
    return { name: 'pool-rotation', skipped: true, met: true };
  }
  const db = await startPostgres();
  const server = await startVaultDevServer({ databaseUrl: db.url });
  const dir = mkdtempSync(join(tmpdir(), 'vault-bench-pool-'));
  try {
    server.writePolicy(
      'myapp-dev-read',
      [
        'path "kv/data/ACME/*" { capabilities = ["read"] }',
        'path "database/creds/*" { capabilities = ["read"] }',
        'path "sys/leases/*" { capabilities = ["update"] }',
      ].join('\n'),
    );
    server.enableKubernetesAuth(AUTH_MOUNT);
    server.writeKubernetesRole(AUTH_MOUNT, ROLE, {
      bound_service_account_names: ['vault-auth-dev-myapp'],
      bound_service_account_namespaces: ['myapp'],
      token_policies: ['myapp-dev-read'],
      token_ttl: 3600,
    });
    server.writeSecret('kv', PATH, { APP: 'bench' });
    const tokenPath = server.writeServiceAccountTokenFile(join(dir, 'token'), {
      namespace: 'myapp',
      serviceAccount: 'vault-auth-dev-myapp',
    });
    const world = { server, db, tokenPath };
    server.configureDatabaseRole('steady', { default_ttl: 600, max_ttl: 1200 });
    // Renewed once, then capped by max_ttl: replaced about every 2 s.
    server.configureDatabaseRole('rotating', { default_ttl: 2, max_ttl: 3 });
    const runs = [];
    for (let i = 0; i < PAIRS; i++) {
      runs.push({ label: 'no rotation', ...(await run(world, 'steady')) });
      runs.push({ label: 'rotating', ...(await run(world, 'rotating')) });
    }
    const pick = (label) => runs.filter((r) => r.label === label);
    const summary = (label) => {
      const rs = pick(label);
      return {
        label: `${label}: all ${PAIRS}`,
        queries: rs.reduce((n, r) => n + r.queries, 0),
        failures: rs.reduce((n, r) => n + r.failures, 0),
        swaps: rs.reduce((n, r) => n + r.swaps, 0),
        p50: median(rs.map((r) => r.p50)),
        p99: median(rs.map((r) => r.p99)),
        max: Math.max(...rs.map((r) => r.max)),
      };
    };
    const steady = summary('no rotation');
    const rotating = summary('rotating');
    const ratio = rotating.p99 / steady.p99;
    const rows = [...runs, steady, rotating].map((r) => ({
      run: r.label,
      queries: r.queries,
      failed: r.failures,
      swaps: r.swaps,
      'p50 ms': round(r.p50, 2),
      'p99 ms': round(r.p99, 2),
      'max ms': round(r.max, 1),
    }));
    printTable(
      `Query latency through @vault-config/pg, ${WORKERS} workers, ${PAIRS} × ${DURATION_MS / 1000} s each way (target: median p99 ≤ 1.2× without rotation)`,
      rows,
    );
    console.log(
      `"all" rows: queries, failures and swaps summed, p50/p99 the median of the runs, max the highest.`,
    );
    console.log(`p99 ratio rotating / steady (medians): ${round(ratio, 2)}`);
    return {
      name: 'pool-rotation',
      steady,
      rotating,
      runs,
      p99Ratio: ratio,
      met: ratio <= 1.2 && rotating.failures === 0 && rotating.swaps >= PAIRS * 2,
    };
  } finally {
    await server.close();
    await db.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await poolRotationBench();
