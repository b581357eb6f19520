/** The public contract of the dev server. Tests across the monorepo rely on these names. */
import type { RateLimitOptions } from './faults';

export type { RateLimitOptions } from './faults';

export interface RequestLogEntry {
  method: string;
  /** Path without query string, e.g. `/v1/kv/data/ACME/DEV/MYAPP`. */
  path: string;
  status: number;
  /** `performance.now()`-style milliseconds, comparable within one server. */
  start: number;
  end: number;
}

/** The token fields every auth role carries (sdk/helper/tokenutil TokenParams). */
export interface TokenFields {
  token_policies?: string[];
  /** Seconds. Default 3600. */
  token_ttl?: number;
  /** Seconds. Default 0 (the mount's/system max). */
  token_max_ttl?: number;
  /** Stored and read back as Vault does; not applied to issued tokens. */
  token_period?: number;
  token_explicit_max_ttl?: number;
  token_bound_cidrs?: string[];
  token_no_default_policy?: boolean;
  token_num_uses?: number;
  token_type?: string;
  /** Which deprecated field names the role was written with (read back under those names too). */
  legacy?: string[];
}

export interface KubernetesRoleConfig extends TokenFields {
  bound_service_account_names: string[];
  bound_service_account_namespaces: string[];
  audience?: string;
  alias_name_source?: string;
  bound_service_account_namespace_selector?: string;
}

/** Secret IDs never expire or run out here: their TTL and use count are stored and read back only. */
export interface AppRoleConfig extends TokenFields {
  bind_secret_id?: boolean;
  secret_id_ttl?: number;
  secret_id_num_uses?: number;
  secret_id_bound_cidrs?: string[];
}

export interface ServiceAccountClaims {
  namespace: string;
  serviceAccount: string;
  /** Seconds until `exp`. Default 3600. Negative gives an expired token. */
  ttlSeconds?: number;
  /** Seconds from now until `nbf`. Default 0 (valid now). */
  notBeforeSeconds?: number;
  audience?: string | string[];
  issuer?: string;
}

export interface TokenCreateOptions {
  policies?: string[];
  /** Seconds. Default 3600 (0 for no expiry only on the root token). */
  ttl?: number;
  explicit_max_ttl?: number;
  renewable?: boolean;
  num_uses?: number;
}

export interface DatabaseRoleConfig {
  /** Seconds. */
  default_ttl: number;
  /** Seconds. */
  max_ttl: number;
}

export type FaultSpec =
  | { type: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  | { type: 'rate-limited'; retryAfterSeconds?: number }
  | { type: 'latency'; ms: number }
  | { type: 'reset' }
  | { type: 'hang' }
  | { type: 'malformed-json' }
  | { type: 'html'; status?: number }
  | { type: 'empty-body'; status?: number }
  | { type: 'slow-body'; ms: number };

export interface FaultMatch {
  /** Exact path (`/v1/...`), a prefix ending in `*`, or a RegExp tested on the path. Default: all. */
  path?: string | RegExp;
  method?: string;
  /** Apply to the next N matching requests only, then remove itself. Default: until removed. */
  times?: number;
}

export interface SeedFile {
  mounts?: Record<string, { type: 'kv'; version?: 1 | 2 }>;
  /** `{ "kv": { "ACME/DEV/MYAPP": { "DATABASE_URL": "…" } } }` */
  secrets?: Record<string, Record<string, Record<string, unknown>>>;
  /** Policy name → HCL text. */
  policies?: Record<string, string>;
  kubernetes?: Record<string, { roles: Record<string, KubernetesRoleConfig>; issuer?: string }>;
  serviceAccounts?: { namespace: string; name: string }[];
}

export interface DevServerOptions {
  /** 0 (default) picks a free port. Listens on 127.0.0.1 only. */
  port?: number;
  rootToken?: string;
  /** A seed object or a path to a seed JSON file. */
  seed?: SeedFile | string;
  /** Mount `kv` as KV v2 and `secret` as KV v2 at start, as `vault server -dev` does. Default true. */
  defaultMounts?: boolean;
  /** PostgreSQL URL for the database engine stand-in; without it, creds are issued without a real role. */
  databaseUrl?: string;
  /**
   * Where internal-error lines go (default: stderr). They name the method, path and error message,
   * never a token or a request body.
   */
  logger?: (line: string) => void;
}

export interface VaultDevServer {
  readonly address: string;
  readonly rootToken: string;
  /** The one unseal key (base64) for `PUT sys/unseal`, as `vault server -dev` prints it. */
  readonly unsealKey: string;
  close(): Promise<void>;

  enableKv(mount: string, version: 1 | 2): void;
  writeSecret(mount: string, path: string, data: Record<string, unknown>): void;
  deleteSecret(mount: string, path: string): void;
  writePolicy(name: string, hcl: string): void;
  createToken(options?: TokenCreateOptions): string;
  revokeToken(token: string): void;

  /**
   * `issuer` turns on issuer validation (Vault's default is off). `configured: false` leaves the
   * mount without config, so logins fail with 500 `could not load backend configuration`.
   */
  enableKubernetesAuth(mount: string, config?: { issuer?: string; configured?: boolean }): void;
  writeKubernetesRole(mount: string, role: string, config: KubernetesRoleConfig): void;
  mintServiceAccountJwt(claims: ServiceAccountClaims): string;
  /** Mints a JWT and writes it to `filePath` (created or replaced). Returns the path. */
  writeServiceAccountTokenFile(filePath: string, claims: ServiceAccountClaims): string;

  enableAppRole(mount: string): void;
  writeAppRole(mount: string, role: string, config?: AppRoleConfig): { roleId: string; secretId: string };

  configureDatabaseRole(role: string, config: DatabaseRoleConfig): void;

  seal(): void;
  unseal(): void;
  setInitialized(initialized: boolean): void;

  /** Inject a fault; returns a function that removes it. */
  addFault(fault: FaultSpec, match?: FaultMatch): () => void;
  clearFaults(): void;
  /** Fixed extra latency on every request (0 turns it off). */
  setLatency(ms: number): void;
  /**
   * Vault's rate-limit quota: `rate` requests per interval (default 1 s) per client address, a fixed
   * window per client; beyond it, 429 `rate limit quota exceeded`. `responseHeaders: true` is Vault's
   * `enable_rate_limit_response_headers` (`X-Ratelimit-*`, `Retry-After` on a 429); off by default, as
   * in Vault. 0 turns the quota off.
   */
  setRateLimit(rate: number, options?: RateLimitOptions): void;

  readonly requests: readonly RequestLogEntry[];
  clearRequests(): void;
}
