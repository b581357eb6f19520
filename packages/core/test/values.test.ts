import { describe, expect, it } from 'vitest';
import { VaultSecretError } from '../src/errors';
import { injectSecrets } from '../src/inject';
import { assertValidKey, convertSecretData, mergeInOrder, missingKeys, toEnvValue } from '../src/values';

describe('toEnvValue', () => {
  it('keeps strings, writes numbers and booleans as text, objects and arrays as JSON, null as empty', () => {
    expect(toEnvValue('postgres://u@h/db')).toBe('postgres://u@h/db');
    expect(toEnvValue('')).toBe('');
    expect(toEnvValue(5432)).toBe('5432');
    expect(toEnvValue(1.5)).toBe('1.5');
    expect(toEnvValue(true)).toBe('true');
    expect(toEnvValue(false)).toBe('false');
    expect(toEnvValue(null)).toBe('');
    expect(toEnvValue({ a: [1, 'x'] })).toBe('{"a":[1,"x"]}');
    expect(toEnvValue([1, 2])).toBe('[1,2]');
  });
});

describe('key validation', () => {
  it.each([
    ['', 'is empty'],
    ['A=B', '"="'],
    ['A\0B', 'NUL'],
    ['__proto__', 'reserved'],
    ['constructor', 'reserved'],
    ['prototype', 'reserved'],
  ])('refuses %j with VaultSecretError naming it', (key, why) => {
    try {
      assertValidKey(key, 'kv/ACME');
      throw new Error('expected a throw');
    } catch (error) {
      expect(error).toBeInstanceOf(VaultSecretError);
      const e = error as VaultSecretError;
      expect(e.code).toBe('VAULT_INVALID_KEY');
      expect(e.keys).toEqual([key]);
      expect(e.message).toContain(JSON.stringify(key));
      expect(e.message).toContain(why);
    }
  });

  it('refuses a __proto__ key that came from parsed JSON without touching Object.prototype', () => {
    const data = JSON.parse('{"__proto__": {"polluted": "yes"}, "OK": "1"}') as Record<string, unknown>;
    expect(() => convertSecretData(data, 'kv/X', 'none', '')).toThrow(VaultSecretError);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('accepts ordinary names including dots, dashes and lower case', () => {
    for (const key of ['DATABASE_URL', 'db.password', 'api-key', 'x'])
      expect(() => assertValidKey(key, 'p')).not.toThrow();
  });
});

describe('key mapping', () => {
  it('upper-cases, prefixes, or applies a function, and validates the result', () => {
    expect(convertSecretData({ postgres_password: 'p' }, 'kv/A', 'upper', '')).toEqual({
      POSTGRES_PASSWORD: 'p',
    });
    expect(convertSecretData({ url: 'u' }, 'kv/A', 'upper', 'APP_')).toEqual({ APP_URL: 'u' });
    expect(convertSecretData({ url: 'u' }, 'kv/A', (k, p) => `${p.split('/')[1]}_${k}`, '')).toEqual({
      A_url: 'u',
    });
    expect(() => convertSecretData({ url: 'u' }, 'kv/A', () => 'A=B', '')).toThrow(/"A=B"/);
    const throwing = () => {
      throw new Error('boom');
    };
    expect(() => convertSecretData({ url: 'u' }, 'kv/A', throwing, '')).toThrow(
      /keyTransform threw for key "url"/,
    );
  });

  it('refuses two keys that map to one name', () => {
    expect(() => convertSecretData({ token: '1', TOKEN: '2' }, 'kv/A', 'upper', '')).toThrow(
      /both map to "TOKEN"/,
    );
  });
});

describe('merge, required, inject', () => {
  it('merges paths in order, later wins', () => {
    expect(mergeInOrder([{ A: '1', B: '1' }, { B: '2' }, { C: '3' }])).toEqual({ A: '1', B: '2', C: '3' });
  });

  it('reports every missing or empty required key', () => {
    expect(missingKeys(['A', 'B', 'C', 'D'], { A: 'x', C: '' })).toEqual(['B', 'C', 'D']);
    expect(missingKeys(['toString'], {})).toEqual(['toString']);
  });

  it('injects with override by default and keeps existing values with override false', () => {
    const env: Record<string, string | undefined> = { A: 'old', KEEP: 'k' };
    expect(injectSecrets(env, { A: 'new', B: 'b' }, true)).toEqual({ injected: ['A', 'B'], kept: [] });
    expect(env).toEqual({ A: 'new', B: 'b', KEEP: 'k' });
    const env2: Record<string, string | undefined> = { A: 'old' };
    expect(injectSecrets(env2, { A: 'new', B: 'b' }, false)).toEqual({ injected: ['B'], kept: ['A'] });
    expect(env2).toEqual({ A: 'old', B: 'b' });
  });
});
