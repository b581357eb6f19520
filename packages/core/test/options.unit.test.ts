/**
 * Every setting's exact refusal (the variable, the option, what is wrong, what was given when it is
 * not a credential) and every default, as one table each.
 */
import { describe, expect, it } from 'vitest';
import { VaultConfigurationError } from '../src/errors';
import { resolveOptions, type VaultOptions } from '../src/options';
import { strictBoolean } from '../src/options/parsers';

const parseStrictBoolean = (value: unknown, setting: string, option: string) =>
  strictBoolean(value, { setting, option } as never);

const ENV = {
  VAULT_ADDR: 'http://vault:8200',
  VAULT_ROLE: 'dev-myapp',
  VAULT_PATH: 'ACME/DEV/MYAPP',
  VAULT_K8S_AUTH_MOUNT_POINT: 'kubernetes-dev-myapp',
};

function refusal(env: Record<string, string>, extra: VaultOptions = {}): VaultConfigurationError {
  try {
    resolveOptions({ env: { ...ENV, ...env }, ...extra });
  } catch (error) {
    expect(error).toBeInstanceOf(VaultConfigurationError);
    return error as VaultConfigurationError;
  }
  throw new Error('expected a VaultConfigurationError');
}

describe('refusals name the variable, the option and the problem', () => {
  it.each([
    [
      { VAULT_ADDR: 'vault:8200' },
      'VAULT_ADDR',
      'VAULT_ADDR (option `address`) must start with http:// or https:// (got "vault:8200")',
    ],
    [
      { VAULT_ADDR: 'http://' },
      'VAULT_ADDR',
      'VAULT_ADDR (option `address`) is not a valid URL (got "http://")',
    ],
    [
      { VAULT_ADDR: 'http://vault:8200/?x=1' },
      'VAULT_ADDR',
      'VAULT_ADDR (option `address`) must not have a query or fragment',
    ],
    [
      { VAULT_ADDR: 'http://vault:8200/#f' },
      'VAULT_ADDR',
      'VAULT_ADDR (option `address`) must not have a query or fragment',
    ],
    [
      { VAULT_ADDR: 'http://u:p@vault:8200' },
      'VAULT_ADDR',
      'VAULT_ADDR (option `address`) must not contain credentials',
    ],
    [
      { VAULT_PATH: 'A//B' },
      'VAULT_PATH',
      'VAULT_PATH (option `path`) has an invalid path "A//B" (empty, "." or ".." segment)',
    ],
    [
      { VAULT_PATH: 'A/../B' },
      'VAULT_PATH',
      'VAULT_PATH (option `path`) has an invalid path "A/../B" (empty, "." or ".." segment)',
    ],
    [
      { VAULT_PATH: 'A/./B' },
      'VAULT_PATH',
      'VAULT_PATH (option `path`) has an invalid path "A/./B" (empty, "." or ".." segment)',
    ],
    [{ VAULT_PATH: 'A,/' }, 'VAULT_PATH', 'VAULT_PATH (option `path`) has an empty entry'],
    [
      { VAULT_MOUNT_POINT: '/' },
      'VAULT_MOUNT_POINT',
      'VAULT_MOUNT_POINT (option `mountPoint`) has an empty entry',
    ],
    [
      { VAULT_APPROLE_MOUNT_POINT: 'a/../b' },
      'VAULT_APPROLE_MOUNT_POINT',
      'VAULT_APPROLE_MOUNT_POINT (option `appRoleMountPoint`) has an invalid path',
    ],
    [
      { VAULT_K8S_AUTH_MOUNT_POINT: '..' },
      'VAULT_K8S_AUTH_MOUNT_POINT',
      'VAULT_K8S_AUTH_MOUNT_POINT (option `k8sAuthMountPoint`) has an invalid path ".."',
    ],
    [
      { VAULT_MAX_RETRIES: '1.5' },
      'VAULT_MAX_RETRIES',
      'VAULT_MAX_RETRIES (option `maxRetries`) must be a whole number at least 0 (got 1.5)',
    ],
    [
      { VAULT_MAX_RETRIES: '-1' },
      'VAULT_MAX_RETRIES',
      'VAULT_MAX_RETRIES (option `maxRetries`) must be a whole number (got "-1")',
    ],
    [
      { VAULT_MAX_RETRIES: 'x3' },
      'VAULT_MAX_RETRIES',
      'VAULT_MAX_RETRIES (option `maxRetries`) must be a whole number (got "x3")',
    ],
    [
      { VAULT_MAX_RETRIES: '3x' },
      'VAULT_MAX_RETRIES',
      'VAULT_MAX_RETRIES (option `maxRetries`) must be a whole number (got "3x")',
    ],
    [
      { VAULT_MAX_RETRIES: '101' },
      'VAULT_MAX_RETRIES',
      'VAULT_MAX_RETRIES (option `maxRetries`) must be at most 100 (got 101)',
    ],
    [
      { VAULT_SECRET_VERSION: '0' },
      'VAULT_SECRET_VERSION',
      'VAULT_SECRET_VERSION (option `version`) must be a whole number at least 1 (got 0)',
    ],
    [
      { VAULT_SECRET_VERSION: '2', VAULT_PATH: 'A,B' },
      'VAULT_SECRET_VERSION',
      'VAULT_SECRET_VERSION (option `version`) can only pin a version when reading a single path',
    ],
    [
      { VAULT_SECRET_VERSION: '2', VAULT_KV_VERSION: '1' },
      'VAULT_SECRET_VERSION',
      'VAULT_SECRET_VERSION (option `version`) needs KV version 2 (VAULT_KV_VERSION=1 has no versions)',
    ],
    [
      { VAULT_KV_VERSION: '3' },
      'VAULT_KV_VERSION',
      'VAULT_KV_VERSION (option `kvVersion`) must be 1, 2 or auto (got "3")',
    ],
    [
      { VAULT_KEY_TRANSFORM: 'lower' },
      'VAULT_KEY_TRANSFORM',
      'VAULT_KEY_TRANSFORM (option `keyTransform`) must be none, upper or a function (got "lower")',
    ],
    [
      { VAULT_KEY_PREFIX: 'A=' },
      'VAULT_KEY_PREFIX',
      'VAULT_KEY_PREFIX (option `keyPrefix`) must be a string without "=" or NUL',
    ],
    [
      { VAULT_KEY_PREFIX: 'A\0' },
      'VAULT_KEY_PREFIX',
      'VAULT_KEY_PREFIX (option `keyPrefix`) must be a string without "=" or NUL',
    ],
    [
      { VAULT_HEALTH_BODY: 'some' },
      'VAULT_HEALTH_BODY',
      'VAULT_HEALTH_BODY (option `healthBody`) must be full or minimal (got "some")',
    ],
    [
      { VAULT_SKIP_VERIFY: 'yes' },
      'VAULT_SKIP_VERIFY',
      'VAULT_SKIP_VERIFY (option `skipVerify`) must be true or false (got "yes")',
    ],
    [
      { VAULT_AUTH_METHOD: 'ldap' },
      'VAULT_AUTH_METHOD',
      'VAULT_AUTH_METHOD (option `authMethod`) must be one of kubernetes, token, approle (got "ldap")',
    ],
    [
      { VAULT_PATH: '' },
      'VAULT_PATH',
      'VAULT_PATH (option `path`) is required when VAULT_ADDR is set (e.g. ORG/DEV/MYAPP)',
    ],
    [
      { VAULT_ROLE: '' },
      'VAULT_ROLE',
      'VAULT_ROLE (option `role`) is required for kubernetes auth (e.g. dev-myapp)',
    ],
    [
      { VAULT_AUTH_METHOD: 'token' },
      'VAULT_TOKEN',
      'VAULT_TOKEN (option `token`) is required for token auth',
    ],
    [
      { VAULT_AUTH_METHOD: 'approle' },
      'VAULT_ROLE_ID',
      'VAULT_ROLE_ID (option `roleId`) is required for AppRole auth',
    ],
    [
      { HTTPS_PROXY: 'http://[::1' },
      'HTTPS_PROXY',
      'HTTPS_PROXY (or its lower-case form) is not a valid proxy URL: fix or unset it',
    ],
    [
      { HTTP_PROXY: 'http://[::1' },
      'HTTP_PROXY',
      'HTTP_PROXY (or its lower-case form) is not a valid proxy URL: fix or unset it',
    ],
  ])('%j', (env, setting, message) => {
    const e = refusal(env as Record<string, string>);
    expect(e.code).toBe('VAULT_CONFIG_INVALID');
    expect(e.setting).toBe(setting);
    expect(e.message.startsWith(message)).toBe(true);
  });

  it('options in code: wrong types', () => {
    expect(refusal({}, { role: 42 as unknown as string }).message).toBe(
      'VAULT_ROLE (option `role`) must be a string',
    );
    expect(refusal({}, { role: '  ' }).message).toBe('VAULT_ROLE (option `role`) must not be empty');
    expect(refusal({}, { token: 7 as unknown as string }).message).toBe(
      'VAULT_TOKEN (option `token`) must be a non-empty string',
    );
    expect(refusal({}, { path: 5 as unknown as string }).message).toBe(
      'VAULT_PATH (option `path`) must be a string or an array of strings',
    );
    expect(refusal({}, { path: ['A', 5] as unknown as string[] }).message).toBe(
      'VAULT_PATH (option `path`) must contain strings only',
    );
    expect(refusal({}, { maxRetries: Number.NaN }).message).toBe(
      'VAULT_MAX_RETRIES (option `maxRetries`) must be a whole number at least 0 (got NaN)',
    );
    expect(refusal({}, { allowKeys: [1] as unknown as string[] }).message).toBe(
      'VAULT_ALLOW_KEYS (option `allowKeys`) must be a comma-separated list (or an array) of key names',
    );
    expect(refusal({}, { keyPrefix: 5 as unknown as string }).setting).toBe('VAULT_KEY_PREFIX');
    expect(refusal({}, { required: ['A', ''] }).message).toBe(
      'option `required` must be an array of non-empty key names',
    );
    expect(refusal({}, { required: 'A' as unknown as string[] }).setting).toBe('required');
    expect(refusal({}, { inject: 'yes' as unknown as boolean }).message).toBe(
      'option `inject` must be a boolean',
    );
    expect(refusal({}, { override: 1 as unknown as boolean }).message).toBe(
      'option `override` must be a boolean',
    );
  });

  it('a credential is never echoed in its refusal', () => {
    const e = refusal({ VAULT_ADDR: 'http://user:hunter2@vault:8200' });
    expect(e.message).not.toContain('hunter2');
  });
});

describe('defaults and normalisation', () => {
  it('every default', () => {
    const o = resolveOptions({ env: { ...ENV } });
    expect(o).toMatchObject({
      address: 'http://vault:8200',
      mountPoint: 'kv',
      appRoleMountPoint: 'approle',
      timeoutMs: 30_000,
      maxRetries: 3,
      retryDelayMs: 5_000,
      startupTimeoutMs: 60_000,
      kvVersion: 2,
      version: null,
      keyTransform: 'none',
      keyPrefix: '',
      inject: true,
      override: true,
      allowKeys: [],
      healthBody: 'full',
      skipVerify: false,
      token: null,
      roleId: null,
      secretId: null,
      namespace: null,
      caCert: null,
      caPath: null,
      tlsServerName: null,
      clientCert: null,
      clientKey: null,
      ca: null,
      required: [],
    });
  });

  it('trims, strips slashes, upper-cases allowed keys, keeps a path behind a proxy', () => {
    const o = resolveOptions({
      env: {
        ...ENV,
        VAULT_ADDR: ' https://vault.example:8200/vault/ ',
        VAULT_PATH: ' /A/B/ , C ',
        VAULT_MOUNT_POINT: '/secret/',
        VAULT_ALLOW_KEYS: ' node_options, ,path ',
        VAULT_NAMESPACE: ' team-a ',
        VAULT_MAX_RETRIES: ' 7 ',
        VAULT_RETRY_DELAY: '0',
        VAULT_KV_VERSION: 'auto',
      },
      path: undefined,
    });
    expect(o).toMatchObject({
      address: 'https://vault.example:8200/vault',
      paths: ['A/B', 'C'],
      mountPoint: 'secret',
      allowKeys: ['NODE_OPTIONS', 'PATH'],
      namespace: 'team-a',
      maxRetries: 7,
      retryDelayMs: 0,
      kvVersion: 'auto',
    });
  });

  it('an option in code wins over the env; a blank env value counts as unset', () => {
    const o = resolveOptions({ env: { ...ENV, VAULT_MOUNT_POINT: '  ', VAULT_TIMEOUT: '10' }, timeout: 2 });
    expect(o.mountPoint).toBe('kv');
    expect(o.timeoutMs).toBe(2_000);
    expect(resolveOptions({ env: { ...ENV }, maxRetries: 0 }).maxRetries).toBe(0);
    expect(resolveOptions({ env: { ...ENV, VAULT_KV_VERSION: '1' } }).kvVersion).toBe(1);
    expect(resolveOptions({ env: { ...ENV }, kvVersion: 2 }).kvVersion).toBe(2);
    expect(resolveOptions({ env: { ...ENV, VAULT_MAX_RETRIES: '100' } }).maxRetries).toBe(100);
  });
});

describe('each accepted spelling', () => {
  const opt = (env: Record<string, string>, extra: VaultOptions = {}) =>
    resolveOptions({ env: { ...ENV, ...env }, ...extra });

  it('KV version, key transform, health body as text from the env', () => {
    expect(opt({ VAULT_KV_VERSION: '2' }).kvVersion).toBe(2);
    expect(opt({ VAULT_KV_VERSION: '1' }).kvVersion).toBe(1);
    expect(opt({}, { kvVersion: 1 }).kvVersion).toBe(1);
    expect(opt({ VAULT_KEY_TRANSFORM: 'upper' }).keyTransform).toBe('upper');
    expect(opt({ VAULT_KEY_TRANSFORM: 'none' }).keyTransform).toBe('none');
    const fn = (k: string) => k;
    expect(opt({}, { keyTransform: fn }).keyTransform).toBe(fn);
    expect(opt({ VAULT_HEALTH_BODY: 'minimal' }).healthBody).toBe('minimal');
    expect(opt({ VAULT_HEALTH_BODY: 'full' }).healthBody).toBe('full');
  });

  it('credentials from the env, trimmed; AppRole selected by a role id', () => {
    const o = opt({ VAULT_ROLE: '', VAULT_ROLE_ID: ' role-1 ', VAULT_SECRET_ID: ' secret-1 ' });
    expect(o).toMatchObject({ authMethod: 'approle', roleId: 'role-1', secretId: 'secret-1' });
    expect(opt({ VAULT_ROLE: '', VAULT_TOKEN: ' tok-123 ' }, {}).token).toBe('tok-123');
    expect(opt({}, { token: ' tok-456 ', authMethod: 'token' }).token).toBe('tok-456');
    expect(refusal({ VAULT_ROLE: '' }, { secretId: '  ', roleId: 'r' }).message).toBe(
      'VAULT_SECRET_ID (option `secretId`) must be a non-empty string',
    );
  });

  it('retry delay 0 means at once, from the env or in code; other delays are durations', () => {
    expect(opt({ VAULT_RETRY_DELAY: '0' }).retryDelayMs).toBe(0);
    expect(opt({}, { retryDelay: 0 }).retryDelayMs).toBe(0);
    expect(opt({ VAULT_RETRY_DELAY: '250ms' }).retryDelayMs).toBe(250);
    expect(refusal({ VAULT_RETRY_DELAY: '11m' }).message).toBe(
      'VAULT_RETRY_DELAY (option `retryDelay`) must be at most 10m (got "11m")',
    );
    expect(refusal({ VAULT_STARTUP_TIMEOUT: '2d' }).message).toBe(
      'VAULT_STARTUP_TIMEOUT (option `startupTimeout`) must be at most 1d (got "2d")',
    );
  });

  it('start-up splay: 0 by default, a duration below the start-up budget, from the env or in code', () => {
    expect(opt({}).startupSplayMs).toBe(0);
    expect(opt({ VAULT_STARTUP_SPLAY: '0' }).startupSplayMs).toBe(0);
    expect(opt({ VAULT_STARTUP_SPLAY: '2.5' }).startupSplayMs).toBe(2500);
    expect(opt({}, { startupSplay: '1m', startupTimeout: '1m1s' }).startupSplayMs).toBe(60_000);
    expect(refusal({ VAULT_STARTUP_SPLAY: '5s', VAULT_STARTUP_TIMEOUT: '5' }).message).toBe(
      'VAULT_STARTUP_SPLAY (option `startupSplay`) must be less than VAULT_STARTUP_TIMEOUT (5 s), whose budget it counts in: lower it or raise VAULT_STARTUP_TIMEOUT',
    );
    expect(refusal({}, { startupSplay: 'soon' }).setting).toBe('VAULT_STARTUP_SPLAY');
  });

  it('inject and override accept false; required accepts names and refuses the rest', () => {
    expect(opt({}, { inject: false, override: false })).toMatchObject({ inject: false, override: false });
    expect(opt({}, { required: ['A', 'B'] }).required).toEqual(['A', 'B']);
    expect(refusal({}, { required: ['A', 5 as unknown as string] }).setting).toBe('required');
    expect(refusal({}, { required: [''] }).code).toBe('VAULT_CONFIG_INVALID');
    expect(refusal({}, { allowKeys: ['A', 2] as unknown as string[] }).setting).toBe('VAULT_ALLOW_KEYS');
  });

  it('a proxy without a scheme is read as http://; a kubernetes mount is required for kubernetes auth', () => {
    expect(() => opt({ HTTPS_PROXY: 'proxy.internal:3128' })).not.toThrow();
    expect(refusal({ VAULT_K8S_AUTH_MOUNT_POINT: '' }).message).toBe(
      'VAULT_K8S_AUTH_MOUNT_POINT (option `k8sAuthMountPoint`) is required for kubernetes auth (e.g. kubernetes-dev-myapp)',
    );
    expect(refusal({ VAULT_ADDR: 'x http://vault' }).message).toContain(
      'must start with http:// or https://',
    );
    expect(opt({ VAULT_PATH: '//A//' }, {}).paths).toEqual(['A']);
  });
});

describe('parseStrictBoolean: Go strconv.ParseBool', () => {
  it.each(['1', 't', 'T', 'true', 'TRUE', 'True', true])('%j is true', (v) => {
    expect(parseStrictBoolean(v, 'X', 'x')).toBe(true);
  });
  it.each(['0', 'f', 'F', 'false', 'FALSE', 'False', false])('%j is false', (v) => {
    expect(parseStrictBoolean(v, 'X', 'x')).toBe(false);
  });
  it.each(['yes', 'tRUE', '', 1, null])('%j is refused', (v) => {
    expect(() => parseStrictBoolean(v, 'X', 'x')).toThrow(/^X \(option `x`\) must be true or false/);
  });
});
