/**
 * Error codes are a contract: each class carries only its own codes, every code is documented in
 * the package README's table under its class, and every code is raised somewhere in the source.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  VAULT_ERROR_CODES,
  VaultAuthenticationError,
  VaultConfigurationError,
  VaultSecretError,
} from '../src/errors';

const PKG = fileURLToPath(new URL('..', import.meta.url));
/** Where the codes are listed, which does not count as raising them. */
const CODE_LISTS = join(PKG, 'src', 'errors.ts');

/** The README's `| Class | Code | When |` rows: class → codes (a blank class cell continues the one above). */
function documentedCodes(): Record<string, string[]> {
  const readme = readFileSync(join(PKG, 'README.md'), 'utf8');
  const table = readme.slice(readme.indexOf('## Errors'), readme.indexOf('## Status'));
  const documented: Record<string, string[]> = {};
  let current = '';
  for (const line of table.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    if (cells.length < 4 || !cells[2]!.includes('`VAULT_')) continue;
    current = cells[1]!.replace(/`/g, '') || current;
    // `VAULT_TOKEN_FILE_MISSING` / `_EMPTY` / `_UNREADABLE` names three codes.
    const names = [...cells[2]!.matchAll(/`(_?[A-Z_]+)`/g)].map((m) => m[1]!);
    const stem = names[0]!.replace(/_[A-Z]+$/, '');
    (documented[current] ??= []).push(...names.map((name) => (name.startsWith('_') ? stem + name : name)));
  }
  return documented;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && path !== CODE_LISTS ? [readFileSync(path, 'utf8')] : [];
  });
}

describe('error codes', () => {
  it('the README documents exactly the codes of each class', () => {
    const expected = Object.fromEntries(
      Object.entries(VAULT_ERROR_CODES).map(([kind, codes]) => [kind, [...codes].sort()]),
    );
    const documented = Object.fromEntries(
      Object.entries(documentedCodes()).map(([kind, codes]) => [kind, codes.sort()]),
    );
    expect(documented).toEqual(expected);
  });

  it('no code belongs to two classes', () => {
    const all = Object.values(VAULT_ERROR_CODES).flat();
    expect(new Set(all).size).toBe(all.length);
  });

  it.each(Object.values(VAULT_ERROR_CODES).flat())('%s is raised somewhere in the source', (code) => {
    // Consumers' codes (VaultPoolError) are raised by their own package.
    const packages = join(PKG, '..');
    const text = readdirSync(packages)
      .flatMap((pkg) => sources(join(packages, pkg, 'src')))
      .join('\n');
    expect(text).toContain(`'${code}'`);
  });

  it('each class takes only its own codes (checked by the compiler)', () => {
    // @ts-expect-error a secret code on the configuration class
    const a = new VaultConfigurationError('VAULT_SECRET_NOT_FOUND', 'x');
    // @ts-expect-error a configuration code on the authentication class
    const b = new VaultAuthenticationError('VAULT_TLS', 'x');
    // @ts-expect-error an authentication code on the secret class
    const c = new VaultSecretError('VAULT_LOGIN_REJECTED', 'x');
    // At run time the code is kept as given: the guarantee is the type.
    expect([a.code, b.code, c.code]).toEqual(['VAULT_SECRET_NOT_FOUND', 'VAULT_TLS', 'VAULT_LOGIN_REJECTED']);
  });
});
