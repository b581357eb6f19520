/**
 * Secret values to environment strings, and key names to safe environment variable names.
 * Values: strings as is, numbers/booleans as text, objects/arrays as JSON, null as ''.
 */
import { VaultSecretError } from '../errors';
import { isLosslessNumber, stringifyJson } from '../http/json';
import { isEnvVarName, isReservedKey, safeKeyName } from './key-policy';
import type { KvSecret } from '../kv';
import type { KeyTransform, ResolvedOptions } from '../options';

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export function toEnvValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (isLosslessNumber(value)) return value.toString();
  return stringifyJson(value);
}

function invalidKey(
  key: string,
  path: string,
  problem: string,
  what = 'cannot be an environment variable: rename it in Vault',
): VaultSecretError {
  const shown = safeKeyName(key);
  return new VaultSecretError(
    'VAULT_INVALID_KEY',
    `secret key "${shown}" at ${path} ${problem} and ${what}`,
    {
      keys: [shown],
      path,
    },
  );
}

/** A key as stored in Vault: something a record and a transform can take. */
function assertRawKey(key: string, path: string): void {
  if (key === '') throw invalidKey(key, path, 'is empty');
  if (key.includes('=')) throw invalidKey(key, path, 'contains "="');
  if (key.includes('\0')) throw invalidKey(key, path, 'contains a NUL character');
  if (FORBIDDEN_KEYS.has(key)) throw invalidKey(key, path, 'is a reserved object property name');
}

/**
 * Throws VaultSecretError (VAULT_INVALID_KEY) naming the key (only its safe part) when it cannot be
 * an environment variable name, or when it steers the runtime (RESERVED_KEYS) and is not allowed.
 */
export function assertValidKey(key: string, path: string, allowed: readonly string[] = []): void {
  assertRawKey(key, path);
  if (!isEnvVarName(key)) {
    throw invalidKey(
      key,
      path,
      'is not a valid environment variable name (letters, digits, "_", "-", "." only; no leading digit)',
    );
  }
  if (isReservedKey(key, allowed)) {
    throw invalidKey(
      key,
      path,
      'is reserved: it steers the runtime (Node, the dynamic loader, proxies, PATH or this library)',
      `is refused by default: rename it in Vault, or allow it with VAULT_ALLOW_KEYS=${key}`,
    );
  }
}

/** Throws VaultSecretError (VAULT_INVALID_VALUE) naming the key, never the value. */
export function assertValidValue(key: string, value: string, path: string): void {
  if (value.includes('\0')) {
    throw new VaultSecretError(
      'VAULT_INVALID_VALUE',
      `the value of secret key "${key}" at ${path} contains a NUL character, which the environment would silently truncate: fix the value in Vault`,
      { keys: [key], path },
    );
  }
}

export function mapKey(key: string, path: string, transform: KeyTransform, prefix: string): string {
  let mapped = key;
  if (transform === 'upper') mapped = key.toUpperCase();
  else if (typeof transform === 'function') {
    try {
      mapped = transform(key, path);
    } catch {
      throw invalidKey(key, path, 'made keyTransform throw', 'cannot be mapped: fix keyTransform');
    }
  }
  if (typeof mapped !== 'string') {
    throw invalidKey(
      key,
      path,
      'was mapped to a non-string by keyTransform',
      'cannot be mapped: fix keyTransform',
    );
  }
  return `${prefix}${mapped}`;
}

/**
 * Converts one path's data: validates every raw and mapped key, refuses two raw keys mapping to one
 * name. Returns a null-prototype record so no key can reach Object.prototype.
 */
export function convertSecretData(
  data: Record<string, unknown>,
  path: string,
  transform: KeyTransform,
  prefix: string,
  allowed: readonly string[] = [],
): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  const rawKeys = Object.keys(data);
  // A keyTransform function is called once per key, so what it mapped is remembered; 'none' and
  // 'upper' can be mapped again on the refusal below.
  const origin = typeof transform === 'function' ? new Map<string, string>() : undefined;
  for (const rawKey of rawKeys) {
    assertRawKey(rawKey, path);
    const key = mapKey(rawKey, path, transform, prefix);
    assertValidKey(key, path, allowed);
    if (key in out) {
      const previous =
        origin?.get(key) ?? (rawKeys.find((k) => mapKey(k, path, transform, prefix) === key) as string);
      const [a, b] = [safeKeyName(previous), safeKeyName(rawKey)];
      throw new VaultSecretError(
        'VAULT_INVALID_KEY',
        `secret keys "${a}" and "${b}" at ${path} both map to "${key}"`,
        { keys: [a, b], path },
      );
    }
    origin?.set(key, rawKey);
    const value = toEnvValue(data[rawKey]);
    assertValidValue(key, value, path);
    out[key] = value;
  }
  return out;
}

/** Later paths win on equal keys. One record is returned as is: nothing to merge. */
export function mergeInOrder(records: Record<string, string>[]): Record<string, string> {
  if (records.length === 1) return records[0] as Record<string, string>;
  const merged: Record<string, string> = Object.create(null);
  for (const record of records) Object.assign(merged, record);
  return merged;
}

/** Every KV read converted (keys checked, transformed, prefixed) and merged: later paths win. */
export function convertReads(
  reads: readonly KvSecret[],
  options: Pick<ResolvedOptions, 'mountPoint' | 'keyTransform' | 'keyPrefix' | 'allowKeys'>,
): Record<string, string> {
  return mergeInOrder(
    reads.map((r) =>
      convertSecretData(
        r.data,
        `${options.mountPoint}/${r.path}`,
        options.keyTransform,
        options.keyPrefix,
        options.allowKeys,
      ),
    ),
  );
}

/** Required keys that are absent or empty. */
export function missingKeys(
  required: readonly string[],
  source: Readonly<Record<string, string | undefined>>,
): string[] {
  return required.filter((key) => {
    const value = Object.prototype.hasOwnProperty.call(source, key) ? source[key] : undefined;
    return value === undefined || value === '';
  });
}
