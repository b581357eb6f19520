/**
 * The parsers of the settings table: each turns an option value or a (trimmed) environment value
 * into the typed setting, or throws a VaultConfigurationError naming the variable and the option.
 * Undefined stays undefined, so the table's default applies. Credentials are never echoed.
 */
import { describeAddress } from './address';
import { VaultConfigurationError } from '../errors';
import { parseDuration } from '../lifecycle/duration';
import type { HealthBody, KeyTransform, KvVersion } from './types';

/** Which setting is being read: its environment variable (or the option name when it has none). */
export interface Where {
  setting: string;
  option: string;
}

export type Parser<T> = (value: unknown, where: Where) => T | undefined;

export function fail(where: Where, problem: string): never {
  const named =
    where.setting === where.option
      ? `option \`${where.option}\``
      : `${where.setting} (option \`${where.option}\`)`;
  throw new VaultConfigurationError('VAULT_CONFIG_INVALID', `${named} ${problem}`, {
    setting: where.setting,
  });
}

export const text: Parser<string> = (value, where) => {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') fail(where, 'must be a string');
  const trimmed = value.trim();
  if (trimmed === '') fail(where, 'must not be empty');
  return trimmed;
};

/** A credential: checked, never quoted back. */
export const secret: Parser<string> = (value, where) => {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') fail(where, 'must be a non-empty string');
  return value.trim();
};

export function number(rule: {
  min: number;
  minExclusive?: boolean;
  integer?: boolean;
  max?: number;
}): Parser<number> {
  return (value, where) => {
    if (value === undefined) return undefined;
    let n: number;
    if (typeof value === 'number') n = value;
    else if (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim())) n = Number(value.trim());
    else fail(where, `must be a ${rule.integer ? 'whole' : ''} number (got ${JSON.stringify(value)})`);
    const tooSmall = rule.minExclusive ? n <= rule.min : n < rule.min;
    if (!Number.isFinite(n) || tooSmall || (rule.integer && !Number.isInteger(n))) {
      const bound = rule.minExclusive ? `greater than ${rule.min}` : `at least ${rule.min}`;
      fail(where, `must be a ${rule.integer ? 'whole number' : 'number'} ${bound} (got ${String(value)})`);
    }
    if (rule.max !== undefined && n > rule.max) fail(where, `must be at most ${rule.max} (got ${n})`);
    return n;
  };
}

/** Seconds or Go's form (`30s`, `1h30m`), in milliseconds; `allowZero` lets `0` mean "at once". */
export function duration(bounds: {
  minSeconds?: number;
  maxSeconds: number;
  allowZero?: boolean;
}): Parser<number> {
  return (value, where) => {
    if (bounds.allowZero && (value === 0 || value === '0')) return 0;
    const seconds = parseDuration(value, where.setting, where.option, bounds);
    return seconds === undefined ? undefined : Math.round(seconds * 1000);
  };
}

/** Go's strconv.ParseBool, like the Vault CLI: anything else is an error, never a guess. */
export const strictBoolean: Parser<boolean> = (value, where) => {
  if (value === undefined) return undefined;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(value)) return true;
    if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(value)) return false;
  }
  return fail(where, `must be true or false (got ${JSON.stringify(value)})`);
};

/** A programmatic flag: a real boolean only. */
export const flag: Parser<boolean> = (value, where) => {
  if (value !== undefined && typeof value !== 'boolean') fail(where, 'must be a boolean');
  return value as boolean | undefined;
};

export const address: Parser<string> = (value, where) => {
  const raw = text(value, where);
  if (raw === undefined) return undefined;
  // Quoted only through describeAddress: an address may carry user:password@ or ?token=.
  const shown = describeAddress(raw);
  if (!/^https?:\/\//i.test(raw)) fail(where, `must start with http:// or https:// (got "${shown}")`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return fail(where, `is not a valid URL (got "${shown}")`);
  }
  if (url.hostname === '') fail(where, `has no host (got "${shown}")`);
  if (url.username || url.password) fail(where, `must not contain credentials (got "${shown}")`);
  if (url.search || url.hash) fail(where, `must not have a query or fragment (got "${shown}")`);
  return `${url.protocol}//${url.host}${url.pathname}`.replace(/\/+$/, '');
};

function segments(value: string, where: Where): string {
  const cleaned = value.trim().replace(/^\/+|\/+$/g, '');
  if (cleaned === '') fail(where, 'has an empty entry');
  if (cleaned.split('/').some((s) => s === '' || s === '.' || s === '..')) {
    fail(where, `has an invalid path "${cleaned}" (empty, "." or ".." segment)`);
  }
  return cleaned;
}

/** A mount path: leading and trailing slashes dropped, no empty, "." or ".." segment. */
export const mount: Parser<string> = (value, where) =>
  value === undefined ? undefined : segments(String(value), where);

export const paths: Parser<string[]> = (value, where) => {
  if (value === undefined) return undefined;
  let list: unknown[];
  if (typeof value === 'string') list = value.split(',');
  else if (Array.isArray(value)) list = value;
  else return fail(where, 'must be a string or an array of strings');
  return list.map((p) => {
    if (typeof p !== 'string') fail(where, 'must contain strings only');
    return segments(p, where);
  });
};

export const kvVersion: Parser<KvVersion> = (value, where) => {
  if (value === undefined) return undefined;
  if (value === 1 || value === '1') return 1;
  if (value === 2 || value === '2') return 2;
  if (value === 'auto') return 'auto';
  return fail(where, `must be 1, 2 or auto (got ${JSON.stringify(value)})`);
};

export const keyTransform: Parser<KeyTransform> = (value, where) => {
  if (value === undefined) return undefined;
  if (value === 'none' || value === 'upper' || typeof value === 'function') return value as KeyTransform;
  return fail(where, `must be none, upper or a function (got ${JSON.stringify(value)})`);
};

export const keyPrefix: Parser<string> = (value, where) => {
  if (value !== undefined && (typeof value !== 'string' || /[=\0]/.test(value)))
    fail(where, 'must be a string without "=" or NUL');
  return value as string | undefined;
};

/** Key names, comma-separated or an array; upper-cased, as the reserved names are matched. */
export const keyList: Parser<string[]> = (value, where) => {
  if (value === undefined) return undefined;
  const list = typeof value === 'string' ? value.split(',') : value;
  if (!Array.isArray(list) || list.some((k) => typeof k !== 'string'))
    fail(where, 'must be a comma-separated list (or an array) of key names');
  return (list as string[]).map((k) => k.trim().toUpperCase()).filter((k) => k !== '');
};

export const requiredKeys: Parser<string[]> = (value, where) => {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((k) => typeof k !== 'string' || k === ''))
    fail(where, 'must be an array of non-empty key names');
  return [...(value as string[])];
};

export const healthBody: Parser<HealthBody> = (value, where) => {
  if (value === undefined) return undefined;
  if (value === 'full' || value === 'minimal') return value;
  return fail(where, `must be full or minimal (got ${JSON.stringify(value)})`);
};

/** Checked later, against the other settings (only when Vault is on). */
export const raw: Parser<unknown> = (value) => value;

/** A value the type system already checks (a function, an object): taken as given. */
export function given<T>(): Parser<T> {
  return (value) => value as T | undefined;
}
