/**
 * Options: the reference service's environment contract plus programmatic overrides, declared once
 * in settings.ts. Options win over the environment. Every bad value is a VaultConfigurationError
 * that names the environment variable (and the option), and never echoes a token or secret id.
 */
import { resolveLifecycle } from '../lifecycle/options';
import { proxySettingsFromEnv, type ProxySettings } from '../http/proxy';
import { VaultConfigurationError } from '../errors';
import type { AuthMethodName } from '../types';
import { fail } from './parsers';
import { readSettings, type SettingValues } from './settings';
import type { EnvRecord, ResolvedOptions, VaultOptions } from './types';

export { DEFAULT_TOKEN_PATH } from './settings';
export type * from './types';

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
        { setting: 'VAULT_AUTH_METHOD', option: 'authMethod' },
        `must be one of ${AUTH_METHODS.join(', ')} (got ${JSON.stringify(input.explicit)})`,
      );
    }
    return input.explicit as AuthMethodName;
  }
  if (input.roleId !== undefined) return 'approle';
  if (input.token !== undefined && input.role === undefined) return 'token';
  return 'kubernetes';
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
  const v = readSettings(options, env);
  const proxy = proxySettings(env);

  const enabled = v.address !== undefined;
  const authMethod = enabled
    ? selectAuthMethodName({ explicit: v.authMethod, roleId: v.roleId, token: v.token, role: v.role })
    : null;
  if (enabled) checkTogether(v, authMethod as AuthMethodName);

  return {
    enabled,
    authMethod,
    // Settings without a default are null when unset; the rest carry their value as resolved.
    ...orNull(v, [
      'address',
      'role',
      'k8sAuthMountPoint',
      'token',
      'roleId',
      'secretId',
      'namespace',
      'caCert',
      'caPath',
      'tlsServerName',
      'ca',
      'clientCert',
      'clientKey',
      'version',
    ]),
    ...only(v, [
      'mountPoint',
      'maxRetries',
      'required',
      'appRoleMountPoint',
      'tokenPath',
      'skipVerify',
      'kvVersion',
      'keyTransform',
      'keyPrefix',
      'inject',
      'override',
      'allowKeys',
      'healthBody',
      'logger',
    ]),
    paths: v.path,
    timeoutMs: v.timeout,
    retryDelayMs: v.retryDelay,
    startupTimeoutMs: v.startupTimeout,
    startupSplayMs: v.startupSplay,
    proxy,
    env,
    lifecycle: resolveLifecycle(v, authMethod),
  };
}

function only<T, K extends keyof T>(values: T, keys: readonly K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((key) => [key, values[key]])) as Pick<T, K>;
}

function orNull<T, K extends keyof T>(
  values: T,
  keys: readonly K[],
): { [P in K]-?: Exclude<T[P], undefined> | null } {
  return Object.fromEntries(keys.map((key) => [key, values[key] ?? null])) as {
    [P in K]-?: Exclude<T[P], undefined> | null;
  };
}

/** What each auth method needs, and what a pinned version allows: settings checked together. */
function checkTogether(v: SettingValues, authMethod: AuthMethodName): void {
  const at = (setting: string, option: string) => ({ setting, option });
  if (v.path.length === 0)
    fail(at('VAULT_PATH', 'path'), 'is required when VAULT_ADDR is set (e.g. ORG/DEV/MYAPP)');
  if (authMethod === 'kubernetes') {
    if (v.role === undefined)
      fail(at('VAULT_ROLE', 'role'), 'is required for kubernetes auth (e.g. dev-myapp)');
    if (v.k8sAuthMountPoint === undefined) {
      fail(
        at('VAULT_K8S_AUTH_MOUNT_POINT', 'k8sAuthMountPoint'),
        'is required for kubernetes auth (e.g. kubernetes-dev-myapp)',
      );
    }
  }
  if (v.startupSplay >= v.startupTimeout) {
    fail(
      at('VAULT_STARTUP_SPLAY', 'startupSplay'),
      `must be less than VAULT_STARTUP_TIMEOUT (${v.startupTimeout / 1000} s), whose budget it counts in: lower it or raise VAULT_STARTUP_TIMEOUT`,
    );
  }
  if (authMethod === 'token' && v.token === undefined)
    fail(at('VAULT_TOKEN', 'token'), 'is required for token auth');
  if (authMethod === 'approle' && v.roleId === undefined)
    fail(at('VAULT_ROLE_ID', 'roleId'), 'is required for AppRole auth');
  if (v.version !== undefined) {
    if (v.path.length !== 1)
      fail(at('VAULT_SECRET_VERSION', 'version'), 'can only pin a version when reading a single path');
    if (v.kvVersion === 1)
      fail(at('VAULT_SECRET_VERSION', 'version'), 'needs KV version 2 (VAULT_KV_VERSION=1 has no versions)');
  }
}
