/**
 * JSON with numbers kept as written. A number that a JS number reproduces exactly (`42`, `3600`,
 * `0.5`) is a number; any other (`12345678901234567890`, `1.10`, `1e400`) stays a LosslessNumber
 * holding its source text, so a secret value converts to the text Vault stored.
 */
import { isLosslessNumber, LosslessNumber, parse, stringify } from 'lossless-json';

function parseNumber(text: string): number | LosslessNumber {
  const n = Number(text);
  return String(n) === text ? n : new LosslessNumber(text);
}

export function parseJson(text: string): unknown {
  return parse(text, null, parseNumber);
}

/** JSON text of a parsed value, lossless numbers written back as their source text. */
export function stringifyJson(value: unknown): string {
  return stringify(value) ?? '';
}

export { isLosslessNumber };
