import { randomBytes, randomInt } from 'node:crypto';

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function base62(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += BASE62[randomInt(BASE62.length)];
  return out;
}

export const randomHex = (bytes: number): string => randomBytes(bytes).toString('hex');

/** Vault's default and system max lease TTL: 768h. */
export const SYSTEM_MAX_TTL = 2_764_800;

/** Parses Vault duration input: integer seconds or Go-style strings like `1h30m`, `90s`. */
export function parseDuration(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'number') return Math.floor(value);
  if (typeof value !== 'string') throw new Error(`invalid duration ${JSON.stringify(value)}`);
  if (/^\d+$/.test(value)) return Number(value);
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s|d)/g;
  let total = 0;
  let consumed = 0;
  for (const m of value.matchAll(re)) {
    const n = Number(m[1]);
    const unit = m[2];
    total +=
      unit === 'h'
        ? n * 3600
        : unit === 'm'
          ? n * 60
          : unit === 'd'
            ? n * 86400
            : unit === 'ms'
              ? n / 1000
              : n;
    consumed += m[0].length;
  }
  if (consumed !== value.length) throw new Error(`time: invalid duration "${value}"`);
  return Math.floor(total);
}

/** Go's `time.Duration.String()` for whole seconds: `1h0m0s`, `10m0s`, `45s`. */
export function goDuration(seconds: number): string {
  if (seconds === 0) return '0s';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

/** Vault's time format: RFC3339 with nanoseconds in UTC. */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);
