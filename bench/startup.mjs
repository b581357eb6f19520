/** 1. Start-up latency with L = 20 ms per request: ours vs the reference flow, for 1, 5 and 20 paths. */
import { rmSync } from 'node:fs';
import { VaultSecretManager } from '@vault-config/core';
import { AUTH_MOUNT, ROLE, benchVault } from './lib/vault.mjs';
import { median, printTable, round } from './lib/stats.mjs';
import { referenceLoad } from './reference-flow.mjs';

const L = 20;
const RUNS = 7;

export async function startupBench() {
  const results = [];
  for (const count of [1, 5, 20]) {
    const { server, paths, tokenPath, dir } = await benchVault({ paths: count });
    server.setLatency(L);
    const oursMs = [];
    const refMs = [];
    let oursRequests = 0;
    let refRequests = 0;
    for (let i = 0; i < RUNS; i++) {
      server.clearRequests();
      const env = {};
      const manager = new VaultSecretManager({
        address: server.address,
        role: ROLE,
        k8sAuthMountPoint: AUTH_MOUNT,
        path: paths,
        tokenPath,
        env,
        logger: false,
        revokeToken: false,
      });
      let t = performance.now();
      await manager.initialize();
      oursMs.push(performance.now() - t);
      oursRequests = server.requests.length;
      await manager.close();

      server.clearRequests();
      t = performance.now();
      await referenceLoad({
        address: server.address,
        role: ROLE,
        mount: AUTH_MOUNT,
        tokenPath,
        paths,
        env: {},
      });
      refMs.push(performance.now() - t);
      refRequests = server.requests.length;
    }
    await server.close();
    rmSync(dir, { recursive: true, force: true });
    const ours = median(oursMs);
    const ref = median(refMs);
    const target = count === 1 ? 2.5 : count === 20 ? 10 : null;
    results.push({
      paths: count,
      ours_ms: round(ours),
      ours_requests: oursRequests,
      reference_ms: round(ref),
      reference_requests: refRequests,
      speedup: round(ref / ours, 2),
      budget_ms: 2 * L + 10,
      met: ours <= 2 * L + 10 && (target === null || ref / ours >= target),
    });
  }
  printTable(`Start-up latency, L = ${L} ms per request (median of ${RUNS})`, results);
  return {
    name: 'startup-latency',
    inputs: { latencyMs: L, runs: RUNS, paths: [1, 5, 20] },
    targets: { oursMaxMs: 2 * L + 10, speedupAt1: 2.5, speedupAt20: 10 },
    rows: results,
    met: results.every((r) => r.met),
  };
}
