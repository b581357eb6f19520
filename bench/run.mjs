/** `pnpm bench`: every benchmark (or the ones named), one table each, and bench/results/latest.json. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { startupBench } from './startup.mjs';
import { importCostBench } from './import-cost.mjs';
import { memoryBench } from './memory.mjs';
import { fleetBench } from './fleet.mjs';
import { healthBench } from './health.mjs';
import { poolRotationBench } from './pool-rotation.mjs';

const all = {
  startup: startupBench,
  import: importCostBench,
  memory: memoryBench,
  fleet: fleetBench,
  health: healthBench,
  'pool-rotation': poolRotationBench,
};
const chosen = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(all);
const results = [];
for (const name of chosen) {
  if (!all[name]) throw new Error(`unknown benchmark "${name}"; one of ${Object.keys(all).join(', ')}`);
  results.push(await all[name]());
}
const machine = { node: process.version, cpus: (await import('node:os')).cpus().length };
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(
  new URL('./results/latest.json', import.meta.url),
  `${JSON.stringify({ at: new Date().toISOString(), machine, results }, null, 2)}\n`,
);
console.log(`\n${results.map((r) => `${r.name}: ${r.met ? 'target met' : 'target MISSED'}`).join('\n')}`);
