import { describe, expect, it } from 'vitest';
import { isLosslessNumber, parseJson, stringifyJson } from '../src/http/json';
import { toEnvValue } from '../src/values';

describe('JSON numbers keep their source text', () => {
  it.each([
    ['12345678901234567890', '12345678901234567890'],
    ['1.10', '1.10'],
    ['1e400', '1e400'],
    ['-0', '-0'],
    ['42', '42'],
    ['0.5', '0.5'],
    ['{"n":12345678901234567890,"l":[1.10,2]}', '{"n":12345678901234567890,"l":[1.10,2]}'],
    // An exponent is read whole: 1e-745 is 0 to a JS number, though 1e-7 and 45 alone are exact.
    ['1e-745', '1e-745'],
    ['1e+21', '1e+21'],
    // Strings are skipped whole, escapes included: the number after `"\\\\"` is still found.
    [String.raw`["\\",1.10,"x"]`, String.raw`["\\",1.10,"x"]`],
    [String.raw`["a\"b\"c",1.10]`, String.raw`["a\"b\"c",1.10]`],
  ])('%s → %s', (text, expected) => {
    expect(toEnvValue(parseJson(text))).toBe(expected);
  });

  it('keeps numbers a JS number holds exactly as numbers (lease durations, versions)', () => {
    expect(parseJson('{"lease_duration":3600,"version":2}')).toEqual({ lease_duration: 3600, version: 2 });
  });

  it('keeps a __proto__ key as an own property, as JSON.parse does', () => {
    const parsed = parseJson('{"__proto__":"x"}') as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});

describe('stringifyJson and isLosslessNumber', () => {
  it('a value JSON cannot write (undefined, a function) is the empty string', () => {
    expect(stringifyJson(undefined)).toBe('');
    expect(stringifyJson(() => 1)).toBe('');
  });

  it('tells a kept number from a plain one', () => {
    const parsed = parseJson('[12345678901234567890,42,"1.10"]') as unknown[];
    expect(parsed.map((v) => isLosslessNumber(v))).toEqual([true, false, false]);
    expect(stringifyJson(parsed)).toBe('[12345678901234567890,42,"1.10"]');
  });
});
