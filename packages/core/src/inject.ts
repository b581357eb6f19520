/**
 * Writes secrets into the environment. Called only after every path was read and validated, so a
 * failed start-up injects nothing. `override: false` keeps variables that are already set.
 */
import type { EnvRecord } from './options';

export interface InjectResult {
  injected: string[];
  /** Already set and kept because override is false. */
  kept: string[];
}

export function injectSecrets(
  env: EnvRecord,
  secrets: Readonly<Record<string, string>>,
  override: boolean,
): InjectResult {
  const plan: [string, string][] = [];
  const kept: string[] = [];
  for (const key of Object.keys(secrets)) {
    if (!override && env[key] !== undefined) kept.push(key);
    else plan.push([key, secrets[key] as string]);
  }
  // Plan first, then assign: plain assignments cannot fail half-way on process.env or an object.
  for (const [key, value] of plan) env[key] = value;
  return { injected: plan.map(([key]) => key), kept };
}
