/**
 * 4. A fleet starting at once: 1,000 clients start within one second against a dev server limited to
 * 500 requests/s (429 + Retry-After beyond). Ours vs the reference retry policy (3 attempts, fixed delay).
 */
import { rmSync } from 'node:fs';
import { VaultSecretManager } from '@vault-config/core';
import { AUTH_MOUNT, ROLE, benchVault } from './lib/vault.mjs';
import { printTable, round } from './lib/stats.mjs';
import { referenceLoad, withFixedRetries } from './reference-flow.mjs';

const CLIENTS = 1000;
const RPS = 500;

async function fleet(start) {
  const { server, paths, tokenPath, dir } = await benchVault({ paths: 1 });
  server.setRateLimit(RPS);
  const t0 = performance.now();
  const outcomes = await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      await new Promise((r) => setTimeout(r, Math.random() * 1000));
      try {
        await start({ address: server.address, paths, tokenPath });
        return performance.now() - t0;
      } catch {
        return null;
      }
    }),
  );
  const requests = server.requests.length;
  await server.close();
  rmSync(dir, { recursive: true, force: true });
  const ready = outcomes.filter((o) => o !== null);
  return {
    failed: CLIENTS - ready.length,
    requests,
    allReadyS: ready.length ? Math.max(...ready) / 1000 : null,
  };
}

export async function fleetBench() {
  const ours = await fleet(async ({ address, paths, tokenPath }) => {
    const m = new VaultSecretManager({
      address,
      role: ROLE,
      k8sAuthMountPoint: AUTH_MOUNT,
      path: paths,
      tokenPath,
      env: {},
      logger: false,
      revokeToken: false,
      maxRetries: 10,
      retryDelay: 0.5,
      startupTimeout: 30,
    });
    try {
      await m.initialize();
    } finally {
      await m.close();
    }
  });
  const reference = await fleet(({ address, paths, tokenPath }) =>
    withFixedRetries(
      () => referenceLoad({ address, role: ROLE, mount: AUTH_MOUNT, tokenPath, paths, env: {} }),
      {
        attempts: 3,
        delayMs: 5000,
      },
    ),
  );
  const minimum = CLIENTS * 2;
  const ideal = minimum / RPS;
  printTable(`Fleet: ${CLIENTS} clients starting within 1 s, Vault limited to ${RPS} requests/s`, [
    {
      policy: 'ours',
      failed: ours.failed,
      requests: ours.requests,
      'x minimum': round(ours.requests / minimum, 2),
      all_ready_s: round(ours.allReadyS ?? NaN, 2),
    },
    {
      policy: 'reference (3 attempts, 5 s fixed)',
      failed: reference.failed,
      requests: reference.requests,
      'x minimum': round(reference.requests / minimum, 2),
      all_ready_s: round(reference.allReadyS ?? NaN, 2),
    },
  ]);
  return {
    name: 'fleet-start',
    inputs: { clients: CLIENTS, rateLimitRps: RPS, minimumRequests: minimum, idealSeconds: ideal },
    ours,
    baseline: reference,
    ratio: {
      requestsOverMinimum: round(ours.requests / minimum, 3),
      readyOverIdeal: round((ours.allReadyS ?? Infinity) / ideal, 3),
    },
    targets: { failed: 0, requestsOverMinimumMax: 1.3, readyOverIdealMax: 1.5 },
    met: ours.failed === 0 && ours.requests <= 1.3 * minimum && (ours.allReadyS ?? Infinity) <= 1.5 * ideal,
  };
}
