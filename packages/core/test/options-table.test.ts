/**
 * The README's options table and the settings table are one list: same options, same variables,
 * same defaults, same doc lines. A new setting, a renamed variable or a changed default fails here
 * until both say the same.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { SETTINGS } from '../src/options/settings';

interface Documented {
  env: string | null;
  default: string;
  doc: string;
}

/** `| Option | Environment variable | Default | Meaning |`; a row may name two options (`a` / `b`). */
function readmeRows(): Record<string, Documented> {
  const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
  const section = readme.slice(readme.indexOf('## Options and environment variables'));
  const start = section.indexOf('| Option');
  const table = section.slice(start, section.indexOf('\n\n', start));
  const rows: Record<string, Documented> = {};
  for (const line of table.split('\n').slice(2)) {
    const [option, env, shown, doc] = line
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim());
    const options = [...option!.matchAll(/`(\w+)`/g)].map((m) => m[1]!);
    const variables = [...env!.matchAll(/`(\w+)`/g)].map((m) => m[1]!);
    const defaults = shown!.split(', ');
    options.forEach((name, i) => {
      rows[name] = {
        env: variables[i] ?? null,
        default: defaults.length === options.length ? defaults[i]! : shown!,
        doc: doc!,
      };
    });
  }
  return rows;
}

it('the README documents every setting with its variable, default and doc line', () => {
  const fromTable = Object.fromEntries(
    Object.entries(SETTINGS).map(([option, s]) => [
      option,
      { env: s.env, default: s.shownDefault, doc: s.doc } satisfies Documented,
    ]),
  );
  expect(readmeRows()).toEqual(fromTable);
});
