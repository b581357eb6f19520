/** 5. Memory: peak RSS of a process after loading 1,000 keys of 1 KB vs 10 keys. */
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { AUTH_MOUNT, ROLE, benchVault } from './lib/vault.mjs';
import { median, printTable, round } from './lib/stats.mjs';

const RUNS = 5;
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
      await m.close();
      console.log(JSON.stringify({ n, rssKb: process.resourceUsage().maxRSS }));
    });`;
  const samples = [];
  for (let i = 0; i < RUNS; i++) {
    // The dev server lives in this process, so the child runs async against it.
    const out = await new Promise((resolve, reject) =>
      execFile(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8' }, (err, stdout) =>
        err ? reject(err) : resolve(stdout),
      ),
    );
    samples.push(JSON.parse(out.trim()));
  }
  await server.close();
  rmSync(dir, { recursive: true, force: true });
  if (samples[0].n !== keys) throw new Error(`loaded ${samples[0].n} keys, expected ${keys}`);
  return median(samples.map((s) => s.rssKb)) / 1024;
}

export async function memoryBench() {
  const small = await peakAfterLoad(10);
  const large = await peakAfterLoad(1000);
  const delta = large - small;
  printTable(`Memory: peak RSS after loading (median of ${RUNS} processes)`, [
    { keys: 10, value_bytes: 1024, peak_rss_mb: round(small) },
    { keys: 1000, value_bytes: 1024, peak_rss_mb: round(large) },
    { keys: 'difference', value_bytes: '', peak_rss_mb: round(delta) },
  ]);
  return {
    name: 'memory',
    inputs: { runs: RUNS, valueBytes: 1024 },
    ours: { keys10Mb: round(small), keys1000Mb: round(large) },
    ratio: { deltaMb: round(delta) },
    targets: { maxDeltaMb: 5 },
    met: delta <= 5,
  };
}
