/**
 * 1. Cold start-up as a pod sees it: each client in a fresh process, behind a proxy that adds
 * L ms to every request, 1 and 5 paths, runs interleaved across peers. Peers: bare node:http
 * (the physical limit of two round trips), node-vault by hand, the reference service's Python code
 * on hvac, and a JavaScript re-creation of the reference flow (labelled as such).
 */
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AUTH_MOUNT, ROLE, benchVault } from './lib/vault.mjs';
import { startDelayProxy } from './lib/delay-proxy.mjs';
import { runFresh } from './lib/fresh.mjs';
import { ensureReferencePython, PYTHON, referenceDir } from './lib/reference-python.mjs';
import { printTable, round, showSpread, spread } from './lib/stats.mjs';

const L = 20;
const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const PATH_COUNTS = [1, 5];
const root = fileURLToPath(new URL('..', import.meta.url));
const client = (name) => fileURLToPath(new URL(`./clients/${name}`, import.meta.url));
// node-vault is the core's dependency, not the workspace root's.
const NODE_PATH = fileURLToPath(new URL('../packages/core/node_modules', import.meta.url));

const PEERS = [
  { id: 'ours', label: '@vault-config/core initialize()', cmd: process.execPath, args: [client('ours.cjs')] },
  {
    id: 'nodeVault',
    label: 'node-vault by hand (login + read)',
    cmd: process.execPath,
    args: [client('node-vault-by-hand.cjs')],
  },
  {
    id: 'bare',
    label: 'bare node:http login + read (limit)',
    cmd: process.execPath,
    args: [client('bare-http.cjs')],
  },
  { id: 'python', label: 'reference service, Python on hvac', cmd: PYTHON, args: [client('reference.py')] },
  {
    id: 'recreation',
    label: 'JS re-creation of the reference flow',
    cmd: process.execPath,
    args: [client('reference-recreation.cjs')],
  },
];

async function measure(count, python) {
  const { server, paths, tokenPath, dir } = await benchVault({ paths: count });
  const proxy = await startDelayProxy(server.address, L);
  const env = {
    BENCH_ADDR: proxy.address,
    BENCH_ROLE: ROLE,
    BENCH_MOUNT: AUTH_MOUNT,
    BENCH_PATHS: paths.join(','),
    BENCH_TOKEN_PATH: tokenPath,
    BENCH_REFERENCE_DIR: referenceDir(),
    NODE_PATH,
  };
  const peers = PEERS.filter((p) => p.id !== 'python' || python.ok);
  const samples = Object.fromEntries(peers.map((p) => [p.id, []]));
  const requests = {};
  for (let i = 0; i < RUNS; i++) {
    // Interleaved, so drift on a shared machine lands on every peer alike.
    for (const peer of peers) {
      server.clearRequests();
      const s = await runFresh(peer.cmd, peer.args, { env, cwd: root });
      if (s.keys !== count * 5) throw new Error(`${peer.id} loaded ${s.keys} keys, expected ${count * 5}`);
      samples[peer.id].push(s);
      requests[peer.id] = server.requests.length;
    }
  }
  await proxy.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
  const out = {};
  for (const peer of PEERS) {
    const s = samples[peer.id];
    out[peer.id] = s
      ? {
          label: peer.label,
          requests: requests[peer.id],
          initMs: spread(s.map((x) => x.initMs)),
          initCpuMs: spread(s.map((x) => x.initCpuMs)),
          importMs: spread(s.map((x) => x.importMs)),
          processMs: spread(s.map((x) => x.wallMs)),
        }
      : { label: peer.label, notRun: python.reason };
  }
  return out;
}

export async function startupBench() {
  const python = ensureReferencePython();
  if (!python.ok) console.log(`reference peer (Python on hvac) not run: ${python.reason}`);
  const byPaths = {};
  const rows = [];
  for (const count of PATH_COUNTS) {
    const m = await measure(count, python);
    byPaths[count] = m;
    for (const r of Object.values(m)) {
      rows.push({
        paths: count,
        client: r.label,
        requests: r.requests ?? '—',
        'initialize → loaded ms': r.notRun ? `not run: ${r.notRun}` : showSpread(r.initMs),
        'CPU ms in it': r.notRun ? '' : showSpread(r.initCpuMs),
        'import ms': r.notRun ? '' : showSpread(r.importMs),
        'process ms (spawn → exit)': r.notRun ? '' : showSpread(r.processMs),
        'vs bare': r.notRun ? '' : `${round(r.initMs.median / m.bare.initMs.median, 2)}×`,
      });
    }
  }
  printTable(`Cold start-up in fresh processes, L = ${L} ms per request (median (min–max) of ${RUNS})`, rows);
  const checks = PATH_COUNTS.map((count) => {
    const m = byPaths[count];
    return {
      paths: count,
      oursMs: m.ours.initMs.median,
      nodeVaultMs: m.nodeVault.initMs.median,
      bareMs: m.bare.initMs.median,
      overBare: round(m.ours.initMs.median / m.bare.initMs.median, 3),
      overNodeVault: round(m.ours.initMs.median / m.nodeVault.initMs.median, 3),
      cpuMs: {
        ours: m.ours.initCpuMs.median,
        nodeVault: m.nodeVault.initCpuMs.median,
        bare: m.bare.initCpuMs.median,
      },
      roundTrips: 2,
      met:
        m.ours.initMs.median <= m.nodeVault.initMs.median &&
        m.ours.initMs.median <= 1.25 * m.bare.initMs.median,
    };
  });
  return {
    name: 'startup-cold',
    inputs: { latencyMs: L, runs: RUNS, paths: PATH_COUNTS, freshProcesses: true },
    targets: { oursOverNodeVaultMax: 1, oursOverBareMax: 1.25 },
    peers: byPaths,
    checks,
    met: checks.every((c) => c.met),
  };
}
