/**
 * The stand-in node-vault gets for axios and debug while it loads: nothing is loaded until the
 * stand-in is used, then every use goes to the real module. (The fresh-process side — what
 * `require()` of the built package loads — is in import-cost.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { deferred } from '../../src/http/node-vault';

class Real {
  static created = 0;
  constructor(readonly name: string) {
    Real.created++;
  }
}

function fakeModule() {
  const loads: string[] = [];
  const real = Object.assign((x: number) => x * 2, { flag: 'real', Real });
  const load = () => {
    loads.push('load');
    return real;
  };
  return { loads, real, load };
}

describe('deferred', () => {
  it('loads nothing until used, then forwards calls, reads, checks, writes and `new`', () => {
    const { loads, real, load } = fakeModule();
    const standIn = deferred(load) as unknown as typeof real & { extra?: number };
    expect(loads).toEqual([]);
    expect(standIn(21)).toBe(42);
    expect(standIn.flag).toBe('real');
    expect('flag' in standIn).toBe(true);
    expect('missing' in standIn).toBe(false);
    standIn.extra = 7;
    expect(real).toHaveProperty('extra', 7);
    const made = new (standIn.Real as typeof Real)('x');
    expect(made).toBeInstanceOf(Real);
    expect(made.name).toBe('x');
    // Each use asks the loader (which memoizes in loadNodeVault); nothing is cached here.
    expect(loads.length).toBeGreaterThan(0);
  });

  it('`new` on the stand-in constructs the real class', () => {
    const standIn = deferred(() => Real) as unknown as typeof Real;
    const before = Real.created;
    const made = new standIn('y');
    expect(made).toBeInstanceOf(Real);
    expect(Real.created).toBe(before + 1);
  });

  it('a call goes to onCall when given, without loading', () => {
    const { loads, load } = fakeModule();
    const calls: unknown[][] = [];
    const standIn = deferred(load, (args) => {
      calls.push(args);
      return 'logger';
    });
    expect(standIn('node-vault')).toBe('logger');
    expect(calls).toEqual([['node-vault']]);
    expect(loads).toEqual([]);
  });
});
