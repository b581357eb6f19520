/**
 * `pnpm bench`: every benchmark (or the ones named), one table each, and bench/results/latest.json.
 * Naming some replaces only theirs in latest.json; each result carries its own time and machine.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { startupBench } from './startup.mjs';
import { importCostBench } from './import-cost.mjs';
import { memoryBench } from './memory.mjs';
import { fleetBench } from './fleet.mjs';
import { healthBench } from './health.mjs';
import { poolRotationBench } from './pool-rotation.mjs';
import { describeMachine } from './lib/machine.mjs';

const machine = describeMachine();
console.log(`machine: ${JSON.stringify(machine)}`);
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
  results.push({ ...(await all[name]()), at: new Date().toISOString(), machine });
}
const file = new URL('./results/latest.json', import.meta.url);
const previous = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')).results ?? []) : [];
const kept = previous.filter((p) => p.at && !results.some((r) => r.name === p.name));
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(
  file,
  `${JSON.stringify({ at: new Date().toISOString(), results: [...kept, ...results] }, null, 2)}\n`,
);
console.log(`\n${results.map((r) => `${r.name}: ${r.met ? 'target met' : 'target MISSED'}`).join('\n')}`);
