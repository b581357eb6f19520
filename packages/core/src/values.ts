/**
 * Secret values to environment strings, and key names to safe environment variable names.
 * Values: strings as is, numbers/booleans as text, objects/arrays as JSON, null as ''.
 */
import { VaultSecretError } from './errors';
import type { KeyTransform } from './options';

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export function toEnvValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  return JSON.stringify(value);
}

/** Throws VaultSecretError (VAULT_INVALID_KEY) naming the key if it cannot be an env var name. */
export function assertValidKey(key: string, path: string): void {
  let problem: string | undefined;
  if (key === '') problem = 'is empty';
  else if (key.includes('=')) problem = 'contains "="';
  else if (key.includes('\0')) problem = 'contains a NUL character';
  else if (FORBIDDEN_KEYS.has(key)) problem = 'is a reserved object property name';
  if (problem !== undefined) {
    throw new VaultSecretError(
      'VAULT_INVALID_KEY',
      `secret key ${JSON.stringify(key)} at ${path} ${problem} and cannot be an environment variable: rename it in Vault`,
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
      throw new VaultSecretError(
        'VAULT_INVALID_KEY',
        `keyTransform threw for key ${JSON.stringify(key)} at ${path}`,
        {
          keys: [key],
          path,
        },
      );
    }
  }
  if (typeof mapped !== 'string') {
    throw new VaultSecretError(
      'VAULT_INVALID_KEY',
      `keyTransform returned a non-string for key ${JSON.stringify(key)}`,
      {
        keys: [key],
        path,
      },
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
): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  const origin = new Map<string, string>();
  for (const rawKey of Object.keys(data)) {
    assertValidKey(rawKey, path);
    const key = mapKey(rawKey, path, transform, prefix);
    assertValidKey(key, path);
    const previous = origin.get(key);
    if (previous !== undefined) {
      throw new VaultSecretError(
        'VAULT_INVALID_KEY',
        `secret keys ${JSON.stringify(previous)} and ${JSON.stringify(rawKey)} at ${path} both map to ${JSON.stringify(key)}`,
        { keys: [previous, rawKey], path },
      );
    }
    origin.set(key, rawKey);
    out[key] = toEnvValue(data[rawKey]);
  }
  return out;
}

/** Later paths win on equal keys. */
export function mergeInOrder(records: Record<string, string>[]): Record<string, string> {
  const merged: Record<string, string> = Object.create(null);
  for (const record of records) Object.assign(merged, record);
  return merged;
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
