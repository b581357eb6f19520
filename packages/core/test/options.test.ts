import { describe, expect, it } from 'vitest';
import { VaultConfigurationError } from '../src/errors';
import { DEFAULT_TOKEN_PATH, resolveOptions, selectAuthMethodName, type VaultOptions } from '../src/options';

const k8sEnv = {
  VAULT_ADDR: 'http://vault:8200',
  VAULT_ROLE: 'dev-myapp',
  VAULT_PATH: 'ACME/DEV/MYAPP',
  VAULT_K8S_AUTH_MOUNT_POINT: 'kubernetes-dev-myapp',
};

function configError(options: VaultOptions): VaultConfigurationError {
  try {
    resolveOptions(options);
  } catch (error) {
    expect(error).toBeInstanceOf(VaultConfigurationError);
    return error as VaultConfigurationError;
  }
  throw new Error('expected a VaultConfigurationError');
}

describe('resolveOptions: the environment contract', () => {
  it('reads every variable with its default', () => {
    const o = resolveOptions({ env: { ...k8sEnv } });
    expect(o).toMatchObject({
      enabled: true,
      address: 'http://vault:8200',
      authMethod: 'kubernetes',
      role: 'dev-myapp',
      paths: ['ACME/DEV/MYAPP'],
      mountPoint: 'kv',
      k8sAuthMountPoint: 'kubernetes-dev-myapp',
      timeoutMs: 30_000,
      maxRetries: 3,
      retryDelayMs: 5_000,
      startupTimeoutMs: 60_000,
      startupSplayMs: 0,
      tokenPath: DEFAULT_TOKEN_PATH,
      namespace: null,
      caCert: null,
      skipVerify: false,
      kvVersion: 2,
      version: null,
      keyTransform: 'none',
      keyPrefix: '',
      inject: true,
      override: true,
      appRoleMountPoint: 'approle',
    });
  });

  it('reads the optional variables', () => {
    const o = resolveOptions({
      env: {
        ...k8sEnv,
        VAULT_MOUNT_POINT: '/secret/',
        VAULT_TIMEOUT: '2.5',
        VAULT_MAX_RETRIES: '0',
        VAULT_RETRY_DELAY: '0',
        VAULT_STARTUP_TIMEOUT: '9',
        VAULT_STARTUP_SPLAY: '4s',
        VAULT_K8S_TOKEN_PATH: '/tmp/token',
        VAULT_NAMESPACE: 'team-a',
        VAULT_CACERT: '/etc/ca.pem',
        VAULT_SKIP_VERIFY: 'true',
        VAULT_KV_VERSION: 'auto',
        VAULT_KEY_TRANSFORM: 'upper',
        VAULT_KEY_PREFIX: 'APP_',
        VAULT_APPROLE_MOUNT_POINT: 'approle-x',
      },
    });
    expect(o).toMatchObject({
      mountPoint: 'secret',
      timeoutMs: 2500,
      maxRetries: 0,
      retryDelayMs: 0,
      startupTimeoutMs: 9000,
      startupSplayMs: 4000,
      tokenPath: '/tmp/token',
      namespace: 'team-a',
      caCert: '/etc/ca.pem',
      skipVerify: true,
      kvVersion: 'auto',
      keyTransform: 'upper',
      keyPrefix: 'APP_',
      appRoleMountPoint: 'approle-x',
    });
  });

  it('lets options override the environment', () => {
    const o = resolveOptions({
      env: { ...k8sEnv, VAULT_TIMEOUT: 'abc' },
      timeout: 3,
      address: 'https://other:8200',
      path: ['A/B', 'C/D'],
    });
    expect(o.timeoutMs).toBe(3000);
    expect(o.address).toBe('https://other:8200');
    expect(o.paths).toEqual(['A/B', 'C/D']);
  });

  it('splits a comma-separated VAULT_PATH in order and trims slashes and spaces', () => {
    const o = resolveOptions({ env: { ...k8sEnv, VAULT_PATH: ' ACME/COMMON , /ACME/DEV/MYAPP/ ' } });
    expect(o.paths).toEqual(['ACME/COMMON', 'ACME/DEV/MYAPP']);
  });

  it('normalises trailing slashes of VAULT_ADDR and keeps a base path', () => {
    expect(
      resolveOptions({ env: { ...k8sEnv, VAULT_ADDR: 'https://vault.example.com:8200///' } }).address,
    ).toBe('https://vault.example.com:8200');
    expect(resolveOptions({ env: { ...k8sEnv, VAULT_ADDR: 'https://gw.example.com/vault/' } }).address).toBe(
      'https://gw.example.com/vault',
    );
  });

  it('treats VAULT_ADDR unset or blank as disabled and skips the other checks', () => {
    for (const env of [{}, { VAULT_ADDR: '  ' }]) {
      const o = resolveOptions({ env });
      expect(o.enabled).toBe(false);
      expect(o.authMethod).toBeNull();
    }
  });

  it('uses process.env when no env option is given', () => {
    expect(resolveOptions().env).toBe(process.env);
  });
});

describe('resolveOptions: bad values name the variable', () => {
  const cases: [string, Record<string, string>, string][] = [
    ['VAULT_TIMEOUT=abc', { VAULT_TIMEOUT: 'abc' }, 'VAULT_TIMEOUT'],
    ['VAULT_TIMEOUT=-1', { VAULT_TIMEOUT: '-1' }, 'VAULT_TIMEOUT'],
    ['VAULT_TIMEOUT=0', { VAULT_TIMEOUT: '0' }, 'VAULT_TIMEOUT'],
    ['VAULT_TIMEOUT=11m (over the 10 m bound)', { VAULT_TIMEOUT: '11m' }, 'VAULT_TIMEOUT'],
    ['VAULT_TIMEOUT=10 s (not Go’s grammar)', { VAULT_TIMEOUT: '10 s' }, 'VAULT_TIMEOUT'],
    [
      'VAULT_STARTUP_TIMEOUT=25h (over the 24 h bound)',
      { VAULT_STARTUP_TIMEOUT: '25h' },
      'VAULT_STARTUP_TIMEOUT',
    ],
    [
      'VAULT_REFRESH_INTERVAL=500ms (under the 1 s floor)',
      { VAULT_REFRESH_INTERVAL: '500ms' },
      'VAULT_REFRESH_INTERVAL',
    ],
    ['VAULT_MAX_RETRIES=1.5', { VAULT_MAX_RETRIES: '1.5' }, 'VAULT_MAX_RETRIES'],
    ['VAULT_MAX_RETRIES=-1', { VAULT_MAX_RETRIES: '-1' }, 'VAULT_MAX_RETRIES'],
    ['VAULT_MAX_RETRIES=many', { VAULT_MAX_RETRIES: 'many' }, 'VAULT_MAX_RETRIES'],
    ['VAULT_RETRY_DELAY=x', { VAULT_RETRY_DELAY: 'x' }, 'VAULT_RETRY_DELAY'],
    ['VAULT_STARTUP_TIMEOUT=0', { VAULT_STARTUP_TIMEOUT: '0' }, 'VAULT_STARTUP_TIMEOUT'],
    ['VAULT_STARTUP_SPLAY=-1', { VAULT_STARTUP_SPLAY: '-1' }, 'VAULT_STARTUP_SPLAY'],
    ['VAULT_STARTUP_SPLAY=11m (over the 10 m bound)', { VAULT_STARTUP_SPLAY: '11m' }, 'VAULT_STARTUP_SPLAY'],
    [
      'VAULT_STARTUP_SPLAY as long as the start-up budget',
      { VAULT_STARTUP_SPLAY: '60', VAULT_STARTUP_TIMEOUT: '1m' },
      'VAULT_STARTUP_SPLAY',
    ],
    ['VAULT_ADDR without scheme', { VAULT_ADDR: 'vault:8200' }, 'VAULT_ADDR'],
    ['VAULT_ADDR ftp', { VAULT_ADDR: 'ftp://vault:8200' }, 'VAULT_ADDR'],
    ['VAULT_ADDR malformed', { VAULT_ADDR: 'http://vault:port' }, 'VAULT_ADDR'],
    ['VAULT_ADDR with query', { VAULT_ADDR: 'http://vault:8200/?x=1' }, 'VAULT_ADDR'],
    ['VAULT_ADDR with credentials', { VAULT_ADDR: 'http://user:pw@vault:8200' }, 'VAULT_ADDR'],
    ['VAULT_SKIP_VERIFY=yes', { VAULT_SKIP_VERIFY: 'yes' }, 'VAULT_SKIP_VERIFY'],
    ['VAULT_SKIP_VERIFY=off', { VAULT_SKIP_VERIFY: 'off' }, 'VAULT_SKIP_VERIFY'],
    ['VAULT_PATH missing', { VAULT_PATH: '' }, 'VAULT_PATH'],
    ['VAULT_PATH empty entry', { VAULT_PATH: 'A,,B' }, 'VAULT_PATH'],
    ['VAULT_PATH with ..', { VAULT_PATH: 'A/../B' }, 'VAULT_PATH'],
    ['VAULT_ROLE missing', { VAULT_ROLE: '' }, 'VAULT_ROLE'],
    ['VAULT_K8S_AUTH_MOUNT_POINT missing', { VAULT_K8S_AUTH_MOUNT_POINT: '' }, 'VAULT_K8S_AUTH_MOUNT_POINT'],
    ['VAULT_MOUNT_POINT only slashes', { VAULT_MOUNT_POINT: '//' }, 'VAULT_MOUNT_POINT'],
    ['VAULT_AUTH_METHOD unknown', { VAULT_AUTH_METHOD: 'ldap' }, 'VAULT_AUTH_METHOD'],
    ['VAULT_KV_VERSION=3', { VAULT_KV_VERSION: '3' }, 'VAULT_KV_VERSION'],
    ['VAULT_SECRET_VERSION=0', { VAULT_SECRET_VERSION: '0' }, 'VAULT_SECRET_VERSION'],
    [
      'VAULT_SECRET_VERSION with two paths',
      { VAULT_SECRET_VERSION: '2', VAULT_PATH: 'A,B' },
      'VAULT_SECRET_VERSION',
    ],
    [
      'VAULT_SECRET_VERSION on KV v1',
      { VAULT_SECRET_VERSION: '2', VAULT_KV_VERSION: '1' },
      'VAULT_SECRET_VERSION',
    ],
    ['VAULT_KEY_TRANSFORM=lower', { VAULT_KEY_TRANSFORM: 'lower' }, 'VAULT_KEY_TRANSFORM'],
    ['VAULT_KEY_PREFIX with =', { VAULT_KEY_PREFIX: 'A=' }, 'VAULT_KEY_PREFIX'],
    ['token auth without VAULT_TOKEN', { VAULT_AUTH_METHOD: 'token' }, 'VAULT_TOKEN'],
    ['approle auth without VAULT_ROLE_ID', { VAULT_AUTH_METHOD: 'approle' }, 'VAULT_ROLE_ID'],
    ['VAULT_HEALTH_BODY=short', { VAULT_HEALTH_BODY: 'short' }, 'VAULT_HEALTH_BODY'],
    ['HTTPS_PROXY not a URL', { HTTPS_PROXY: 'http://[bad' }, 'HTTPS_PROXY'],
  ];
  it.each(cases)('%s', (_name, overrides, setting) => {
    const error = configError({ env: { ...k8sEnv, ...overrides } });
    expect(error.code).toBe('VAULT_CONFIG_INVALID');
    expect(error.setting).toBe(setting);
    expect(error.message).toContain(setting);
  });

  it.each([
    ['user:password@ without a scheme', 'app:CANARY-pw@vault:8200', 'CANARY-pw', '***@vault:8200'],
    ['user:password@ with a scheme', 'http://app:CANARY-pw@vault:8200', 'CANARY-pw', 'http://***@vault:8200'],
    ['?token=', 'http://vault:8200/?token=hvs.CANARY', 'hvs.CANARY', 'http://vault:8200/?***'],
    ['#fragment', 'http://vault:8200/#CANARY-frag', 'CANARY-frag', 'http://vault:8200/#***'],
    ['a bad port and a password', 'http://u:CANARY-pw@vault:port', 'CANARY-pw', 'http://***@vault:port'],
  ])('never quotes a VAULT_ADDR credential (%s)', (_name, address, secret, shown) => {
    const error = configError({ env: { ...k8sEnv, VAULT_ADDR: address } });
    expect(error.setting).toBe('VAULT_ADDR');
    expect(error.message).not.toContain(secret);
    expect(error.message).toContain(shown);
  });

  it('never quotes a bad proxy URL (it may hold a password)', () => {
    const error = configError({ env: { ...k8sEnv, HTTPS_PROXY: 'http://u:CANARY@[bad' } });
    expect(error.message).not.toContain('CANARY');
  });

  it('reads VAULT_ALLOW_KEYS, VAULT_HEALTH_BODY, VAULT_CAPATH, VAULT_TLS_SERVER_NAME and the proxy variables', () => {
    const o = resolveOptions({
      env: {
        ...k8sEnv,
        VAULT_ALLOW_KEYS: 'node_options, HTTPS_PROXY',
        VAULT_HEALTH_BODY: 'minimal',
        VAULT_CAPATH: '/etc/vault/ca.d',
        VAULT_TLS_SERVER_NAME: 'vault.internal',
        https_proxy: 'http://proxy:3128',
        NO_PROXY: '.svc',
      },
    });
    expect(o.allowKeys).toEqual(['NODE_OPTIONS', 'HTTPS_PROXY']);
    expect(o.healthBody).toBe('minimal');
    expect(o.caPath).toBe('/etc/vault/ca.d');
    expect(o.tlsServerName).toBe('vault.internal');
    expect(o.proxy).toEqual({ http: null, https: 'http://proxy:3128', noProxy: '.svc' });
    expect(resolveOptions({ env: k8sEnv }).healthBody).toBe('full');
  });

  it('rejects bad programmatic values too, naming the variable and the option', () => {
    const e1 = configError({ env: k8sEnv, timeout: -5 });
    expect(e1.setting).toBe('VAULT_TIMEOUT');
    expect(e1.message).toContain('`timeout`');
    expect(configError({ env: k8sEnv, timeout: Number.NaN }).setting).toBe('VAULT_TIMEOUT');
    expect(configError({ env: k8sEnv, maxRetries: 2.5 }).setting).toBe('VAULT_MAX_RETRIES');
    expect(configError({ env: k8sEnv, skipVerify: 'nope' as unknown as boolean }).setting).toBe(
      'VAULT_SKIP_VERIFY',
    );
    expect(configError({ env: k8sEnv, required: ['A', ''] }).setting).toBe('required');
    expect(configError({ env: k8sEnv, inject: 'yes' as unknown as boolean }).setting).toBe('inject');
  });

  it('never echoes a token or secret id in the message', () => {
    const error = configError({
      env: { ...k8sEnv, VAULT_AUTH_METHOD: 'approle', VAULT_SECRET_ID: 's3cr3t-id' },
    });
    expect(error.setting).toBe('VAULT_ROLE_ID');
    expect(error.message).not.toContain('s3cr3t-id');
  });
});

describe('VAULT_SKIP_VERIFY is a strict boolean', () => {
  it.each([
    ['true', true],
    ['1', true],
    ['TRUE', true],
    ['t', true],
    ['false', false],
    ['0', false],
    ['False', false],
    ['f', false],
  ])('%s → %s', (value, expected) => {
    expect(resolveOptions({ env: { ...k8sEnv, VAULT_SKIP_VERIFY: value } }).skipVerify).toBe(expected);
  });
});

describe('auth method selection', () => {
  it('explicit first, then approle, then token without a role, then kubernetes', () => {
    expect(selectAuthMethodName({ explicit: 'kubernetes', roleId: 'x', token: 't', role: undefined })).toBe(
      'kubernetes',
    );
    expect(selectAuthMethodName({ explicit: undefined, roleId: 'x', token: 't', role: 'r' })).toBe('approle');
    expect(
      selectAuthMethodName({ explicit: undefined, roleId: undefined, token: 't', role: undefined }),
    ).toBe('token');
    expect(selectAuthMethodName({ explicit: undefined, roleId: undefined, token: 't', role: 'r' })).toBe(
      'kubernetes',
    );
    expect(
      selectAuthMethodName({ explicit: undefined, roleId: undefined, token: undefined, role: undefined }),
    ).toBe('kubernetes');
  });

  it('picks token auth from VAULT_TOKEN alone (docker-compose dev mode)', () => {
    const o = resolveOptions({
      env: { VAULT_ADDR: 'http://127.0.0.1:8200', VAULT_TOKEN: 'root', VAULT_PATH: 'A' },
    });
    expect(o.authMethod).toBe('token');
    expect(o.token).toBe('root');
  });

  it('picks AppRole from VAULT_ROLE_ID', () => {
    const o = resolveOptions({
      env: {
        VAULT_ADDR: 'http://127.0.0.1:8200',
        VAULT_ROLE_ID: 'rid',
        VAULT_SECRET_ID: 'sid',
        VAULT_PATH: 'A',
      },
    });
    expect(o).toMatchObject({ authMethod: 'approle', roleId: 'rid', secretId: 'sid' });
  });
});
