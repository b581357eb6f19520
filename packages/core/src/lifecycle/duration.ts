/**
 * One duration grammar for every setting: Go's `time.ParseDuration` (`1h30m`, `1.5s`, `300ms`), plus
 * `d` for days and a bare number meaning seconds — the forms Vault itself accepts for TTLs.
 */
import { VaultConfigurationError } from '../errors';

const UNIT_SECONDS: Record<string, number> = {
  ns: 1e-9,
  us: 1e-6,
  µs: 1e-6,
  μs: 1e-6,
  ms: 1e-3,
  s: 1,
  m: 60,
  h: 3600,
  d: 86_400,
};

const BARE_NUMBER = /^\d+(?:\.\d+)?$/;
const TERM = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h|d)/y;

/** Seconds, or undefined when `text` is not a duration. */
export function durationSeconds(text: string): number | undefined {
  const value = text.trim();
  if (BARE_NUMBER.test(value)) return Number(value);
  if (value === '') return undefined;
  let total = 0;
  TERM.lastIndex = 0;
  while (TERM.lastIndex < value.length) {
    const start = TERM.lastIndex;
    const match = TERM.exec(value);
    if (!match || match.index !== start) return undefined;
    total += Number(match[1]) * UNIT_SECONDS[match[2] as string]!;
  }
  return total;
}

export interface DurationBounds {
  /** Smallest accepted value, seconds (exclusive of 0 when omitted: the value must be positive). */
  minSeconds?: number;
  /** Largest accepted value, seconds. */
  maxSeconds?: number;
}

function describe(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400}d`;
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  if (seconds >= 1) return `${seconds}s`;
  return `${Math.round(seconds * 1000)}ms`;
}

/**
 * A positive duration in seconds from a number (seconds) or a string in the grammar above.
 * Undefined stays undefined; anything else is a VaultConfigurationError naming the setting.
 */
export function parseDuration(
  value: unknown,
  setting: string,
  option: string,
  bounds: DurationBounds = {},
): number | undefined {
  if (value === undefined) return undefined;
  let seconds: number | undefined;
  if (typeof value === 'number') seconds = value;
  else if (typeof value === 'string') seconds = durationSeconds(value);
  const fail = (problem: string): never => {
    throw new VaultConfigurationError(
      'VAULT_CONFIG_INVALID',
      `${setting} (option \`${option}\`) ${problem}`,
      {
        setting,
      },
    );
  };
  if (seconds === undefined || !Number.isFinite(seconds) || seconds <= 0) {
    fail(
      `must be a positive duration: a number of seconds or Go's form like 30s, 15m, 1h30m (got ${JSON.stringify(value)})`,
    );
  }
  const n = seconds as number;
  if (bounds.minSeconds !== undefined && n < bounds.minSeconds) {
    fail(`must be at least ${describe(bounds.minSeconds)} (got ${JSON.stringify(value)})`);
  }
  if (bounds.maxSeconds !== undefined && n > bounds.maxSeconds) {
    fail(`must be at most ${describe(bounds.maxSeconds)} (got ${JSON.stringify(value)})`);
  }
  return n;
}
