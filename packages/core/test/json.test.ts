import { describe, expect, it } from 'vitest';
import { parseJson } from '../src/http/json';
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
