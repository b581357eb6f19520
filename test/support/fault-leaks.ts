/**
 * Leak checks: turn an error (message, stack, every own property, the `cause` chain) and anything
 * else printed into text, then look for canaries, JWTs and Vault-token-shaped strings.
 */
import { inspect } from 'node:util';

/** JWTs and Vault service/batch/recovery tokens. */
export const CREDENTIAL_SHAPE = /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}|\bhv[sbr]\.[A-Za-z0-9_-]{10,}/;

/** Every text an error exposes: message, stack, own properties (enumerable or not), causes. */
export function errorTexts(error: unknown, seen = new Set<unknown>()): string[] {
  if (error === null || error === undefined || seen.has(error)) return [];
  seen.add(error);
  if (typeof error !== 'object') return [String(error)];
  const texts = [String(error), inspect(error, { depth: 10, showHidden: true })];
  const own: Record<string, unknown> = {};
  for (const key of Object.getOwnPropertyNames(error)) own[key] = (error as Record<string, unknown>)[key];
  texts.push(JSON.stringify(own, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)));
  const toLogLine = (error as { toLogLine?: () => string }).toLogLine;
  if (typeof toLogLine === 'function') texts.push(toLogLine.call(error));
  return [...texts, ...errorTexts((error as { cause?: unknown }).cause, seen)];
}

/** Throws naming (the start of) the first secret found, or the credential shape. */
export function assertNoLeak(texts: readonly string[], secrets: readonly string[]): void {
  const all = texts.join('\n');
  for (const secret of secrets) {
    if (secret !== '' && all.includes(secret)) throw new Error(`secret leaked: ${secret.slice(0, 14)}…`);
  }
  const shaped = CREDENTIAL_SHAPE.exec(all);
  if (shaped) throw new Error(`a JWT- or token-shaped string leaked: ${shaped[0].slice(0, 8)}…`);
}
