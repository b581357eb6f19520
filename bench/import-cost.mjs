/** 2. Import cost: wall time and peak RSS of a process that only imports, ours vs node-vault alone. */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { median, printTable, round, showSpread, spread } from './lib/stats.mjs';

const RUNS = 15;
const root = new URL('..', import.meta.url);
const nodeVaultPath = createRequire(new URL('../packages/core/package.json', import.meta.url)).resolve(
  'node-vault',
);

function once(specifiers) {
  const script = `
    const c = process.cpuUsage();
    const t = performance.now();
    for (const s of ${JSON.stringify(specifiers)}) require(s);
    const ms = performance.now() - t;
    const u = process.cpuUsage(c);
    console.log(JSON.stringify({ ms, cpuMs: (u.user + u.system) / 1000, rssKb: process.resourceUsage().maxRSS }));`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8' }).trim());
}

function summary(samples) {
  return {
    ms: median(samples.map((s) => s.ms)),
    cpuMs: median(samples.map((s) => s.cpuMs)),
    cpuMsSpread: spread(samples.map((s) => s.cpuMs)),
    rssMb: median(samples.map((s) => s.rssKb)) / 1024,
    msSpread: spread(samples.map((s) => s.ms)),
    rssMbSpread: spread(samples.map((s) => s.rssKb / 1024)),
  };
}

export async function importCostBench() {
  const sets = {
    baseline: [nodeVaultPath],
    '@vault-config/core': ['@vault-config/core'],
    '@vault-config/fastify': ['@vault-config/fastify'],
    '@vault-config/nestjs': ['@vault-config/nestjs'],
  };
  const samples = Object.fromEntries(Object.keys(sets).map((k) => [k, []]));
  // Interleaved: each round imports every set once, so machine drift lands on all of them alike.
  for (let i = 0; i < RUNS; i++)
    for (const [name, specs] of Object.entries(sets)) samples[name].push(once(specs));
  const baseline = summary(samples.baseline);
  delete sets.baseline;
  const rows = [
    {
      module: 'node-vault (baseline)',
      ms: showSpread(baseline.msSpread),
      cpu_ms: showSpread(baseline.cpuMsSpread),
      rss_mb: showSpread(baseline.rssMbSpread),
      vs_baseline: '—',
    },
  ];
  const out = {};
  for (const name of Object.keys(sets)) {
    const m = summary(samples[name]);
    out[name] = m;
    rows.push({
      module: name,
      ms: showSpread(m.msSpread),
      cpu_ms: showSpread(m.cpuMsSpread),
      rss_mb: showSpread(m.rssMbSpread),
      vs_baseline: `${round(m.rssMb / baseline.rssMb, 3)}× RSS, ${round(m.ms / baseline.ms, 2)}× time, ${round(m.cpuMs / baseline.cpuMs, 3)}× CPU`,
    });
  }
  printTable(`Import cost in fresh processes, interleaved (median (min–max) of ${RUNS})`, rows);
  const core = out['@vault-config/core'];
  const rssRatio = core.rssMb / baseline.rssMb;
  const timeRatio = core.ms / baseline.ms;
  const cpuRatio = core.cpuMs / baseline.cpuMs;
  return {
    name: 'import-cost',
    inputs: { runs: RUNS },
    baseline,
    ours: out,
    ratio: { coreRss: round(rssRatio, 3), coreTime: round(timeRatio, 3), coreCpu: round(cpuRatio, 3) },
    targets: { coreOverNodeVaultMax: 1.1 },
    met: rssRatio <= 1.1 && timeRatio <= 1.1,
  };
}
