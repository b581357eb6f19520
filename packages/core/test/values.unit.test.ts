/** Exact conversions and exact refusals of values.ts: the text each error carries and its fields. */
import { describe, expect, it } from 'vitest';
import { VaultSecretError } from '../src/errors';
import { parseJson } from '../src/http/json';
import { assertValidKey, convertSecretData, mapKey, toEnvValue } from '../src/values';

function refusal(fn: () => unknown): VaultSecretError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(VaultSecretError);
    return error as VaultSecretError;
  }
  throw new Error('expected a VaultSecretError');
}

describe('toEnvValue', () => {
  it.each([
    [null, ''],
    [undefined, ''],
    ['', ''],
    ['text', 'text'],
    [0, '0'],
    [-1.5, '-1.5'],
    [1e21, '1e+21'],
    [Number.NaN, 'NaN'],
    [Number.POSITIVE_INFINITY, 'Infinity'],
    [true, 'true'],
    [false, 'false'],
    [12345678901234567890n, '12345678901234567890'],
    // A number JavaScript would change stays the text Vault stored (parsed losslessly).
    [(parseJson('{"a":1.10}') as { a: unknown }).a, '1.10'],
    [{ a: [1, null] }, '{"a":[1,null]}'],
    [[], '[]'],
  ] as const)('%s → %j', (value, text) => {
    expect(toEnvValue(value)).toBe(text);
  });
});

describe('key refusals name the key, the path and what to do', () => {
  it.each([
    ['', 'secret key "" at kv/A is empty and cannot be an environment variable: rename it in Vault'],
    [
      'A=B',
      'secret key "A=***" at kv/A contains "=" and cannot be an environment variable: rename it in Vault',
    ],
    [
      '__proto__',
      'is a reserved object property name and cannot be an environment variable: rename it in Vault',
    ],
    [
      '1ABC',
      'is not a valid environment variable name (letters, digits, "_", "-", "." only; no leading digit)',
    ],
  ])('%j', (key, message) => {
    const e = refusal(() => assertValidKey(key, 'kv/A'));
    expect(e.code).toBe('VAULT_INVALID_KEY');
    expect(e.message).toContain(message);
    expect(e.path).toBe('kv/A');
    expect(e.keys).toHaveLength(1);
  });

  it('a reserved key says how to allow it, and is accepted once allowed', () => {
    const e = refusal(() => assertValidKey('NODE_OPTIONS', 'kv/A'));
    expect(e.message).toBe(
      'secret key "NODE_OPTIONS" at kv/A is reserved: it steers the runtime (Node, the dynamic loader, proxies, PATH or this library) and is refused by default: rename it in Vault, or allow it with VAULT_ALLOW_KEYS=NODE_OPTIONS',
    );
    expect(() => assertValidKey('NODE_OPTIONS', 'kv/A', ['NODE_OPTIONS'])).not.toThrow();
    expect(convertSecretData({ NODE_OPTIONS: '--x' }, 'kv/A', 'none', '', ['NODE_OPTIONS'])).toEqual({
      NODE_OPTIONS: '--x',
    });
  });

  it('a NUL in a value names the key and the path, never the value', () => {
    const e = refusal(() => convertSecretData({ K: 'se\0cret' }, 'kv/A', 'none', ''));
    expect(e.code).toBe('VAULT_INVALID_VALUE');
    expect(e.message).toBe(
      'the value of secret key "K" at kv/A contains a NUL character, which the environment would silently truncate: fix the value in Vault',
    );
    expect(e.keys).toEqual(['K']);
  });
});

describe('mapKey', () => {
  it('a transform that throws, or returns no string, is named with what to fix', () => {
    const threw = refusal(() =>
      mapKey(
        'url',
        'kv/A',
        () => {
          throw new Error('boom');
        },
        '',
      ),
    );
    expect(threw.message).toBe(
      'secret key "url" at kv/A made keyTransform throw and cannot be mapped: fix keyTransform',
    );
    const odd = refusal(() => mapKey('url', 'kv/A', (() => 42) as unknown as () => string, ''));
    expect(odd.message).toBe(
      'secret key "url" at kv/A was mapped to a non-string by keyTransform and cannot be mapped: fix keyTransform',
    );
    expect(odd.keys).toEqual(['url']);
  });

  it('none keeps the key, upper upper-cases, the prefix comes first', () => {
    expect(mapKey('a.b', 'kv/A', 'none', 'P_')).toBe('P_a.b');
    expect(mapKey('a.b', 'kv/A', 'upper', 'p_')).toBe('p_A.B');
  });
});

describe('two keys mapping to one name', () => {
  it('names both raw keys and the path in the error fields', () => {
    const e = refusal(() => convertSecretData({ token: '1', TOKEN: '2' }, 'kv/A', 'upper', ''));
    expect(e.code).toBe('VAULT_INVALID_KEY');
    expect(e.message).toBe('secret keys "token" and "TOKEN" at kv/A both map to "TOKEN"');
    expect(e.keys).toEqual(['token', 'TOKEN']);
    expect(e.path).toBe('kv/A');
  });

  it('with a keyTransform function: the earlier raw key is named, and the function runs once per key', () => {
    const seen: string[] = [];
    const strip = (key: string) => (seen.push(key), key.replace(/^(OLD|NEW)_/, ''));
    const data = { OTHER: '0', OLD_URL: '1', NEW_URL: '2' };
    const e = refusal(() => convertSecretData(data, 'kv/A', strip, 'APP_'));
    expect(e.message).toBe('secret keys "OLD_URL" and "NEW_URL" at kv/A both map to "APP_URL"');
    expect(seen).toEqual(['OTHER', 'OLD_URL', 'NEW_URL']);
  });
});
