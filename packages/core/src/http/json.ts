/**
 * JSON with numbers kept as written. A number that a JS number reproduces exactly (`42`, `3600`,
 * `0.5`) is a number; any other (`12345678901234567890`, `1.10`, `1e400`) stays a LosslessNumber
 * holding its source text, so a secret value converts to the text Vault stored.
 * lossless-json parses ~20× slower than JSON.parse, so it runs (and loads) only when a scan of the
 * text finds a number that JSON.parse would change. Response bodies do not come through here: the
 * transport parses them as they arrive (json-stream.ts), with parseNumber for each number.
 */
import type { LosslessNumber } from 'lossless-json';
import { lazyModule } from '../lazy';

/** Loaded at the first inexact number: most answers never need it. */
const losslessJson = lazyModule<typeof import('lossless-json')>('lossless-json');
let losslessLoaded = false;
function lossless(): typeof import('lossless-json') {
  losslessLoaded = true;
  return losslessJson();
}

/** A string token (skipped whole) or a number token outside strings. */
const TOKEN = /"[^"\\]*(?:\\.[^"\\]*)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;

function exact(text: string): boolean {
  return String(Number(text)) === text;
}

function hasInexactNumber(text: string): boolean {
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(text); m !== null; m = TOKEN.exec(text)) {
    if (m[0].charCodeAt(0) !== 34 && !exact(m[0])) return true;
  }
  return false;
}

export function parseNumber(text: string): number | LosslessNumber {
  return exact(text) ? Number(text) : new (lossless().LosslessNumber)(text);
}

export function parseJson(text: string): unknown {
  const value: unknown = JSON.parse(text);
  return hasInexactNumber(text) ? lossless().parse(text, null, parseNumber) : value;
}

/** JSON text of a parsed value, lossless numbers written back as their source text. */
export function stringifyJson(value: unknown): string {
  // Without lossless-json loaded no LosslessNumber exists, and JSON.stringify writes the same text.
  return (losslessLoaded ? lossless().stringify(value) : JSON.stringify(value)) ?? '';
}

export function isLosslessNumber(value: unknown): value is LosslessNumber {
  return losslessLoaded && lossless().isLosslessNumber(value);
}
