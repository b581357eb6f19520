// Prints Stryker's JSON report (reports/mutation/mutation.json) as the Markdown table docs/testing.md
// carries: per file and per group, the score over all mutants and over the covered ones.
//   node scripts/mutation-summary.mjs [report.json ...]
// With several reports (a full run, then scoped runs), a file's latest report wins.
import { readFileSync } from 'node:fs';

const paths = process.argv.length > 2 ? process.argv.slice(2) : ['reports/mutation/mutation.json'];
const report = { files: {} };
for (const path of paths) Object.assign(report.files, JSON.parse(readFileSync(path, 'utf8')).files);
const DETECTED = new Set(['Killed', 'Timeout']);
const COUNTED = new Set(['Killed', 'Timeout', 'Survived', 'NoCoverage']);

function tally(mutants) {
  const t = { detected: 0, survived: 0, noCoverage: 0 };
  for (const m of mutants) {
    if (!COUNTED.has(m.status)) continue;
    if (DETECTED.has(m.status)) t.detected += 1;
    else if (m.status === 'Survived') t.survived += 1;
    else t.noCoverage += 1;
  }
  return t;
}

const pct = (n, d) => (d === 0 ? 'n/a' : `${((100 * n) / d).toFixed(1)} %`);
const row = (name, t) =>
  `| ${name} | ${pct(t.detected, t.detected + t.survived + t.noCoverage)} | ${pct(t.detected, t.detected + t.survived)} | ${t.detected} | ${t.survived} | ${t.noCoverage} |`;

const files = Object.entries(report.files)
  .map(([name, f]) => [name, tally(f.mutants)])
  .sort(([a], [b]) => a.localeCompare(b));
const groups = new Map();
for (const [name, t] of files) {
  const group = name.startsWith('packages/core/src/lifecycle/')
    ? 'packages/core/src/lifecycle'
    : name.startsWith('packages/core/src/')
      ? 'packages/core/src'
      : name.replace(/\/[^/]+$/, '');
  for (const key of new Set([
    group,
    ...(group.startsWith('packages/core/src/') ? ['packages/core/src'] : []),
  ])) {
    const g = groups.get(key) ?? { detected: 0, survived: 0, noCoverage: 0 };
    g.detected += t.detected;
    g.survived += t.survived;
    g.noCoverage += t.noCoverage;
    groups.set(key, g);
  }
}

const lines = [
  '| File | Score | Score of covered | Killed (incl. timeouts) | Survived | No coverage |',
  '| ---- | ----- | ---------------- | ----------------------- | -------- | ----------- |',
  ...[...groups].map(([name, t]) => row(`**${name}**`, t)),
  ...files.map(([name, t]) => row(name.replace(/^packages\/(core|testing)\/src\//, '$1/'), t)),
];
process.stdout.write(`${lines.join('\n')}\n`);
