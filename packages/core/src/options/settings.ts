/**
 * Every setting, declared once: option name, environment variable, parser (with its bounds),
 * default, and the doc line the package README's options table shows (a test keeps them equal).
 * The resolver reads every row the same way; only the checks that tie settings together (what each
 * auth method needs, a pinned version) live beside it in index.ts.
 *
 * Long because it is the table: one row per setting, nothing else.
 */
import type { Clock, RandomSource } from '../lifecycle/clock';
import { dynamicSpecs, type DynamicSecretSpec } from '../lifecycle/options';
import type { VaultLogger } from '../types';
import type { EnvRecord, HealthBody, VaultOptions } from './types';
import * as p from './parsers';

export const DEFAULT_TOKEN_PATH = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export interface Setting<T> {
  /** Null for settings only code can give (functions, objects, the environment itself). */
  env: string | null;
  parse: p.Parser<T>;
  default: T | undefined;
  /** The default as the README shows it. */
  shownDefault: string;
  doc: string;
}

/** Keeps the default's own type, so a setting with a default resolves to a value, never undefined. */
function row<T, D extends T | undefined>(setting: Setting<T> & { default: D }): Setting<T> & { default: D } {
  return setting;
}

const none = '—';

export const SETTINGS = {
  address: row({
    env: 'VAULT_ADDR',
    parse: p.address,
    default: undefined,
    shownDefault: none,
    doc: 'Vault URL (`http://` or `https://`; trailing `/` removed). **Unset: Vault is skipped** (state `disabled`) and `required` is checked against `env`.',
  }),
  role: row({
    env: 'VAULT_ROLE',
    parse: p.text,
    default: undefined,
    shownDefault: none,
    doc: 'Kubernetes-auth role. Required for kubernetes auth.',
  }),
  token: row({
    env: 'VAULT_TOKEN',
    parse: p.secret,
    default: undefined,
    shownDefault: none,
    doc: 'Token auth.',
  }),
  roleId: row({
    env: 'VAULT_ROLE_ID',
    parse: p.text,
    default: undefined,
    shownDefault: none,
    doc: 'AppRole auth (`secretId` optional for roles without `bind_secret_id`).',
  }),
  secretId: row({
    env: 'VAULT_SECRET_ID',
    parse: p.secret,
    default: undefined,
    shownDefault: none,
    doc: 'AppRole auth (`secretId` optional for roles without `bind_secret_id`).',
  }),
  path: row({
    env: 'VAULT_PATH',
    parse: p.paths,
    default: [],
    shownDefault: none,
    doc: 'KV path; a comma-separated list or an array reads several in parallel, merged in order: **later paths win**. Required when Vault is on.',
  }),
  mountPoint: row({
    env: 'VAULT_MOUNT_POINT',
    parse: p.mount,
    default: 'kv',
    shownDefault: '`kv`',
    doc: 'KV engine mount.',
  }),
  k8sAuthMountPoint: row({
    env: 'VAULT_K8S_AUTH_MOUNT_POINT',
    parse: p.mount,
    default: undefined,
    shownDefault: none,
    doc: 'Kubernetes auth mount, e.g. `kubernetes-dev-myapp`. Required for kubernetes auth.',
  }),
  appRoleMountPoint: row({
    env: 'VAULT_APPROLE_MOUNT_POINT',
    parse: p.mount,
    default: 'approle',
    shownDefault: '`approle`',
    doc: 'AppRole auth mount.',
  }),
  // Durations are bounded where a larger value cannot mean anything useful.
  timeout: row({
    env: 'VAULT_TIMEOUT',
    parse: p.duration({ minSeconds: 0.001, maxSeconds: 600 }),
    default: 30_000,
    shownDefault: '`30`',
    doc: 'Per-request timeout: seconds or a duration (`30s`, `1m30s`); > 0, at most 10 m.',
  }),
  maxRetries: row({
    env: 'VAULT_MAX_RETRIES',
    parse: p.number({ min: 0, integer: true, max: 100 }),
    default: 3,
    shownDefault: '`3`',
    doc: 'Retries after the first attempt of a transient failure (whole number ≥ 0).',
  }),
  retryDelay: row({
    env: 'VAULT_RETRY_DELAY',
    // 0 retries at once during start-up; background retries keep their own floor.
    parse: p.duration({ maxSeconds: 600, allowZero: true }),
    default: 5_000,
    shownDefault: '`5`',
    doc: 'Base backoff delay: seconds or a duration; 0 – 10 m. Background retries never wait less than 1 s.',
  }),
  startupTimeout: row({
    env: 'VAULT_STARTUP_TIMEOUT',
    parse: p.duration({ minSeconds: 0.001, maxSeconds: 86_400 }),
    default: 60_000,
    shownDefault: '`60`',
    doc: 'Overall budget of `initialize()`: seconds or a duration; > 0, at most 24 h. Bounds every request and every wait.',
  }),
  startupSplay: row({
    env: 'VAULT_STARTUP_SPLAY',
    parse: p.duration({ maxSeconds: 600, allowZero: true }),
    default: 0,
    shownDefault: '`0`',
    doc: 'Waits a random time up to this before the first request of `initialize()`, so that many pods starting together spread their logins under a rate limit: seconds or a duration; 0 – 10 m, less than `VAULT_STARTUP_TIMEOUT`, whose budget it counts in.',
  }),
  skipVerify: row({
    env: 'VAULT_SKIP_VERIFY',
    parse: p.strictBoolean,
    default: false,
    shownDefault: '`false`',
    doc: 'Strict boolean (`1/t/T/true/TRUE/True`, `0/f/F/false/FALSE/False`); anything else is an error. `false` keeps verification on.',
  }),
  kvVersion: row({
    env: 'VAULT_KV_VERSION',
    parse: p.kvVersion,
    default: 2,
    shownDefault: '`2`',
    doc: '`1`, `2` or `auto`.',
  }),
  version: row({
    env: 'VAULT_SECRET_VERSION',
    parse: p.number({ min: 1, integer: true }),
    default: undefined,
    shownDefault: none,
    doc: 'Pin a KV v2 version (single path only).',
  }),
  keyTransform: row({
    env: 'VAULT_KEY_TRANSFORM',
    parse: p.keyTransform,
    default: 'none',
    shownDefault: '`none`',
    doc: '`none`, `upper` (`postgres_password` → `POSTGRES_PASSWORD`) or a function `(key, path) => name`.',
  }),
  keyPrefix: row({
    env: 'VAULT_KEY_PREFIX',
    parse: p.keyPrefix,
    default: '',
    shownDefault: "`''`",
    doc: 'Prepended after the transform.',
  }),
  required: row({
    env: null,
    parse: p.requiredKeys,
    default: [],
    shownDefault: '`[]`',
    doc: 'Keys that must be present and non-empty after loading.',
  }),
  inject: row({
    env: null,
    parse: p.flag,
    default: true,
    shownDefault: '`true`',
    doc: '`false`: secrets only in the manager, `env` untouched.',
  }),
  override: row({
    env: null,
    parse: p.flag,
    default: true,
    shownDefault: '`true`',
    doc: 'Vault wins over variables already set; `false` keeps them.',
  }),
  allowKeys: row({
    env: 'VAULT_ALLOW_KEYS',
    parse: p.keyList,
    default: [],
    shownDefault: '`[]`',
    doc: 'Reserved key names this app really means to load (e.g. `NODE_OPTIONS`); see [Values and keys](#values-and-keys). Case-insensitive.',
  }),
  healthBody: row({
    env: 'VAULT_HEALTH_BODY',
    parse: p.healthBody,
    default: 'full' as HealthBody,
    shownDefault: '`full`',
    doc: 'What the Fastify health route and the Nest indicator serve: `full` (the status object) or `minimal` (`{ "state": … }` only).',
  }),
  // Validated against the credentials given, and only when Vault is on (selectAuthMethodName).
  authMethod: row({
    env: 'VAULT_AUTH_METHOD',
    parse: p.raw,
    default: undefined,
    shownDefault: 'see below',
    doc: '`kubernetes`, `token` or `approle`.',
  }),
  tokenPath: row({
    env: 'VAULT_K8S_TOKEN_PATH',
    parse: p.text,
    default: DEFAULT_TOKEN_PATH,
    shownDefault: `\`${DEFAULT_TOKEN_PATH}\``,
    doc: 'Service-account token file; read fresh on every login.',
  }),
  namespace: row({
    env: 'VAULT_NAMESPACE',
    parse: p.text,
    default: undefined,
    shownDefault: none,
    doc: 'Vault Enterprise namespace (`X-Vault-Namespace`).',
  }),
  caCert: row({
    env: 'VAULT_CACERT',
    parse: p.text,
    default: undefined,
    shownDefault: none,
    doc: 'Path to a PEM CA bundle.',
  }),
  caPath: row({
    env: 'VAULT_CAPATH',
    parse: p.text,
    default: undefined,
    shownDefault: none,
    doc: "Directory of PEM CA certificates (every file in it must be PEM, as Vault's CLI requires). `VAULT_CACERT` wins when both are set.",
  }),
  ca: row({
    env: null,
    parse: p.given<string | Buffer>(),
    default: undefined,
    shownDefault: none,
    doc: 'PEM CA text, instead of a `caCert` file.',
  }),
  tlsServerName: row({
    env: 'VAULT_TLS_SERVER_NAME',
    parse: p.text,
    default: undefined,
    shownDefault: none,
    doc: "Name sent in SNI and checked against Vault's certificate (reach Vault by IP or through a tunnel).",
  }),
  clientCert: row({
    env: 'VAULT_CLIENT_CERT',
    parse: p.text,
    default: undefined,
    shownDefault: none,
    doc: 'PEM client certificate and key for mutual TLS (both or neither).',
  }),
  clientKey: row({
    env: 'VAULT_CLIENT_KEY',
    parse: p.text,
    default: undefined,
    shownDefault: none,
    doc: 'PEM client certificate and key for mutual TLS (both or neither).',
  }),
  logger: row({
    env: null,
    parse: p.given<VaultLogger | false>(),
    default: undefined,
    shownDefault: '`console`',
    doc: "Nest `Logger`, pino, `console`, Fastify's `log`; `false` silences.",
  }),
  env: row({
    env: null,
    parse: p.given<EnvRecord>(),
    default: undefined,
    shownDefault: '`process.env`',
    doc: 'Environment to read and inject into.',
  }),
  logStartupFailure: row({
    env: null,
    parse: p.given<boolean>(),
    default: true,
    shownDefault: '`true`',
    doc: 'Log a failed start-up before rejecting; the framework adapters turn it off (they reject bootstrap and the app reports once).',
  }),
  refreshInterval: row({
    env: 'VAULT_REFRESH_INTERVAL',
    // At least a second (a loop needs a floor); up to a year (longer timers are chained).
    parse: p.duration({ minSeconds: 1, maxSeconds: 365 * 86_400 }),
    default: undefined,
    shownDefault: none,
    doc: 'Re-read every path on this interval: a duration (`30s`, `15m`, `1h30m`, `1d`) or seconds; 1 s – 365 d.',
  }),
  dynamic: row({
    env: 'VAULT_DYNAMIC',
    parse: dynamicSpecs,
    default: [] as DynamicSecretSpec[],
    shownDefault: '`[]`',
    doc: 'Dynamic secrets: `[{ "path": "database/creds/app", "keys": { "username": "DB_USER", "password": "DB_PASSWORD" } }]`.',
  }),
  revokeToken: row({
    env: 'VAULT_REVOKE_TOKEN',
    parse: p.strictBoolean,
    default: undefined,
    shownDefault: '`true` (kubernetes, AppRole); `false` (token auth)',
    doc: 'Start-up-only mode: revoke the token after loading. Ignored (kept) when refresh or dynamic secrets need it.',
  }),
  clock: row({
    env: null,
    parse: p.given<Clock>(),
    default: undefined,
    shownDefault: "Node's timers",
    doc: 'Time and randomness of the lifecycle, replaceable in tests (see docs/lifecycle.md).',
  }),
  random: row({
    env: null,
    parse: p.given<RandomSource>(),
    default: undefined,
    shownDefault: '`Math.random`',
    doc: 'Time and randomness of the lifecycle, replaceable in tests (see docs/lifecycle.md).',
  }),
} satisfies { [K in keyof Required<VaultOptions>]: Setting<unknown> };

type Settings = typeof SETTINGS;
type ValueOf<K extends keyof Settings> = Settings[K] extends Setting<infer T> ? T : never;
type HasDefault<K extends keyof Settings> = [Settings[K]['default']] extends [undefined] ? false : true;

/** Each setting's value: the option if given, else the variable (blank counts as unset), else the default. */
export type SettingValues = {
  [K in keyof Settings]: HasDefault<K> extends true ? ValueOf<K> : ValueOf<K> | undefined;
};

/** The one generic resolver: every row read, parsed and defaulted the same way, in table order. */
export function readSettings(options: VaultOptions, env: EnvRecord): SettingValues {
  const values: Record<string, unknown> = {};
  for (const [option, setting] of Object.entries(SETTINGS) as [keyof Settings, Setting<unknown>][]) {
    const given = options[option];
    let value: unknown = given === null ? undefined : given;
    if (value === undefined && setting.env !== null) {
      const trimmed = env[setting.env]?.trim();
      value = trimmed === '' ? undefined : trimmed;
    }
    values[option] = setting.parse(value, { setting: setting.env ?? option, option }) ?? setting.default;
  }
  return values as SettingValues;
}
