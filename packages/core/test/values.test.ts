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
  // [key, why, how the message and error.keys name it]
  it.each([
    ['', 'is empty', ''],
    ['A=B', '"="', 'A=***'],
    ['A\0B', 'NUL', 'A***'],
    ['__proto__', 'reserved object property', '__proto__'],
    ['constructor', 'reserved object property', 'constructor'],
    ['prototype', 'reserved object property', 'prototype'],
    ['MY KEY', 'not a valid environment variable name', 'MY ***'],
    ['LINE\nBREAK', 'not a valid environment variable name', 'LINE***'],
    ['1ST', 'not a valid environment variable name', '1ST***'],
    ['NODE_OPTIONS', 'steers the runtime', 'NODE_OPTIONS'],
    ['node_tls_reject_unauthorized', 'steers the runtime', 'node_tls_reject_unauthorized'],
    ['LD_PRELOAD', 'steers the runtime', 'LD_PRELOAD'],
    ['DYLD_INSERT_LIBRARIES', 'steers the runtime', 'DYLD_INSERT_LIBRARIES'],
    ['PATH', 'steers the runtime', 'PATH'],
    ['https_proxy', 'steers the runtime', 'https_proxy'],
    ['No_Proxy', 'steers the runtime', 'No_Proxy'],
    ['VAULT_ADDR', 'steers the runtime', 'VAULT_ADDR'],
  ])('refuses %j with VaultSecretError naming it safely', (key, why, shown) => {
    try {
      assertValidKey(key, 'kv/ACME');
      throw new Error('expected a throw');
    } catch (error) {
      expect(error).toBeInstanceOf(VaultSecretError);
      const e = error as VaultSecretError;
      expect(e.code).toBe('VAULT_INVALID_KEY');
      expect(e.keys).toEqual([shown]);
      expect(e.message).toContain(`"${shown}"`);
      expect(e.message).toContain(why);
    }
  });

  it('never quotes a secret pasted as a key name', () => {
    const pasted = 'DATABASE_URL=postgres://app:S3cr3t@db:5432/app';
    const e = (() => {
      try {
        convertSecretData({ [pasted]: 'x' }, 'kv/A', 'none', '');
      } catch (error) {
        return error as VaultSecretError;
      }
      throw new Error('expected a throw');
    })();
    expect(e.keys).toEqual(['DATABASE_URL=***']);
    expect(JSON.stringify({ ...e, message: e.message, statusMessage: e.statusMessage })).not.toContain(
      'S3cr3t',
    );
  });

  it('allows a reserved name listed in allowKeys (any case), and NODE_ENV always', () => {
    expect(() => assertValidKey('NODE_OPTIONS', 'p', ['NODE_OPTIONS'])).not.toThrow();
    expect(convertSecretData({ https_proxy: 'http://p:3128' }, 'kv/A', 'none', '', ['HTTPS_PROXY'])).toEqual({
      https_proxy: 'http://p:3128',
    });
    expect(() => assertValidKey('NODE_ENV', 'p')).not.toThrow();
  });

  it('refuses a NUL in a value, naming the key and never the value', () => {
    expect(() => convertSecretData({ TOKEN: 'abc\0CANARY' }, 'kv/A', 'none', '')).toThrow(
      expect.objectContaining({ code: 'VAULT_INVALID_VALUE', keys: ['TOKEN'] }),
    );
    expect(() => convertSecretData({ TOKEN: 'abc\0CANARY' }, 'kv/A', 'none', '')).not.toThrow(/CANARY/);
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
    expect(() => convertSecretData({ url: 'u' }, 'kv/A', () => 'A=B', '')).toThrow(/"A=\*\*\*"/);
    const throwing = () => {
      throw new Error('boom');
    };
    expect(() => convertSecretData({ url: 'u' }, 'kv/A', throwing, '')).toThrow(
      /secret key "url" at kv\/A made keyTransform throw/,
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
    expect(injectSecrets(env, { A: 'new', B: 'b' }, true)).toEqual({
      injected: ['A', 'B'],
      kept: [],
      tooLarge: [],
    });
    expect(env).toEqual({ A: 'new', B: 'b', KEEP: 'k' });
    const env2: Record<string, string | undefined> = { A: 'old' };
    expect(injectSecrets(env2, { A: 'new', B: 'b' }, false)).toEqual({
      injected: ['B'],
      kept: ['A'],
      tooLarge: [],
    });
    expect(env2).toEqual({ A: 'old', B: 'b' });
  });

  it('keeps a value over 128 KiB (with its name) out of the environment', () => {
    const env: Record<string, string | undefined> = {};
    const big = 'x'.repeat(128 * 1024);
    const result = injectSecrets(env, { BIG: big, SMALL: 's' }, true);
    expect(result).toEqual({ injected: ['SMALL'], kept: [], tooLarge: [{ key: 'BIG', bytes: 128 * 1024 }] });
    expect(env).toEqual({ SMALL: 's' });
  });
});
