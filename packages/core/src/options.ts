/**
 * Options: the reference service's environment contract plus programmatic overrides.
 * Options win over the environment. Every bad value is a VaultConfigurationError that names the
 * environment variable (and the option), and never echoes a token or secret id.
 */
import { resolveLifecycle, type DynamicSecretSpec, type ResolvedLifecycle } from './lifecycle/options';
import { VaultConfigurationError } from './errors';
import type { Clock, RandomSource } from './lifecycle/clock';
import { parseDuration } from './lifecycle/duration';
import { describeAddress } from './address';
import { proxySettingsFromEnv, type ProxySettings } from './proxy';
import type { AuthMethodName, VaultLogger } from './types';

export type KvVersion = 1 | 2 | 'auto';
export type KeyTransform = 'none' | 'upper' | ((key: string, path: string) => string);
export type EnvRecord = Record<string, string | undefined>;
export type HealthBody = 'full' | 'minimal';

export const DEFAULT_TOKEN_PATH = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export interface VaultOptions {
  /** VAULT_ADDR. Unset: Vault is skipped (state `disabled`), `required` is checked against env. */
  address?: string;
  /** VAULT_ROLE: kubernetes-auth role. */
  role?: string;
  /** VAULT_PATH: one path, a comma-separated list, or an array. Later paths win on equal keys. */
  path?: string | string[];
  /** VAULT_MOUNT_POINT: KV engine mount. Default `kv`. */
  mountPoint?: string;
  /** VAULT_K8S_AUTH_MOUNT_POINT: kubernetes auth mount, e.g. `kubernetes-dev-myapp`. */
  k8sAuthMountPoint?: string;
  /** VAULT_TIMEOUT: per-request timeout, seconds or a duration (`30s`). At most 10 minutes. Default 30. */
  timeout?: number | string;
  /** VAULT_MAX_RETRIES: retries after the first attempt of a transient failure. Default 3. */
  maxRetries?: number;
  /** VAULT_RETRY_DELAY: base backoff delay in seconds. Default 5. */
  retryDelay?: number | string;
  /** VAULT_STARTUP_TIMEOUT: overall budget of initialize() in seconds; bounds every wait. Default 60. */
  startupTimeout?: number | string;
  /** Keys that must be present (non-empty) after loading. */
  required?: string[];
  /** VAULT_AUTH_METHOD. Default: see selectAuthMethodName(). */
  authMethod?: AuthMethodName;
  /** VAULT_TOKEN: token auth. */
  token?: string;
  /** VAULT_ROLE_ID / VAULT_SECRET_ID: AppRole auth. */
  roleId?: string;
  secretId?: string;
  /** VAULT_APPROLE_MOUNT_POINT. Default `approle`. */
  appRoleMountPoint?: string;
  /** VAULT_K8S_TOKEN_PATH: service-account token file. */
  tokenPath?: string;
  /** VAULT_NAMESPACE: Vault Enterprise namespace. */
  namespace?: string;
  /** VAULT_CACERT: path to a PEM CA bundle. Wins over VAULT_CAPATH, as in Vault's CLI. */
  caCert?: string;
  /** VAULT_CAPATH: a directory of PEM CA certificates (every file in it must be PEM). */
  caPath?: string;
  /** VAULT_TLS_SERVER_NAME: the name sent in SNI and checked against Vault's certificate. */
  tlsServerName?: string;
  /** PEM CA text (instead of a file). */
  ca?: string | Buffer;
  /** VAULT_CLIENT_CERT / VAULT_CLIENT_KEY: paths to a PEM client certificate and key (mutual TLS). */
  clientCert?: string;
  clientKey?: string;
  /** VAULT_SKIP_VERIFY: strict boolean; `false`/`0` keep verification on. Default false. */
  skipVerify?: boolean;
  /** VAULT_KV_VERSION: 1, 2 or 'auto' (one extra round trip). Default 2. */
  kvVersion?: KvVersion;
  /** VAULT_SECRET_VERSION: pin a KV v2 version (single path only). */
  version?: number;
  /** VAULT_KEY_TRANSFORM: 'none' (default), 'upper', or a function. */
  keyTransform?: KeyTransform;
  /** VAULT_KEY_PREFIX: prepended to every key after the transform. */
  keyPrefix?: string;
  /** Write secrets into `env`. Default true. */
  inject?: boolean;
  /**
   * VAULT_ALLOW_KEYS (comma-separated): key names that steer the runtime (NODE_OPTIONS, PATH, LD_*,
   * proxy variables, VAULT_*...; see RESERVED_KEYS) which this app really means to load from Vault.
   * Default: none, and such a key fails the start-up.
   */
  allowKeys?: string[];
  /**
   * VAULT_HEALTH_BODY: what the health route and indicator serve. `full` (default): the status object.
   * `minimal`: `{ state }` only, for health routes reachable from outside.
   */
  healthBody?: HealthBody;
  /** Overwrite variables already set in `env`. Default true (Vault wins). */
  override?: boolean;
  /** Nest Logger, pino, console, Fastify's log; `false` silences. Default: console. */
  logger?: VaultLogger | false;
  /**
   * Log a failed start-up at error level before rejecting (default true). The framework adapters
   * turn it off: they reject bootstrap with the error and the app reports it once.
   */
  logStartupFailure?: boolean;
  /** Re-read every path on this interval (`VAULT_REFRESH_INTERVAL`: `30s`, `15m`, `1h`, seconds). */
  refreshInterval?: number | string;
  /** Revoke the token after start-up (`VAULT_REVOKE_TOKEN`). Default: true unless refresh/dynamic or token auth. */
  revokeToken?: boolean;
  /** Dynamic secrets with leases (`VAULT_DYNAMIC`, JSON), renewed and rotated in the background. */
  dynamic?: DynamicSecretSpec[];
  /** The environment to read options from and inject into. Default process.env. */
  env?: EnvRecord;
  /** Time source of the lifecycle (renewals, refresh, backoff); replace it in tests. Default: Node's timers. */
  clock?: Clock;
  /** Random source in [0, 1) of the lifecycle's jitter; replace it in tests. Default Math.random. */
  random?: RandomSource;
}

export interface ResolvedOptions {
  enabled: boolean;
  address: string | null;
  authMethod: AuthMethodName | null;
  role: string | null;
  paths: string[];
  mountPoint: string;
  k8sAuthMountPoint: string | null;
  timeoutMs: number;
  maxRetries: number;
  retryDelayMs: number;
  startupTimeoutMs: number;
  required: string[];
  token: string | null;
  roleId: string | null;
  secretId: string | null;
  appRoleMountPoint: string;
  tokenPath: string;
  namespace: string | null;
  caCert: string | null;
  caPath: string | null;
  tlsServerName: string | null;
  ca: string | Buffer | null;
  clientCert: string | null;
  clientKey: string | null;
  skipVerify: boolean;
  kvVersion: KvVersion;
  version: number | null;
  keyTransform: KeyTransform;
  keyPrefix: string;
  inject: boolean;
  override: boolean;
  /** Reserved key names allowed anyway (upper-cased). */
  allowKeys: string[];
  healthBody: HealthBody;
  /** HTTP_PROXY / HTTPS_PROXY / NO_PROXY from `env`, as Vault's CLI reads them. */
  proxy: ProxySettings;
  logger: VaultLogger | false | undefined;
  env: EnvRecord;
  lifecycle: ResolvedLifecycle;
}

function fail(setting: string, option: string, problem: string): never {
  throw new VaultConfigurationError('VAULT_CONFIG_INVALID', `${setting} (option \`${option}\`) ${problem}`, {
    setting,
  });
}

/** Option value if given, else the env value; empty/blank env values count as unset. */
function pick<T>(optionValue: T | undefined, env: EnvRecord, name: string): T | string | undefined {
  if (optionValue !== undefined && optionValue !== null) return optionValue;
  const raw = env[name];
  if (raw === undefined) return undefined;
  const trimmed = raw.trim();
  return trimmed === '' ? undefined : trimmed;
}

function text(value: unknown, setting: string, option: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') fail(setting, option, 'must be a string');
  const trimmed = value.trim();
  if (trimmed === '') fail(setting, option, 'must not be empty');
  return trimmed;
}

function number(
  value: unknown,
  setting: string,
  option: string,
  rule: { min: number; minExclusive?: boolean; integer?: boolean; max?: number },
): number | undefined {
  if (value === undefined) return undefined;
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim())) n = Number(value.trim());
  else
    fail(setting, option, `must be a ${rule.integer ? 'whole' : ''} number (got ${JSON.stringify(value)})`);
  const tooSmall = rule.minExclusive ? n <= rule.min : n < rule.min;
  if (!Number.isFinite(n) || tooSmall || (rule.integer && !Number.isInteger(n))) {
    const bound = rule.minExclusive ? `greater than ${rule.min}` : `at least ${rule.min}`;
    fail(
      setting,
      option,
      `must be a ${rule.integer ? 'whole number' : 'number'} ${bound} (got ${String(value)})`,
    );
  }
  if (rule.max !== undefined && n > rule.max) fail(setting, option, `must be at most ${rule.max} (got ${n})`);
  return n;
}

/** Go's strconv.ParseBool, like the Vault CLI: anything else is an error, never a guess. */
export function parseStrictBoolean(value: unknown, setting: string, option: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(value)) return true;
    if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(value)) return false;
  }
  return fail(setting, option, `must be true or false (got ${JSON.stringify(value)})`);
}

function address(value: unknown): string | undefined {
  const raw = text(value, 'VAULT_ADDR', 'address');
  if (raw === undefined) return undefined;
  // Quoted only through describeAddress: an address may carry user:password@ or ?token=.
  const shown = describeAddress(raw);
  if (!/^https?:\/\//i.test(raw))
    fail('VAULT_ADDR', 'address', `must start with http:// or https:// (got "${shown}")`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return fail('VAULT_ADDR', 'address', `is not a valid URL (got "${shown}")`);
  }
  if (url.hostname === '') fail('VAULT_ADDR', 'address', `has no host (got "${shown}")`);
  if (url.username || url.password)
    fail('VAULT_ADDR', 'address', `must not contain credentials (got "${shown}")`);
  if (url.search || url.hash)
    fail('VAULT_ADDR', 'address', `must not have a query or fragment (got "${shown}")`);
  return `${url.protocol}//${url.host}${url.pathname}`.replace(/\/+$/, '');
}

function segmentPath(value: string, setting: string, option: string): string {
  const cleaned = value.trim().replace(/^\/+|\/+$/g, '');
  if (cleaned === '') fail(setting, option, 'has an empty entry');
  if (cleaned.split('/').some((s) => s === '' || s === '.' || s === '..')) {
    fail(setting, option, `has an invalid path "${cleaned}" (empty, "." or ".." segment)`);
  }
  return cleaned;
}

function paths(value: unknown): string[] {
  if (value === undefined) return [];
  let list: unknown[];
  if (typeof value === 'string') list = value.split(',');
  else if (Array.isArray(value)) list = value;
  else return fail('VAULT_PATH', 'path', 'must be a string or an array of strings');
  return list.map((p) => {
    if (typeof p !== 'string') fail('VAULT_PATH', 'path', 'must contain strings only');
    return segmentPath(p, 'VAULT_PATH', 'path');
  });
}

const AUTH_METHODS: readonly AuthMethodName[] = ['kubernetes', 'token', 'approle'];

/**
 * Auth selection: explicit authMethod / VAULT_AUTH_METHOD first; else approle if a role id is set;
 * else token if a token is set and no kubernetes role is; else kubernetes.
 */
export function selectAuthMethodName(input: {
  explicit: unknown;
  roleId: string | undefined;
  token: string | undefined;
  role: string | undefined;
}): AuthMethodName {
  if (input.explicit !== undefined) {
    if (!AUTH_METHODS.includes(input.explicit as AuthMethodName)) {
      fail(
        'VAULT_AUTH_METHOD',
        'authMethod',
        `must be one of ${AUTH_METHODS.join(', ')} (got ${JSON.stringify(input.explicit)})`,
      );
    }
    return input.explicit as AuthMethodName;
  }
  if (input.roleId !== undefined) return 'approle';
  if (input.token !== undefined && input.role === undefined) return 'token';
  return 'kubernetes';
}

function kvVersion(value: unknown): KvVersion | undefined {
  if (value === undefined) return undefined;
  if (value === 1 || value === '1') return 1;
  if (value === 2 || value === '2') return 2;
  if (value === 'auto') return 'auto';
  return fail('VAULT_KV_VERSION', 'kvVersion', `must be 1, 2 or auto (got ${JSON.stringify(value)})`);
}

function keyTransform(value: unknown): KeyTransform | undefined {
  if (value === undefined) return undefined;
  if (value === 'none' || value === 'upper' || typeof value === 'function') return value as KeyTransform;
  return fail(
    'VAULT_KEY_TRANSFORM',
    'keyTransform',
    `must be none, upper or a function (got ${JSON.stringify(value)})`,
  );
}

function secret(value: unknown, setting: string, option: string): string | undefined {
  if (value === undefined) return undefined;
  // Never echo the value: it is a credential.
  if (typeof value !== 'string' || value.trim() === '') fail(setting, option, 'must be a non-empty string');
  return value.trim();
}

function keyList(value: unknown): string[] {
  if (value === undefined) return [];
  const list = typeof value === 'string' ? value.split(',') : value;
  if (!Array.isArray(list) || list.some((k) => typeof k !== 'string'))
    fail('VAULT_ALLOW_KEYS', 'allowKeys', 'must be a comma-separated list (or an array) of key names');
  return (list as string[]).map((k) => k.trim().toUpperCase()).filter((k) => k !== '');
}

function healthBodyMode(value: unknown): HealthBody | undefined {
  if (value === undefined) return undefined;
  if (value === 'full' || value === 'minimal') return value;
  return fail('VAULT_HEALTH_BODY', 'healthBody', `must be full or minimal (got ${JSON.stringify(value)})`);
}

/** Proxy variables are checked here so a bad one names itself; never echoed (they may hold a password). */
function proxySettings(env: EnvRecord): ProxySettings {
  const settings = proxySettingsFromEnv(env);
  for (const [name, value] of [
    ['HTTPS_PROXY', settings.https],
    ['HTTP_PROXY', settings.http],
  ] as const) {
    if (value === null) continue;
    try {
      new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
    } catch {
      throw new VaultConfigurationError(
        'VAULT_CONFIG_INVALID',
        `${name} (or its lower-case form) is not a valid proxy URL: fix or unset it`,
        { setting: name },
      );
    }
  }
  return settings;
}

export function resolveOptions(options: VaultOptions = {}): ResolvedOptions {
  const env: EnvRecord = options.env ?? process.env;
  const o = options;

  const addr = address(pick(o.address, env, 'VAULT_ADDR'));
  const role = text(pick(o.role, env, 'VAULT_ROLE'), 'VAULT_ROLE', 'role');
  const token = secret(pick(o.token, env, 'VAULT_TOKEN'), 'VAULT_TOKEN', 'token');
  const roleId = text(pick(o.roleId, env, 'VAULT_ROLE_ID'), 'VAULT_ROLE_ID', 'roleId');
  const secretId = secret(pick(o.secretId, env, 'VAULT_SECRET_ID'), 'VAULT_SECRET_ID', 'secretId');
  const pathList = paths(pick(o.path, env, 'VAULT_PATH'));
  const mount = pick(o.mountPoint, env, 'VAULT_MOUNT_POINT');
  const mountPoint =
    mount === undefined ? 'kv' : segmentPath(String(mount), 'VAULT_MOUNT_POINT', 'mountPoint');
  const k8sMountRaw = pick(o.k8sAuthMountPoint, env, 'VAULT_K8S_AUTH_MOUNT_POINT');
  const k8sAuthMountPoint =
    k8sMountRaw === undefined
      ? undefined
      : segmentPath(String(k8sMountRaw), 'VAULT_K8S_AUTH_MOUNT_POINT', 'k8sAuthMountPoint');
  const appRoleRaw = pick(o.appRoleMountPoint, env, 'VAULT_APPROLE_MOUNT_POINT');
  const appRoleMountPoint =
    appRoleRaw === undefined
      ? 'approle'
      : segmentPath(String(appRoleRaw), 'VAULT_APPROLE_MOUNT_POINT', 'appRoleMountPoint');

  // Durations: seconds or Go's form (`30s`, `1h30m`). Bounded where a larger value cannot mean anything useful.
  const timeout =
    parseDuration(pick(o.timeout, env, 'VAULT_TIMEOUT'), 'VAULT_TIMEOUT', 'timeout', {
      minSeconds: 0.001,
      maxSeconds: 600,
    }) ?? 30;
  const maxRetries =
    number(pick(o.maxRetries, env, 'VAULT_MAX_RETRIES'), 'VAULT_MAX_RETRIES', 'maxRetries', {
      min: 0,
      integer: true,
      max: 100,
    }) ?? 3;
  const retryDelayRaw = pick(o.retryDelay, env, 'VAULT_RETRY_DELAY');
  // 0 is allowed here: retry at once during start-up (background retries keep their own floor).
  const retryDelay =
    retryDelayRaw === 0 || retryDelayRaw === '0'
      ? 0
      : (parseDuration(retryDelayRaw, 'VAULT_RETRY_DELAY', 'retryDelay', { maxSeconds: 600 }) ?? 5);
  const startupTimeout =
    parseDuration(
      pick(o.startupTimeout, env, 'VAULT_STARTUP_TIMEOUT'),
      'VAULT_STARTUP_TIMEOUT',
      'startupTimeout',
      {
        minSeconds: 0.001,
        maxSeconds: 86_400,
      },
    ) ?? 60;

  const skipVerify =
    parseStrictBoolean(pick(o.skipVerify, env, 'VAULT_SKIP_VERIFY'), 'VAULT_SKIP_VERIFY', 'skipVerify') ??
    false;
  const kv = kvVersion(pick(o.kvVersion, env, 'VAULT_KV_VERSION')) ?? 2;
  const version = number(pick(o.version, env, 'VAULT_SECRET_VERSION'), 'VAULT_SECRET_VERSION', 'version', {
    min: 1,
    integer: true,
  });
  const transform = keyTransform(pick(o.keyTransform, env, 'VAULT_KEY_TRANSFORM')) ?? 'none';
  const prefixRaw = pick(o.keyPrefix, env, 'VAULT_KEY_PREFIX');
  if (prefixRaw !== undefined && (typeof prefixRaw !== 'string' || /[=\0]/.test(prefixRaw))) {
    fail('VAULT_KEY_PREFIX', 'keyPrefix', 'must be a string without "=" or NUL');
  }

  if (
    o.required !== undefined &&
    (!Array.isArray(o.required) || o.required.some((k) => typeof k !== 'string' || k === ''))
  ) {
    throw new VaultConfigurationError(
      'VAULT_CONFIG_INVALID',
      'option `required` must be an array of non-empty key names',
      {
        setting: 'required',
      },
    );
  }
  for (const flag of ['inject', 'override'] as const) {
    if (o[flag] !== undefined && typeof o[flag] !== 'boolean') {
      throw new VaultConfigurationError('VAULT_CONFIG_INVALID', `option \`${flag}\` must be a boolean`, {
        setting: flag,
      });
    }
  }

  const allowKeys = keyList(pick(o.allowKeys, env, 'VAULT_ALLOW_KEYS'));
  const healthBody = healthBodyMode(pick(o.healthBody, env, 'VAULT_HEALTH_BODY')) ?? 'full';
  const proxy = proxySettings(env);

  const enabled = addr !== undefined;
  const authMethod = enabled
    ? selectAuthMethodName({ explicit: pick(o.authMethod, env, 'VAULT_AUTH_METHOD'), roleId, token, role })
    : null;

  if (enabled) {
    if (pathList.length === 0)
      fail('VAULT_PATH', 'path', 'is required when VAULT_ADDR is set (e.g. ORG/DEV/MYAPP)');
    if (authMethod === 'kubernetes') {
      if (role === undefined) fail('VAULT_ROLE', 'role', 'is required for kubernetes auth (e.g. dev-myapp)');
      if (k8sAuthMountPoint === undefined) {
        fail(
          'VAULT_K8S_AUTH_MOUNT_POINT',
          'k8sAuthMountPoint',
          'is required for kubernetes auth (e.g. kubernetes-dev-myapp)',
        );
      }
    }
    if (authMethod === 'token' && token === undefined)
      fail('VAULT_TOKEN', 'token', 'is required for token auth');
    if (authMethod === 'approle' && roleId === undefined)
      fail('VAULT_ROLE_ID', 'roleId', 'is required for AppRole auth');
    if (version !== undefined) {
      if (pathList.length !== 1)
        fail('VAULT_SECRET_VERSION', 'version', 'can only pin a version when reading a single path');
      if (kv === 1)
        fail('VAULT_SECRET_VERSION', 'version', 'needs KV version 2 (VAULT_KV_VERSION=1 has no versions)');
    }
  }

  return {
    enabled,
    address: addr ?? null,
    authMethod,
    role: role ?? null,
    paths: pathList,
    mountPoint,
    k8sAuthMountPoint: k8sAuthMountPoint ?? null,
    timeoutMs: Math.round(timeout * 1000),
    maxRetries,
    retryDelayMs: Math.round(retryDelay * 1000),
    startupTimeoutMs: Math.round(startupTimeout * 1000),
    required: [...(o.required ?? [])],
    token: token ?? null,
    roleId: roleId ?? null,
    secretId: secretId ?? null,
    appRoleMountPoint,
    tokenPath:
      text(pick(o.tokenPath, env, 'VAULT_K8S_TOKEN_PATH'), 'VAULT_K8S_TOKEN_PATH', 'tokenPath') ??
      DEFAULT_TOKEN_PATH,
    namespace: text(pick(o.namespace, env, 'VAULT_NAMESPACE'), 'VAULT_NAMESPACE', 'namespace') ?? null,
    caCert: text(pick(o.caCert, env, 'VAULT_CACERT'), 'VAULT_CACERT', 'caCert') ?? null,
    caPath: text(pick(o.caPath, env, 'VAULT_CAPATH'), 'VAULT_CAPATH', 'caPath') ?? null,
    tlsServerName:
      text(pick(o.tlsServerName, env, 'VAULT_TLS_SERVER_NAME'), 'VAULT_TLS_SERVER_NAME', 'tlsServerName') ??
      null,
    ca: o.ca ?? null,
    clientCert: text(pick(o.clientCert, env, 'VAULT_CLIENT_CERT'), 'VAULT_CLIENT_CERT', 'clientCert') ?? null,
    clientKey: text(pick(o.clientKey, env, 'VAULT_CLIENT_KEY'), 'VAULT_CLIENT_KEY', 'clientKey') ?? null,
    skipVerify,
    kvVersion: kv,
    version: version ?? null,
    keyTransform: transform,
    keyPrefix: (prefixRaw as string | undefined) ?? '',
    inject: o.inject ?? true,
    override: o.override ?? true,
    allowKeys,
    healthBody,
    proxy,
    logger: o.logger,
    env,
    lifecycle: resolveLifecycle(o, (value, name) => pick(value, env, name), parseStrictBoolean, authMethod),
  };
}
