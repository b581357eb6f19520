/** What the manager holds and writes into the environment, commit by commit, exactly. */
import { describe, expect, it } from 'vitest';
import { MAX_ENV_ENTRY_BYTES, fitsEnvironment, injectSecrets, tooLargeWarning } from '../src/inject';
import { SecretState } from '../src/inject/secret-state';

function state(
  o: {
    env?: Record<string, string | undefined>;
    inject?: boolean;
    override?: boolean;
    required?: string[];
    version?: number | null;
  } = {},
) {
  const env = o.env ?? {};
  const s = new SecretState({
    env,
    inject: o.inject ?? true,
    override: o.override ?? true,
    required: o.required ?? [],
    describeSources: () => 'kv/A, kv/B',
    version: o.version ?? null,
  });
  return { env, s };
}

const BIG = 'x'.repeat(MAX_ENV_ENTRY_BYTES);

describe('commitInitial', () => {
  it('KV then dynamic secrets, later wins; injected and kept named; get(), snapshot() and size follow', () => {
    const { env, s } = state({ env: { KEEP: 'mine', A: 'old' }, override: false });
    const result = s.commitInitial(
      { A: 'kv', KEEP: 'kv', B: 'b' },
      new Map([['database/creds/app', { B: 'dyn', U: 'u' }]]),
    );
    expect(result).toEqual({
      keys: ['A', 'KEEP', 'B', 'U'],
      injected: ['B', 'U'],
      kept: ['A', 'KEEP'],
      tooLarge: [],
    });
    expect(env).toEqual({ KEEP: 'mine', A: 'old', B: 'dyn', U: 'u' });
    expect(s.get('B')).toBe('dyn');
    expect(s.get('toString')).toBeUndefined();
    expect(s.snapshot()).toEqual({ A: 'kv', KEEP: 'kv', B: 'dyn', U: 'u' });
    expect(Object.isFrozen(s.snapshot())).toBe(true);
    expect(s.size).toBe(4);
  });

  it('inject: false writes nothing', () => {
    const { env, s } = state({ inject: false });
    expect(s.commitInitial({ A: '1' }, new Map())).toEqual({
      keys: ['A'],
      injected: [],
      kept: [],
      tooLarge: [],
    });
    expect(env).toEqual({});
    expect(s.commitKv({ A: '2' })).toEqual({ changed: ['A'], tooLarge: [] });
    expect(env).toEqual({});
    expect(s.get('A')).toBe('2');
  });

  it('a missing or empty required key: names every one, the sources and the setting; nothing changes', () => {
    const { env, s } = state({ required: ['A', 'B', 'C'] });
    expect(() => s.commitInitial({ A: '1', B: '' }, new Map())).toThrow(
      expect.objectContaining({
        code: 'VAULT_REQUIRED_KEYS_MISSING',
        keys: ['B', 'C'],
        setting: 'VAULT_PATH',
        message:
          'required keys missing from Vault: B, C (read kv/A, kv/B): add them in Vault or fix VAULT_PATH',
      }),
    );
    expect(env).toEqual({});
    expect(s.size).toBe(0);
  });

  it('with a pinned version the message and the setting say so', () => {
    const { s } = state({ required: ['A'], version: 3 });
    expect(() => s.commitInitial({}, new Map())).toThrow(
      expect.objectContaining({
        setting: 'VAULT_SECRET_VERSION',
        message:
          'required keys missing from Vault: A (read kv/A, kv/B version 3, pinned by VAULT_SECRET_VERSION,): add them in Vault or fix VAULT_PATH or VAULT_SECRET_VERSION',
      }),
    );
  });
});

describe('snapshot', () => {
  it('is one frozen plain object per commit: the same until a change, a new one after', () => {
    const { s } = state();
    s.commitInitial({ A: '1', toString: 't' }, new Map());
    const first = s.snapshot();
    expect(s.snapshot()).toBe(first);
    expect(Object.getPrototypeOf(first)).toBe(Object.prototype);
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.keys(first)).toEqual(['A', 'toString']);
    expect(s.get('toString')).toBe('t');
    expect(s.get('valueOf')).toBeUndefined();

    expect(s.commitKv({ A: '1', toString: 't' })).toEqual({ changed: [], tooLarge: [] });
    expect(s.snapshot()).toBe(first);

    expect(s.commitKv({ A: '2' })).toEqual({ changed: ['A', 'toString'], tooLarge: [] });
    expect(s.snapshot()).not.toBe(first);
    expect(s.snapshot()).toEqual({ A: '2' });
    // What a caller already holds does not move under it.
    expect(first).toEqual({ A: '1', toString: 't' });
  });
});

describe('commitKv and commitDynamic', () => {
  it('report what changed; an unchanged refresh changes nothing and writes nothing', () => {
    const { env, s } = state();
    s.commitInitial({ A: '1', B: '2' }, new Map([['db', { U: 'u1' }]]));
    env.A = 'touched by the app';
    expect(s.commitKv({ A: '1', B: '2' })).toEqual({ changed: [], tooLarge: [] });
    expect(env.A).toBe('touched by the app');
    expect(s.commitKv({ A: '1', C: '3' })).toEqual({ changed: ['C', 'B'], tooLarge: [] });
    expect(env).toMatchObject({ C: '3', U: 'u1' });
    expect('B' in env).toBe(false);
    expect(s.commitDynamic('db', { U: 'u2' })).toEqual({ changed: ['U'], tooLarge: [] });
    expect(env.U).toBe('u2');
    expect(s.snapshot()).toEqual({ A: '1', C: '3', U: 'u2' });
  });

  it('a dynamic secret keeps winning over KV after a refresh', () => {
    const { s } = state();
    s.commitInitial({ U: 'kv' }, new Map([['db', { U: 'dyn' }]]));
    s.commitKv({ U: 'kv2' });
    expect(s.get('U')).toBe('dyn');
    s.commitDynamic('other', { V: 'v' });
    expect(s.snapshot()).toEqual({ U: 'dyn', V: 'v' });
  });

  it('a refresh that would drop a required key changes nothing, not even the KV it holds', () => {
    const { env, s } = state({ required: ['A'] });
    s.commitInitial({ A: '1' }, new Map());
    expect(() => s.commitKv({ B: '2' })).toThrow(
      expect.objectContaining({ code: 'VAULT_REQUIRED_KEYS_MISSING' }),
    );
    expect(s.snapshot()).toEqual({ A: '1' });
    expect(env).toEqual({ A: '1' });
    expect(s.commitDynamic('db', { U: 'u' })).toEqual({ changed: ['U'], tooLarge: [] });
    expect(s.snapshot()).toEqual({ A: '1', U: 'u' });
  });

  it('override: false still updates keys this manager wrote, and leaves the app’s own alone', () => {
    const { env, s } = state({ env: { MINE: 'app' }, override: false });
    s.commitInitial({ OURS: '1' }, new Map());
    s.commitKv({ OURS: '2', MINE: 'vault', NEW: 'n' });
    expect(env).toEqual({ MINE: 'app', OURS: '2', NEW: 'n' });
    s.commitKv({});
    expect(env).toEqual({ MINE: 'app' });
  });

  it('a changed value too large for the environment is taken out of it and reported', () => {
    const { env, s } = state();
    s.commitInitial({ A: 'small' }, new Map());
    expect(s.commitKv({ A: BIG })).toEqual({ changed: ['A'], tooLarge: [{ key: 'A', bytes: BIG.length }] });
    expect('A' in env).toBe(false);
    expect(s.get('A')).toBe(BIG);
    expect(s.commitKv({ A: 'small again' })).toEqual({ changed: ['A'], tooLarge: [] });
    expect(env.A).toBe('small again');
  });
});

describe('inject', () => {
  it('fits: NAME=value plus its NUL within 128 KiB, the bound included', () => {
    const value = 'v'.repeat(MAX_ENV_ENTRY_BYTES - 3);
    expect(fitsEnvironment('K', value)).toBe(true);
    expect(fitsEnvironment('K', `${value}v`)).toBe(false);
    expect(fitsEnvironment('K', 'é'.repeat((MAX_ENV_ENTRY_BYTES - 3) / 2 + 1))).toBe(false);
  });

  it('plans first: too large, kept and injected; the warning names keys and sizes only', () => {
    const env: Record<string, string | undefined> = { SET: 'x' };
    expect(injectSecrets(env, { SET: 'y', BIG, OK: 'ok' }, false)).toEqual({
      injected: ['OK'],
      kept: ['SET'],
      tooLarge: [{ key: 'BIG', bytes: BIG.length }],
    });
    expect(env).toEqual({ SET: 'x', OK: 'ok' });
    expect(tooLargeWarning([])).toBeUndefined();
    expect(
      tooLargeWarning([
        { key: 'BIG', bytes: 131_073 },
        { key: 'B2', bytes: 2048 },
      ]),
    ).toBe(
      'not injected into the environment, over its 128 KiB limit per variable (a child process would fail with E2BIG): BIG (129 KiB), B2 (2 KiB); read them with get()',
    );
  });
});
