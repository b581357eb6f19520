/** Which forRoot options count as equal (and so share one manager). */
import { describe, expect, it } from 'vitest';
import { optionsKey } from '../src/loading/options-key';

const env = { VAULT_ADDR: 'http://vault:8200' };
const logger = { error: () => undefined, warn: () => undefined };
const transform = (key: string) => key;

describe('optionsKey', () => {
  it.each([
    ['key order does not matter', { path: 'A', required: ['X'] }, { required: ['X'], path: 'A' }, true],
    [
      'nested plain objects by content',
      { configModule: { isGlobal: true } },
      { configModule: { isGlobal: true } },
      true,
    ],
    ['undefined equals absent', { path: 'A', role: undefined }, { path: 'A' }, true],
    ['a different value differs', { path: 'A' }, { path: 'B' }, false],
    ['array order matters (later paths win)', { path: ['A', 'B'] }, { path: ['B', 'A'] }, false],
    ['the same env object', { env }, { env }, true],
    ['an equal but distinct env object', { env }, { env: { ...env } }, false],
    ['the same logger', { logger }, { logger }, true],
    ['an equal but distinct logger', { logger }, { logger: { ...logger } }, false],
    ['the same function', { keyTransform: transform }, { keyTransform: transform }, true],
    [
      'distinct functions with one body',
      { keyTransform: (k: string) => k },
      { keyTransform: (k: string) => k },
      false,
    ],
    ['equal buffers', { ca: Buffer.from('pem') }, { ca: Buffer.from('pem') }, true],
  ])('%s', (_name, a, b, equal) => {
    expect(optionsKey(a) === optionsKey(b)).toBe(equal);
  });
});
