/**
 * Every `// vault: <key>` beside an assertion names an entry of test/support/vault-sources.ts, and
 * every entry there is cited somewhere and names a docs page or a Go file and function.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { VAULT_SOURCES } from './support/vault-sources';

const root = fileURLToPath(new URL('..', import.meta.url));
/** The core's, the dev server's and the cross-package tests. */
const DIRS = [
  'packages/core/test',
  'packages/testing/test',
  'packages/nestjs/test',
  'packages/fastify/test',
  'packages/pg/test',
  'test',
];
const CITE = /\/\/ vault: ([a-z0-9-]+(?:, [a-z0-9-]+)*)/g;

function files(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path);
    return /\.ts$/.test(name) && !path.endsWith('vault-sources.ts') ? [path] : [];
  });
}

const citations = DIRS.flatMap((dir) => files(join(root, dir))).flatMap((file) =>
  [...readFileSync(file, 'utf8').matchAll(CITE)].flatMap((m) =>
    m[1]!.split(', ').map((key) => ({ key, file: relative(root, file) })),
  ),
);

describe('sources of the Vault behaviour the tests assert', () => {
  it('the tests cite sources', () => {
    expect(citations.length).toBeGreaterThan(20);
  });

  it('every citation names a known source', () => {
    const unknown = citations.filter((c) => !(c.key in VAULT_SOURCES));
    expect(unknown).toEqual([]);
  });

  it('every source is cited by a test', () => {
    const cited = new Set(citations.map((c) => c.key));
    expect(Object.keys(VAULT_SOURCES).filter((key) => !cited.has(key))).toEqual([]);
  });

  it('every source is a developer.hashicorp.com page or a Go file and function', () => {
    const vague = Object.entries(VAULT_SOURCES).filter(
      ([, s]) =>
        !/^https:\/\/developer\.hashicorp\.com\/vault\//.test(s.source) &&
        !/^hashicorp\/[\w-]+ [\w/.-]+\.go \S+/.test(s.source),
    );
    expect(vague).toEqual([]);
  });
});
