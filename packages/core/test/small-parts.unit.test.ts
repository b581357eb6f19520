/** The core's small modules, exactly: key policy, JSON numbers, errors, status, address masking, logger. */
import { describe, expect, it } from 'vitest';
import {
  VaultAuthenticationError,
  VaultConfigurationError,
  VaultError,
  VaultSecretError,
  isVaultError,
  startupErrorLine,
} from '../src/errors';
import { describeAddress } from '../src/options/address';
import { VaultHttpError } from '../src/http/http-error';
import { parseJson, stringifyJson } from '../src/http/json';
import { RESERVED_KEYS, isEnvVarName, isReservedKey, safeKeyName } from '../src/values/key-policy';
import { createLogger, describeKeys } from '../src/logger';
import { StatusStore, toLastError } from '../src/status';

describe('key policy', () => {
  it.each([
    ...RESERVED_KEYS,
    'node_options',
    'LD_PRELOAD',
    'DYLD_INSERT_LIBRARIES',
    'VAULT_ADDR',
    'https_proxy',
  ])('%s is reserved unless allowed', (name) => {
    expect(isReservedKey(name)).toBe(true);
    expect(isReservedKey(name, [name.toUpperCase()])).toBe(false);
  });

  it.each(['NODE_ENV', 'node_env', 'DATABASE_URL', 'PATHS', 'XNODE_OPTIONS', 'ENVIRONMENT'])(
    '%s is not',
    (name) => {
      expect(isReservedKey(name)).toBe(false);
    },
  );

  it.each([
    ['DATABASE_URL', 'DATABASE_URL'],
    ['', ''],
    ['a.b-c', 'a.b-c'],
    ['DATABASE_URL=postgres://app:pw@db', 'DATABASE_URL=***'],
    ['API KEY 123', 'API ***'],
    ['host:5432', 'host:***'],
    ['A/B', 'A***'],
    ['1ABC', '1ABC***'],
    [`${'K'.repeat(300)}`, `${'K'.repeat(40)}***`],
    [`${'K'.repeat(256)}`, 'K'.repeat(256)],
    [`${'K'.repeat(50)}=x`, `${'K'.repeat(40)}=***`],
  ])('safeKeyName(%j) = %j', (name, shown) => {
    expect(safeKeyName(name)).toBe(shown);
  });

  it('env var names: letters, digits, _ - . and no leading digit', () => {
    expect(['A', '_a', '.x', '-y', 'a1.b-c_d'].every(isEnvVarName)).toBe(true);
    expect(['', '1a', 'a b', 'a=b', 'ä'].some(isEnvVarName)).toBe(false);
  });
});

describe('JSON numbers kept as written', () => {
  it.each([
    ['{"a":12345678901234567890}', '{"a":12345678901234567890}'],
    ['{"a":1.10}', '{"a":1.10}'],
    ['{"a":1e400}', '{"a":1e400}'],
    ['{"a":1E+2}', '{"a":1E+2}'],
    ['{"a":-0.50}', '{"a":-0.50}'],
    ['{"s":"1.10","a":1}', '{"s":"1.10","a":1}'],
    ['{"s":"x\\"1.10","a":2}', '{"s":"x\\"1.10","a":2}'],
  ])('%s round-trips exactly', (text, back) => {
    expect(stringifyJson(parseJson(text))).toBe(back);
  });

  it('numbers a JS number keeps are plain numbers; strings are never numbers', () => {
    expect(parseJson('{"a":42,"b":0.5,"c":"12345678901234567890"}')).toEqual({
      a: 42,
      b: 0.5,
      c: '12345678901234567890',
    });
    expect(typeof (parseJson('{"a":1e2}') as { a: unknown }).a).toBe('object');
  });
});

describe('VaultError', () => {
  it('carries only the details given, a status message that is not enumerable, and a cause', () => {
    const cause = new Error('inner');
    const e = new VaultSecretError('VAULT_SECRET_NOT_FOUND', 'no secret (HTTP 404: x)', {
      setting: 'VAULT_PATH',
      keys: ['A'],
      status: 404,
      path: '/v1/kv/data/A',
      attempts: 2,
      statusMessage: 'no secret (HTTP 404)',
      cause,
    });
    expect(e).toMatchObject({
      name: 'VaultSecretError',
      code: 'VAULT_SECRET_NOT_FOUND',
      setting: 'VAULT_PATH',
      keys: ['A'],
      status: 404,
      path: '/v1/kv/data/A',
      attempts: 2,
      statusMessage: 'no secret (HTTP 404)',
    });
    expect(e.cause).toBe(cause);
    expect(Object.keys(e)).not.toContain('statusMessage');
    const bare = new VaultConfigurationError('VAULT_CONFIG_INVALID', 'bad');
    expect(bare.statusMessage).toBe('bad');
    expect([bare.setting, bare.keys, bare.status, bare.path, bare.attempts]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect('cause' in bare).toBe(false);
  });

  it('instanceof and isVaultError work by brand, each class only for its own kind', () => {
    const auth = new VaultAuthenticationError('VAULT_LOGIN_REJECTED', 'x');
    expect(auth instanceof VaultError).toBe(true);
    expect(auth instanceof VaultAuthenticationError).toBe(true);
    expect(auth instanceof VaultSecretError).toBe(false);
    expect(isVaultError(auth)).toBe(true);
    expect(isVaultError({ code: 'X' })).toBe(false);
    expect(isVaultError(null)).toBe(false);
    expect(isVaultError('VaultError')).toBe(false);
    class PlainError extends VaultError {
      constructor(code: 'VAULT_CONFIG_INVALID', message: string) {
        super(code, message);
      }
    }
    const plain = new PlainError('VAULT_CONFIG_INVALID', 'x');
    expect(plain instanceof VaultConfigurationError).toBe(false);
    // A copy from another realm or bundle carries the same global-symbol brand.
    const foreign = Object.defineProperty({}, Symbol.for('@vault-config/core.VaultError'), {
      value: ['VaultError', 'VaultSecretError'],
    });
    expect(foreign instanceof VaultSecretError).toBe(true);
    expect(Object.getOwnPropertySymbols(auth).every((s) => !Object.keys(auth).includes(String(s)))).toBe(
      true,
    );
    expect(JSON.stringify(auth)).not.toContain('VaultError"');
  });

  it('one start-up line per kind of failure', () => {
    expect(startupErrorLine(new VaultSecretError('VAULT_ACCESS_DENIED', 'denied'))).toBe(
      'VaultSecretError [VAULT_ACCESS_DENIED]: denied',
    );
    expect(startupErrorLine(new TypeError('bad'))).toBe('TypeError: bad');
    expect(startupErrorLine('boom')).toBe('Error: boom');
  });
});

describe('VaultHttpError', () => {
  it('names itself and its status; joins Vault’s errors', () => {
    const e = new VaultHttpError(503, ['sealed', 'try later'], {}, '/v1/x', null);
    expect(e.name).toBe('VaultHttpError');
    expect(e.message).toBe('HTTP 503');
    expect(e.vaultMessage).toBe('sealed; try later');
    const bad = new VaultHttpError(200, [], {}, '/v1/x', undefined, true);
    expect(bad.message).toBe('unparseable response (HTTP 200)');
  });
});

describe('status', () => {
  it('toLastError: our errors by their status message; others named only', () => {
    const at = new Date(Date.UTC(2026, 0, 1));
    const ours = new VaultSecretError('VAULT_ACCESS_DENIED', 'denied (HTTP 403: x)', {
      statusMessage: 'denied (HTTP 403)',
    });
    expect(toLastError(ours, at)).toEqual({
      name: 'VaultSecretError',
      code: 'VAULT_ACCESS_DENIED',
      message: 'denied (HTTP 403)',
      at: '2026-01-01T00:00:00.000Z',
    });
    expect(toLastError(new RangeError('secret inside'), at)).toEqual({
      name: 'RangeError',
      code: 'UNKNOWN',
      message: 'RangeError (details withheld)',
      at: '2026-01-01T00:00:00.000Z',
    });
    expect(toLastError('text', at)).toMatchObject({ name: 'Error', message: 'Error (details withheld)' });
  });

  it('the store hands out fresh copies in the documented key order, and completes', () => {
    const initial = {
      authenticated: false,
      secrets_loaded: false,
      vault_url: 'http://v',
      vault_path: 'A',
      vault_role: null,
      state: 'loading' as const,
      auth_method: 'token' as const,
      keys: 0,
      loaded_at: null,
      token_expires_at: null,
      last_error: null,
    };
    const store = new StatusStore({
      ...initial,
      last_error: { name: 'E', code: 'C', message: 'm', at: 'x' },
    });
    const seen: string[] = [];
    let done = false;
    store.status$.subscribe({ next: (s) => seen.push(s.state), complete: () => (done = true) });
    const a = store.get();
    a.last_error!.code = 'CHANGED';
    expect(store.get().last_error?.code).toBe('C');
    const next = store.update({ state: 'ready', keys: 3, last_error: null });
    expect(Object.keys(next)).toEqual(Object.keys(initial));
    expect(next).toMatchObject({ state: 'ready', keys: 3, vault_url: 'http://v', last_error: null });
    store.complete();
    expect(seen).toEqual(['loading', 'ready']);
    expect(done).toBe(true);
  });
});

describe('describeAddress masks credentials, query and fragment', () => {
  it.each([
    ['https://user:pw@vault:8200/x', 'https://***@vault:8200/x'],
    ['//user:pw@vault', '//***@vault'],
    ['user:pw@vault', '***@vault'],
    ['http://vault/x?token=abc&y=1#frag', 'http://vault/x?***#***'],
    ['http://vault/#a#b', 'http://vault/#***'],
    ['http://vault:8200', 'http://vault:8200'],
    ['http://vault/p@th', 'http://vault/p@th'],
  ])('%s → %s', (raw, shown) => {
    expect(describeAddress(raw)).toBe(shown);
  });
});

describe('logger', () => {
  it('prefixes every line; debug only when a logger was given; log() when there is no info()', () => {
    const lines: string[] = [];
    const log = createLogger({
      debug: (m: string) => lines.push(`debug ${m}`),
      info: (m: string) => lines.push(`info ${m}`),
      warn: (m: string) => lines.push(`warn ${m}`),
      error: (m: string) => lines.push(`error ${m}`),
    });
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    expect(lines).toEqual([
      'debug [vault-config] d',
      'info [vault-config] i',
      'warn [vault-config] w',
      'error [vault-config] e',
    ]);
    const only: string[] = [];
    const noInfo = createLogger({
      log: (m: string) => only.push(`log ${m}`),
      warn: () => undefined,
      error: () => undefined,
    } as never);
    noInfo.info('x');
    noInfo.debug('y');
    expect(only).toEqual(['log [vault-config] x']);
  });

  it('describeKeys shows up to the limit whole, then how many more', () => {
    expect(describeKeys(['A', 'B', 'C'], 3)).toBe('A, B, C');
    expect(describeKeys(['A', 'B', 'C', 'D'], 3)).toBe('A, B, C, … (1 more)');
    expect(describeKeys([])).toBe('');
  });
});
