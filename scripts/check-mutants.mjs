// Hand-written mutants of documented behaviour, each paired with the tests that must kill it.
// Stryker's operators cannot write these (moving a call, reordering requests), so this script
// applies each one to the source, runs its tests, and restores the file.
//
//   node scripts/check-mutants.mjs            every mutant
//   node scripts/check-mutants.mjs renew      those whose name contains "renew"
//
// Exit code 1 when a mutant survives (its tests still pass) or a patch no longer applies.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { stripVTControlCharacters } from 'node:util';
import { MUTANTS } from './mutants.mjs';

const only = process.argv[2];
const chosen = MUTANTS.filter((m) => !only || m.name.includes(only));
const results = [];
for (const mutant of chosen) {
  const original = readFileSync(mutant.file, 'utf8');
  if (!original.includes(mutant.from)) {
    results.push({ name: mutant.name, outcome: 'PATCH MISSING' });
    continue;
  }
  const started = Date.now();
  let outcome;
  try {
    writeFileSync(mutant.file, original.replace(mutant.from, mutant.to));
    const args = ['vitest', 'run', ...mutant.tests, ...(mutant.only ? ['-t', mutant.only] : [])];
    const run = spawnSync('npx', args, { encoding: 'utf8', env: { ...process.env, CI: '' } });
    const failed = /Tests\s+.*\d+ failed/.test(stripVTControlCharacters(run.stdout));
    outcome = run.status !== 0 && failed ? 'killed' : run.status !== 0 ? 'ERROR' : 'SURVIVED';
    if (outcome === 'ERROR') process.stderr.write(run.stdout.slice(-2000) + run.stderr.slice(-2000));
  } finally {
    writeFileSync(mutant.file, original);
  }
  results.push({ name: mutant.name, outcome, seconds: Math.round((Date.now() - started) / 1000) });
  process.stdout.write(`${outcome.padEnd(8)} ${mutant.name}\n`);
}
console.table(results);
process.exit(results.every((r) => r.outcome === 'killed') ? 0 : 1);
