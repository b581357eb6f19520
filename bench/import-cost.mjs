/** 2. Import cost: wall time and peak RSS of a process that only imports, ours vs node-vault alone. */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { median, printTable, round, showSpread, spread } from './lib/stats.mjs';

const RUNS = 9;
const root = new URL('..', import.meta.url);
const nodeVaultPath = createRequire(new URL('../packages/core/package.json', import.meta.url)).resolve(
  'node-vault',
);

function measure(specifiers) {
  const script = `
    const t = performance.now();
    for (const s of ${JSON.stringify(specifiers)}) require(s);
    const ms = performance.now() - t;
    console.log(JSON.stringify({ ms, rssKb: process.resourceUsage().maxRSS }));`;
  const samples = [];
  for (let i = 0; i < RUNS; i++) {
    const out = execFileSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8' });
    samples.push(JSON.parse(out.trim()));
  }
  return {
    ms: median(samples.map((s) => s.ms)),
    rssMb: median(samples.map((s) => s.rssKb)) / 1024,
    msSpread: spread(samples.map((s) => s.ms)),
    rssMbSpread: spread(samples.map((s) => s.rssKb / 1024)),
  };
}

export async function importCostBench() {
  const baseline = measure([nodeVaultPath]);
  const sets = {
    '@vault-config/core': ['@vault-config/core'],
    '@vault-config/fastify': ['@vault-config/fastify'],
    '@vault-config/nestjs': ['@vault-config/nestjs'],
  };
  const rows = [
    {
      module: 'node-vault (baseline)',
      ms: showSpread(baseline.msSpread),
      rss_mb: showSpread(baseline.rssMbSpread),
      vs_baseline: '—',
    },
  ];
  const out = {};
  for (const [name, specs] of Object.entries(sets)) {
    const m = measure(specs);
    out[name] = m;
    rows.push({
      module: name,
      ms: showSpread(m.msSpread),
      rss_mb: showSpread(m.rssMbSpread),
      vs_baseline: `${round(((m.rssMb - baseline.rssMb) / baseline.rssMb) * 100)} % RSS, ${round(((m.ms - baseline.ms) / baseline.ms) * 100)} % time`,
    });
  }
  printTable(`Import cost in fresh processes (median (min–max) of ${RUNS})`, rows);
  const core = out['@vault-config/core'];
  const rssRatio = core.rssMb / baseline.rssMb;
  const timeRatio = core.ms / baseline.ms;
  return {
    name: 'import-cost',
    inputs: { runs: RUNS },
    baseline,
    ours: out,
    ratio: { coreRss: round(rssRatio, 3), coreTime: round(timeRatio, 3) },
    targets: { coreOverNodeVaultMax: 1.1 },
    met: rssRatio <= 1.1 && timeRatio <= 1.1,
  };
}
