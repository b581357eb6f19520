import { VaultConfigurationError } from '../errors';

const UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };

/** `1h`, `15m`, `30s`, `500ms`, `1d`, or a number of seconds → seconds. Strict: anything else throws. */
export function parseDuration(value: unknown, setting: string, option: string): number | undefined {
  if (value === undefined) return undefined;
  let seconds: number | undefined;
  if (typeof value === 'number') seconds = value;
  else if (typeof value === 'string') {
    const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(value.trim());
    if (match) seconds = Number(match[1]) * UNITS[match[2] ?? 's']!;
  }
  if (seconds === undefined || !Number.isFinite(seconds) || seconds <= 0) {
    throw new VaultConfigurationError(
      'VAULT_CONFIG_INVALID',
      `${setting} (option \`${option}\`) must be a positive duration like 30s, 15m, 1h or a number of seconds`,
      { setting },
    );
  }
  return seconds;
}
