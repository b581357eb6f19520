/** 5. Memory: peak RSS of a process after loading 1,000 keys of 1 KB vs 10 keys. */
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { AUTH_MOUNT, ROLE, benchVault } from './lib/vault.mjs';
import { median, printTable, round } from './lib/stats.mjs';

const RUNS = 9;
const root = new URL('..', import.meta.url);

async function peakAfterLoad(keys) {
  const { server, paths, tokenPath, dir } = await benchVault({
    paths: 1,
    keysPerPath: keys,
    valueBytes: 1024,
  });
  const options = {
    address: server.address,
    role: ROLE,
    k8sAuthMountPoint: AUTH_MOUNT,
    path: paths,
    tokenPath,
    logger: false,
  };
  const script = `
    const { VaultSecretManager } = require('@vault-config/core');
    const m = new VaultSecretManager({ ...${JSON.stringify(options)}, env: {} });
    m.initialize().then(async () => {
      const n = Object.keys(m.getAll()).length;
      const rssKb = process.resourceUsage().maxRSS;
      // What stays alive once the garbage of loading is collected (the peak above is before). A turn
      // before: until then the stack that delivered the last response holds its socket buffers; a turn
      // after: V8 counts the external memory it freed one turn late.
      await new Promise((resolve) => setImmediate(resolve));
      global.gc();
      await new Promise((resolve) => setImmediate(resolve));
      const { heapUsed, external } = process.memoryUsage();
      await m.close();
      console.log(JSON.stringify({ n, rssKb, retainedKb: (heapUsed + external) / 1024 }));
    });`;
  const samples = [];
  for (let i = 0; i < RUNS; i++) {
    // The dev server lives in this process, so the child runs async against it.
    const out = await new Promise((resolve, reject) =>
      execFile(
        process.execPath,
        ['--expose-gc', '-e', script],
        { cwd: root, encoding: 'utf8' },
        (err, stdout) => (err ? reject(err) : resolve(stdout)),
      ),
    );
    samples.push(JSON.parse(out.trim()));
  }
  await server.close();
  rmSync(dir, { recursive: true, force: true });
  if (samples[0].n !== keys) throw new Error(`loaded ${samples[0].n} keys, expected ${keys}`);
  return {
    peakMb: median(samples.map((s) => s.rssKb)) / 1024,
    retainedMb: median(samples.map((s) => s.retainedKb)) / 1024,
  };
}

export async function memoryBench() {
  const small = await peakAfterLoad(10);
  const large = await peakAfterLoad(1000);
  const delta = large.peakMb - small.peakMb;
  const retainedDelta = large.retainedMb - small.retainedMb;
  printTable(`Memory: peak RSS after loading, fresh processes (median of ${RUNS})`, [
    {
      keys: 10,
      value_bytes: 1024,
      peak_rss_mb: round(small.peakMb),
      retained_heap_mb: round(small.retainedMb),
    },
    {
      keys: 1000,
      value_bytes: 1024,
      peak_rss_mb: round(large.peakMb),
      retained_heap_mb: round(large.retainedMb),
    },
    {
      keys: 'difference',
      value_bytes: '',
      peak_rss_mb: round(delta),
      retained_heap_mb: round(retainedDelta),
    },
  ]);
  return {
    name: 'memory',
    inputs: { runs: RUNS, valueBytes: 1024 },
    ours: { keys10: small, keys1000: large },
    ratio: { deltaMb: round(delta), retainedDeltaMb: round(retainedDelta, 2) },
    targets: { maxDeltaMb: 3 },
    met: delta <= 3,
  };
}
