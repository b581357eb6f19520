/**
 * The option types: what a user passes (`VaultOptions`, documented per field for editors) and what
 * the resolver hands to the rest of the core (`ResolvedOptions`).
 */
import type { Clock, RandomSource } from '../lifecycle/clock';
import type { DynamicSecretSpec, ResolvedLifecycle } from '../lifecycle/options';
import type { ProxySettings } from '../http/proxy';
import type { AuthMethodName, VaultLogger } from '../types';

export type KvVersion = 1 | 2 | 'auto';
export type KeyTransform = 'none' | 'upper' | ((key: string, path: string) => string);
export type EnvRecord = Record<string, string | undefined>;
export type HealthBody = 'full' | 'minimal';

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
  /**
   * VAULT_STARTUP_SPLAY: initialize() waits a random time in [0, this) before its first request, so a
   * fleet started together reaches Vault spread out. Seconds or a duration; counts within startupTimeout. Default 0.
   */
  startupSplay?: number | string;
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
  /** Random source in [0, 1) of the jitter (start-up retries, the lifecycle); replace it in tests. Default Math.random. */
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
  startupSplayMs: number;
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
