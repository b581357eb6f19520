/**
 * Writes secrets into the environment. Called only after every path was read and validated, so a
 * failed start-up injects nothing. `override: false` keeps variables that are already set.
 */
import type { EnvRecord } from '../options';

/**
 * Linux refuses to start a child process whose environment holds one `NAME=value` string over
 * MAX_ARG_STRLEN (32 pages: 128 KiB, the trailing NUL included): every later spawn would fail with
 * E2BIG. Such values stay out of the environment (they are still served by `get()`).
 */
export const MAX_ENV_ENTRY_BYTES = 128 * 1024;

export function fitsEnvironment(key: string, value: string): boolean {
  return Buffer.byteLength(key) + 1 + Buffer.byteLength(value) + 1 <= MAX_ENV_ENTRY_BYTES;
}

export interface InjectResult {
  injected: string[];
  /** Already set and kept because override is false. */
  kept: string[];
  /** Too large for the environment: left out, with their size in bytes. */
  tooLarge: { key: string; bytes: number }[];
}

export function injectSecrets(
  env: EnvRecord,
  secrets: Readonly<Record<string, string>>,
  override: boolean,
): InjectResult {
  const plan: string[] = [];
  const kept: string[] = [];
  const tooLarge: InjectResult['tooLarge'] = [];
  for (const key of Object.keys(secrets)) {
    const value = secrets[key] as string;
    if (!fitsEnvironment(key, value)) tooLarge.push({ key, bytes: Buffer.byteLength(value) });
    else if (!override && env[key] !== undefined) kept.push(key);
    else plan.push(key);
  }
  // Plan first, then assign: plain assignments cannot fail half-way on process.env or an object.
  for (const key of plan) env[key] = secrets[key] as string;
  return { injected: plan, kept, tooLarge };
}

/** The one warning for values left out of the environment: key names and sizes, never values. */
export function tooLargeWarning(tooLarge: InjectResult['tooLarge']): string | undefined {
  if (tooLarge.length === 0) return undefined;
  const list = tooLarge.map((t) => `${t.key} (${Math.ceil(t.bytes / 1024)} KiB)`).join(', ');
  return `not injected into the environment, over its ${MAX_ENV_ENTRY_BYTES / 1024} KiB limit per variable (a child process would fail with E2BIG): ${list}; read them with get()`;
}
