/** The lifecycle settings: refresh interval, token revocation and dynamic secrets, from options or env. */
import { describe, expect, it } from 'vitest';
import { VaultConfigurationError } from '../../src/errors';
import { resolveOptions } from '../../src/options';

const base = {
  VAULT_ADDR: 'http://vault:8200',
  VAULT_ROLE: 'dev-myapp',
  VAULT_PATH: 'ACME/DEV/MYAPP',
  VAULT_K8S_AUTH_MOUNT_POINT: 'kubernetes-dev-myapp',
};
const lifecycle = (env: Record<string, string>, extra: object = {}) =>
  resolveOptions({ env: { ...base, ...env }, ...extra }).lifecycle;

function refused(env: Record<string, string>, extra: object = {}): VaultConfigurationError {
  try {
    lifecycle(env, extra);
  } catch (error) {
    expect(error).toBeInstanceOf(VaultConfigurationError);
    return error as VaultConfigurationError;
  }
  throw new Error('expected a VaultConfigurationError');
}

describe('revokeToken', () => {
  it('start-up only with a login of ours: revoked by default, kept when told', () => {
    expect(lifecycle({})).toEqual({ refreshIntervalMs: null, revokeToken: true, dynamic: [] });
    expect(lifecycle({ VAULT_REVOKE_TOKEN: 'false' }).revokeToken).toBe(false);
    expect(lifecycle({}, { revokeToken: false }).revokeToken).toBe(false);
  });

  it('a token handed to us is kept by default, revoked only when told', () => {
    const token = { VAULT_TOKEN: 'hvs.abcdefghijklmnopqrstuvwx', VAULT_ROLE: '' };
    expect(lifecycle(token).revokeToken).toBe(false);
    expect(lifecycle({ ...token, VAULT_REVOKE_TOKEN: 'true' }).revokeToken).toBe(true);
  });

  it('refresh and dynamic modes keep the token whatever is asked', () => {
    expect(lifecycle({ VAULT_REFRESH_INTERVAL: '60', VAULT_REVOKE_TOKEN: 'true' }).revokeToken).toBe(false);
    expect(
      lifecycle({ VAULT_DYNAMIC: '[{"path":"database/creds/app"}]', VAULT_REVOKE_TOKEN: 'true' }).revokeToken,
    ).toBe(false);
  });

  it('is a strict boolean, naming the variable', () => {
    const e = refused({ VAULT_REVOKE_TOKEN: 'maybe' });
    expect(e.setting).toBe('VAULT_REVOKE_TOKEN');
    expect(e.message).toBe('VAULT_REVOKE_TOKEN (option `revokeToken`) must be true or false (got "maybe")');
  });
});

describe('refreshInterval', () => {
  it('in seconds or a Go duration, to milliseconds', () => {
    expect(lifecycle({ VAULT_REFRESH_INTERVAL: '90' }).refreshIntervalMs).toBe(90_000);
    expect(lifecycle({ VAULT_REFRESH_INTERVAL: '1m30s' }).refreshIntervalMs).toBe(90_000);
    expect(lifecycle({}, { refreshInterval: 1.5 }).refreshIntervalMs).toBe(1_500);
  });

  it('at least a second and at most a year, both bounds included', () => {
    expect(lifecycle({ VAULT_REFRESH_INTERVAL: '1' }).refreshIntervalMs).toBe(1_000);
    expect(lifecycle({ VAULT_REFRESH_INTERVAL: '8760h' }).refreshIntervalMs).toBe(365 * 86_400_000);
    for (const bad of ['0.5', '8761h', '0', '-5', 'often']) {
      const e = refused({ VAULT_REFRESH_INTERVAL: bad });
      expect(e.setting, bad).toBe('VAULT_REFRESH_INTERVAL');
      expect(e.message, bad).toContain('refreshInterval');
    }
  });
});

describe('dynamic', () => {
  it('JSON from the env or an array in code; slashes trimmed, keys kept', () => {
    expect(
      lifecycle({ VAULT_DYNAMIC: '[{"path":"/database/creds/app/","keys":{"username":"DB_USER"}}]' }).dynamic,
    ).toEqual([{ path: 'database/creds/app', keys: { username: 'DB_USER' } }]);
    expect(lifecycle({}, { dynamic: [{ path: 'aws/creds/x' }] }).dynamic).toEqual([{ path: 'aws/creds/x' }]);
    expect(lifecycle({ VAULT_DYNAMIC: '[]' }).dynamic).toEqual([]);
    expect(lifecycle({ VAULT_DYNAMIC: '[{"path":"//db/creds/app//"}]' }).dynamic).toEqual([
      { path: 'db/creds/app' },
    ]);
  });

  it.each([
    ['not JSON', '[{path:', /must be JSON: \[\{"path":"database\/creds\/app"/],
    ['not an array', '{"path":"database/creds/app"}', /must be an array of \{ path, keys\? \}/],
    ['an entry without a path', '[{"keys":{}}]', /entries need a non-empty "path"/],
    ['an entry with a blank path', '[{"path":"  "}]', /entries need a non-empty "path"/],
    ['a null entry', '[null]', /entries need a non-empty "path"/],
    [
      'keys that are not an object',
      '[{"path":"db/creds/a","keys":"DB_USER"}]',
      /"keys" of db\/creds\/a must map/,
    ],
    ['keys null', '[{"path":"db/creds/a","keys":null}]', /"keys" of db\/creds\/a must map/],
    ['a key name that is empty', '[{"path":"db/creds/a","keys":{"username":""}}]', /must map field names/],
    ['a key name that is not text', '[{"path":"db/creds/a","keys":{"username":7}}]', /must map field names/],
    [
      'one good key name beside an empty one',
      '[{"path":"db/creds/a","keys":{"username":"DB_USER","password":""}}]',
      /must map field names/,
    ],
  ])('%s is refused, naming VAULT_DYNAMIC and the option', (_why, value, message) => {
    const e = refused({ VAULT_DYNAMIC: value });
    expect(e.code).toBe('VAULT_CONFIG_INVALID');
    expect(e.setting).toBe('VAULT_DYNAMIC');
    expect(e.message).toContain('VAULT_DYNAMIC (option `dynamic`)');
    expect(e.message).toMatch(message);
  });
});
