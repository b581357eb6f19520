/**
 * The fault matrix: each row is a fault (made through the dev server, a proxy or the environment) →
 * the expected outcome (recovery, or error class + code) → a wall-time bound. The same rows drive the
 * core suite and, where `process` is set, the example apps as child processes. docs/failure-modes.md
 * is this table in prose; a test keeps them in step.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import type { VaultError, VaultStatus } from '@vault-config/core';
import { join } from 'node:path';
import { hardeningRows } from './fault-rows-hardening';
import { closedPort, makeCertificate, startProxy } from './fault-servers';
import { AUTH_MOUNT, CANARY, NS, PATH, type Env, type World } from './fault-world';

export type ErrorClassName = 'VaultConfigurationError' | 'VaultAuthenticationError' | 'VaultSecretError';

export type Outcome =
  | {
      ok: true;
      /** What "works" means here, for the docs (default: loads). */
      says?: string;
      check?: (secrets: Readonly<Record<string, string>>, world: World) => void;
    }
  | { error: ErrorClassName; code: string; setting?: string; message?: RegExp };

/** What a row may look at after the run, besides the outcome. */
export interface Observed {
  /** Every log line, all levels, in order. */
  logs: string[];
  warns: string[];
  status: VaultStatus;
  env: Env;
  error: VaultError | undefined;
  elapsed: number;
}

export interface RowContext {
  world: World;
  /** Registers clean-up (proxies...) run after the row. */
  defer(fn: () => Promise<void> | void): void;
}

export interface FaultRow {
  /** What goes wrong, as written in docs/failure-modes.md. */
  fault: string;
  /** Returns environment overrides; `undefined` removes a variable. */
  setup?: (ctx: RowContext) => Promise<Env> | Env;
  outcome: Outcome;
  /** Wall-time bound for the core (child-process rows add the app's own start-up). */
  boundMs: number;
  /** A lower bound, for rows that must wait (Retry-After). */
  minMs?: number;
  /** Options only the core takes (not expressible as an environment variable). */
  coreOptions?: { required?: string[] };
  /** Extra assertions on the dev server's request log (retry counts...). */
  requests?: (world: World) => void;
  /** Also run against both example apps as child processes. */
  process?: boolean;
  /** Extra assertions on the logs, the status, the env and the error. */
  observe?: (seen: Observed) => void;
}

const READ = `/v1/kv/data/${PATH}`;
const LOGIN = `/v1/auth/${AUTH_MOUNT}/login`;

const reads = (w: World) => w.server.requests.filter((r) => r.path.startsWith('/v1/kv'));
const statuses = (w: World, path: string) =>
  w.server.requests.filter((r) => r.path === path).map((r) => r.status);

function expectEqual(actual: unknown, expected: unknown, what: string): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

const noRequests = (w: World) => expectEqual(w.server.requests.length, 0, 'requests to Vault');
const readAttempts = (n: number) => (w: World) => expectEqual(reads(w).length, n, 'read attempts');
const loginAttempts = (n: number) => (w: World) =>
  expectEqual(statuses(w, LOGIN).length, n, 'login attempts');

const isRoot = process.getuid?.() === 0;

export const rows: FaultRow[] = [
  // The README's failure table
  {
    fault: '`VAULT_ADDR` unset, `required` keys present in the environment',
    setup: () => ({ VAULT_ADDR: undefined, PRESENT_KEY: 'from-env' }),
    coreOptions: { required: ['PRESENT_KEY'] },
    outcome: { ok: true, says: 'Vault skipped, state `disabled`, no request' },
    boundMs: 1000,
    requests: noRequests,
  },
  {
    fault: '`VAULT_ADDR` unset, a `required` key missing from the environment',
    setup: () => ({ VAULT_ADDR: undefined }),
    coreOptions: { required: ['ABSENT_KEY'] },
    outcome: { error: 'VaultSecretError', code: 'VAULT_REQUIRED_KEYS_MISSING', setting: 'VAULT_ADDR' },
    boundMs: 1000,
    requests: noRequests,
  },
  {
    fault: 'service-account token file missing',
    setup: ({ world }) => ({ VAULT_K8S_TOKEN_PATH: join(world.dir, 'absent') }),
    outcome: { error: 'VaultAuthenticationError', code: 'VAULT_TOKEN_FILE_MISSING' },
    boundMs: 1000,
    requests: noRequests,
    process: true,
  },
  {
    fault: 'service-account token file empty',
    setup: ({ world }) => {
      const file = join(world.dir, 'empty');
      writeFileSync(file, ' \n');
      return { VAULT_K8S_TOKEN_PATH: file };
    },
    outcome: { error: 'VaultAuthenticationError', code: 'VAULT_TOKEN_FILE_EMPTY' },
    boundMs: 1000,
    requests: noRequests,
  },
  {
    // chmod 000 does not stop root, so as root a directory stands in for an unreadable file.
    fault: 'service-account token file unreadable (chmod 000; as root, which reads anything: a directory)',
    setup: ({ world }) => {
      const file = join(world.dir, 'unreadable');
      if (isRoot) mkdirSync(file);
      else {
        writeFileSync(file, world.jwt);
        chmodSync(file, 0o000);
      }
      return { VAULT_K8S_TOKEN_PATH: file };
    },
    outcome: { error: 'VaultAuthenticationError', code: 'VAULT_TOKEN_FILE_UNREADABLE' },
    boundMs: 1000,
    requests: noRequests,
  },
  {
    // vault: sealed-503
    fault: 'Vault sealed (retried within the start-up budget, logged)',
    setup: ({ world }) => (world.server.seal(), {}),
    outcome: { error: 'VaultConfigurationError', code: 'VAULT_SEALED' },
    boundMs: 1000,
    requests: loginAttempts(3),
    process: true,
  },
  {
    // vault: health-codes
    fault: 'Vault uninitialized',
    setup: ({ world }) => (world.server.setInitialized(false), {}),
    outcome: { error: 'VaultConfigurationError', code: 'VAULT_UNINITIALIZED' },
    boundMs: 1000,
  },
  {
    // vault: kubernetes-login-role
    fault: 'kubernetes login: unknown role',
    setup: () => ({ VAULT_ROLE: 'no-such-role' }),
    outcome: { error: 'VaultAuthenticationError', code: 'VAULT_LOGIN_REJECTED' },
    boundMs: 1000,
    requests: loginAttempts(1),
    process: true,
  },
  {
    // vault: kubernetes-login-unbound
    fault: 'kubernetes login: service account not bound to the role',
    setup: ({ world }) => ({
      VAULT_K8S_TOKEN_PATH: world.server.writeServiceAccountTokenFile(join(world.dir, 'other-sa'), {
        namespace: NS,
        serviceAccount: 'someone-else',
      }),
    }),
    outcome: { error: 'VaultAuthenticationError', code: 'VAULT_LOGIN_REJECTED' },
    boundMs: 1000,
    requests: loginAttempts(1),
  },
  {
    // vault: kubernetes-login-unbound
    fault: 'kubernetes login: namespace not bound to the role',
    setup: ({ world }) => ({
      VAULT_K8S_TOKEN_PATH: world.server.writeServiceAccountTokenFile(join(world.dir, 'other-ns'), {
        namespace: 'other-namespace',
        serviceAccount: CANARY.serviceAccount,
      }),
    }),
    outcome: { error: 'VaultAuthenticationError', code: 'VAULT_LOGIN_REJECTED' },
    boundMs: 1000,
    requests: loginAttempts(1),
  },
  {
    // vault: jwt-expiry-leeway
    fault: 'kubernetes login: expired JWT (past the 60 s leeway)',
    setup: ({ world }) => ({
      VAULT_K8S_TOKEN_PATH: world.server.writeServiceAccountTokenFile(join(world.dir, 'expired'), {
        namespace: NS,
        serviceAccount: CANARY.serviceAccount,
        ttlSeconds: -120,
      }),
    }),
    outcome: { error: 'VaultAuthenticationError', code: 'VAULT_LOGIN_REJECTED' },
    boundMs: 1000,
    requests: loginAttempts(1),
  },
  {
    fault: 'a login rejection whose message echoes the JWT',
    setup: ({ world }) => {
      world.server.addFault(
        { type: 'status', status: 400, body: { errors: [`invalid jwt ${world.jwt}`] } },
        { path: LOGIN },
      );
      return {};
    },
    outcome: { error: 'VaultAuthenticationError', code: 'VAULT_LOGIN_REJECTED' },
    boundMs: 1000,
    requests: loginAttempts(1),
  },
  {
    fault: 'a denied read whose message echoes the token (token auth, root token)',
    setup: ({ world }) => {
      world.server.addFault(
        {
          type: 'status',
          status: 403,
          body: { errors: [`permission denied for ${world.server.rootToken}`] },
        },
        { path: READ },
      );
      return {
        VAULT_ROLE: undefined,
        VAULT_K8S_AUTH_MOUNT_POINT: undefined,
        VAULT_TOKEN: world.server.rootToken,
      };
    },
    outcome: { error: 'VaultSecretError', code: 'VAULT_ACCESS_DENIED' },
    boundMs: 1000,
    requests: readAttempts(1),
  },
  {
    // vault: no-handler-404
    fault: 'wrong kubernetes auth mount',
    setup: () => ({ VAULT_K8S_AUTH_MOUNT_POINT: 'kubernetes-nope' }),
    outcome: {
      error: 'VaultAuthenticationError',
      code: 'VAULT_AUTH_MOUNT_NOT_FOUND',
      setting: 'VAULT_K8S_AUTH_MOUNT_POINT',
    },
    boundMs: 1000,
  },
  {
    // vault: read-missing-404
    fault: 'secret path not found (404)',
    setup: () => ({ VAULT_PATH: 'ACME/DEV/NOPE' }),
    outcome: { error: 'VaultSecretError', code: 'VAULT_SECRET_NOT_FOUND', setting: 'VAULT_PATH' },
    boundMs: 1000,
    requests: readAttempts(1),
    process: true,
  },
  {
    // vault: permission-denied
    fault: 'access denied (403)',
    setup: ({ world }) => {
      world.server.writeSecret('kv', 'OTHER/TEAM', { X: 'y' });
      return { VAULT_PATH: 'OTHER/TEAM' };
    },
    outcome: { error: 'VaultSecretError', code: 'VAULT_ACCESS_DENIED' },
    boundMs: 1000,
    requests: readAttempts(1),
    process: true,
  },
  {
    fault: 'a `required` key missing from Vault',
    coreOptions: { required: ['API_KEY', 'NOT_IN_VAULT'] },
    outcome: { error: 'VaultSecretError', code: 'VAULT_REQUIRED_KEYS_MISSING', setting: 'VAULT_PATH' },
    boundMs: 1000,
  },
  {
    fault: '500 on every read (`VAULT_MAX_RETRIES=2`)',
    setup: ({ world }) => (world.server.addFault({ type: 'status', status: 500 }, { path: READ }), {}),
    outcome: { error: 'VaultSecretError', code: 'VAULT_RETRIES_EXHAUSTED', setting: 'VAULT_MAX_RETRIES' },
    boundMs: 2000,
    requests: readAttempts(3),
    process: true,
  },

  // Network
  {
    fault: 'connection refused',
    setup: async () => ({ VAULT_ADDR: `http://127.0.0.1:${await closedPort()}` }),
    outcome: { error: 'VaultSecretError', code: 'VAULT_RETRIES_EXHAUSTED' },
    boundMs: 2000,
    process: true,
  },
  {
    fault: 'unresolvable host (`vault.invalid`)',
    setup: () => ({ VAULT_ADDR: 'http://vault.invalid:8200' }),
    outcome: { error: 'VaultSecretError', code: 'VAULT_RETRIES_EXHAUSTED' },
    boundMs: 8000,
    process: true,
  },
  {
    fault: 'TLS: certificate the client does not trust',
    setup: async ({ world, defer }) => {
      const proxy = await startProxy(world.server.address, { tls: makeCertificate(world.dir) });
      defer(() => proxy.close());
      return { VAULT_ADDR: proxy.address };
    },
    outcome: { error: 'VaultConfigurationError', code: 'VAULT_TLS' },
    boundMs: 2000,
    requests: noRequests,
    process: true,
  },
  {
    fault: 'TLS: untrusted certificate with `VAULT_SKIP_VERIFY=false` (still verifies)',
    setup: async ({ world, defer }) => {
      const proxy = await startProxy(world.server.address, { tls: makeCertificate(world.dir) });
      defer(() => proxy.close());
      return { VAULT_ADDR: proxy.address, VAULT_SKIP_VERIFY: 'false' };
    },
    outcome: { error: 'VaultConfigurationError', code: 'VAULT_TLS' },
    boundMs: 2000,
    requests: noRequests,
  },
  {
    fault: 'TLS: the same certificate trusted through `VAULT_CACERT`',
    setup: async ({ world, defer }) => {
      const tls = makeCertificate(world.dir);
      const proxy = await startProxy(world.server.address, { tls });
      defer(() => proxy.close());
      return { VAULT_ADDR: proxy.address, VAULT_CACERT: tls.certPath };
    },
    outcome: { ok: true },
    boundMs: 2000,
  },
  {
    fault: 'response headers slower than `VAULT_TIMEOUT` once',
    setup: ({ world }) => {
      world.server.addFault({ type: 'latency', ms: 1500 }, { path: READ, times: 1 });
      return { VAULT_TIMEOUT: '0.5' };
    },
    outcome: { ok: true },
    boundMs: 2500,
    minMs: 450,
  },
  {
    fault: 'response headers always slower than `VAULT_TIMEOUT`',
    setup: ({ world }) => {
      world.server.addFault({ type: 'latency', ms: 1500 }, { path: READ });
      return { VAULT_TIMEOUT: '0.5' };
    },
    outcome: { error: 'VaultSecretError', code: 'VAULT_RETRIES_EXHAUSTED' },
    boundMs: 3000,
    minMs: 1400,
    process: true,
  },
  {
    fault: 'a body that stalls past `VAULT_TIMEOUT`',
    setup: ({ world }) => {
      world.server.addFault({ type: 'slow-body', ms: 1500 }, { path: READ });
      return { VAULT_TIMEOUT: '0.5' };
    },
    outcome: { error: 'VaultSecretError', code: 'VAULT_RETRIES_EXHAUSTED' },
    boundMs: 3000,
    minMs: 1400,
  },
  {
    fault: 'connection reset in the middle of the body',
    setup: async ({ world, defer }) => {
      const proxy = await startProxy(world.server.address, { resetMidBody: new RegExp(`^${READ}$`) });
      defer(() => proxy.close());
      return { VAULT_ADDR: proxy.address };
    },
    outcome: { error: 'VaultSecretError', code: 'VAULT_RETRIES_EXHAUSTED' },
    boundMs: 2000,
    requests: readAttempts(3),
  },
  {
    fault: 'a request that never answers (`VAULT_STARTUP_TIMEOUT=1`)',
    setup: ({ world }) => {
      world.server.addFault({ type: 'hang' }, { path: READ });
      return { VAULT_STARTUP_TIMEOUT: '1', VAULT_TIMEOUT: '30' };
    },
    outcome: {
      error: 'VaultSecretError',
      code: 'VAULT_DEADLINE_EXCEEDED',
      setting: 'VAULT_STARTUP_TIMEOUT',
    },
    boundMs: 2000,
    minMs: 900,
    process: true,
  },

  {
    // vault: sealed-503
    fault: 'Vault sealed between the login and the read',
    setup: ({ world, defer }) => {
      // The read is held 300 ms; the seal lands as soon as the login has been answered.
      world.server.addFault({ type: 'latency', ms: 300 }, { path: READ });
      const timer = setInterval(() => {
        if (world.server.requests.some((r) => r.path === LOGIN && r.status === 200)) {
          clearInterval(timer);
          world.server.seal();
        }
      }, 5);
      defer(() => clearInterval(timer));
      return {};
    },
    outcome: { error: 'VaultConfigurationError', code: 'VAULT_SEALED' },
    boundMs: 1500,
  },
  {
    fault: 'one of two paths never answers, the other is 404 (fails fast)',
    setup: ({ world }) => {
      world.server.addFault({ type: 'hang' }, { path: READ });
      return { VAULT_PATH: `${PATH},ACME/DEV/NOPE`, VAULT_TIMEOUT: '30' };
    },
    outcome: { error: 'VaultSecretError', code: 'VAULT_SECRET_NOT_FOUND' },
    boundMs: 1000,
  },

  // Answers
  {
    // vault: rate-limit-retry-after
    fault: 'Vault rate limit of 1 request/s (the read gets 429 + `Retry-After`), then success',
    // Vault's Retry-After is whole seconds, truncated: "0" here. The retry waits past that second
    // (1–2 s), so it comes after the window has turned and is not refused again.
    setup: ({ world }) => (world.server.setRateLimit(1, { responseHeaders: true }), {}),
    outcome: { ok: true },
    minMs: 950,
    boundMs: 2500,
    requests: (w) => expectEqual(statuses(w, READ), [429, 200], 'read statuses'),
  },
  {
    fault: '500 twice, then success',
    setup: ({ world }) => (
      world.server.addFault({ type: 'status', status: 500 }, { path: READ, times: 2 }),
      {}
    ),
    outcome: { ok: true },
    boundMs: 1500,
    requests: (w) => expectEqual(statuses(w, READ), [500, 500, 200], 'read statuses'),
    process: true,
  },
  {
    // vault: rate-limit-retry-after
    fault: '429 with `Retry-After: 1`, then success',
    setup: ({ world }) => {
      world.server.addFault({ type: 'rate-limited', retryAfterSeconds: 1 }, { path: READ, times: 1 });
      return {};
    },
    outcome: { ok: true },
    // 1 s asked, 1 s for its resolution, then up to 1 s of spread.
    minMs: 1950,
    boundMs: 3500,
    requests: (w) => expectEqual(statuses(w, READ), [429, 200], 'read statuses'),
  },
  {
    fault: 'HTML 502 page from a proxy on every read',
    setup: ({ world }) => (world.server.addFault({ type: 'html', status: 502 }, { path: READ }), {}),
    outcome: { error: 'VaultSecretError', code: 'VAULT_RETRIES_EXHAUSTED' },
    boundMs: 2000,
    requests: readAttempts(3),
  },
  {
    fault: 'malformed JSON (200) on the read',
    setup: ({ world }) => (world.server.addFault({ type: 'malformed-json' }, { path: READ }), {}),
    outcome: { error: 'VaultSecretError', code: 'VAULT_RESPONSE_INVALID' },
    boundMs: 1000,
    requests: readAttempts(1),
  },
  {
    fault: 'malformed JSON (200) on the login',
    setup: ({ world }) => (world.server.addFault({ type: 'malformed-json' }, { path: LOGIN }), {}),
    outcome: { error: 'VaultAuthenticationError', code: 'VAULT_AUTH_RESPONSE_INVALID' },
    boundMs: 1000,
    requests: loginAttempts(1),
  },
  {
    fault: 'empty 200 body on the read',
    setup: ({ world }) => (world.server.addFault({ type: 'empty-body' }, { path: READ }), {}),
    outcome: { error: 'VaultSecretError', code: 'VAULT_RESPONSE_INVALID' },
    boundMs: 1000,
  },
  {
    fault: '200 body without `data` on the read',
    setup: ({ world }) => {
      world.server.addFault(
        {
          type: 'status',
          status: 200,
          body: { request_id: 'x', lease_id: '', lease_duration: 0, warnings: null },
        },
        { path: READ },
      );
      return {};
    },
    outcome: { error: 'VaultSecretError', code: 'VAULT_RESPONSE_INVALID' },
    boundMs: 1000,
  },

  // KV and auth shapes
  {
    // vault: kv1-read
    fault: 'KV v1 mount read as v2 (default `VAULT_KV_VERSION`)',
    setup: ({ world }) => {
      world.server.enableKv('kv1', 1);
      world.server.writeSecret('kv1', PATH, { A: 'b' });
      return { VAULT_MOUNT_POINT: 'kv1' };
    },
    outcome: { error: 'VaultSecretError', code: 'VAULT_SECRET_NOT_FOUND', message: /VAULT_KV_VERSION/ },
    boundMs: 1000,
  },
  {
    // vault: kv2-read
    fault: 'KV v2 mount read as v1 (`VAULT_KV_VERSION=1`)',
    setup: ({ world }) => {
      // Grant the v1-style path too, so Vault answers the version mismatch rather than the ACL.
      world.server.writePolicy('myapp-dev-read', 'path "kv/*" { capabilities = ["read"] }');
      return { VAULT_KV_VERSION: '1' };
    },
    outcome: {
      error: 'VaultSecretError',
      code: 'VAULT_SECRET_NOT_FOUND',
      setting: 'VAULT_KV_VERSION',
      message: /KV v2 mount read as KV v1/,
    },
    boundMs: 1000,
  },
  {
    // vault: permission-denied
    fault: 'token auth (`VAULT_TOKEN`) with an unknown token',
    setup: () => ({
      VAULT_ROLE: undefined,
      VAULT_K8S_AUTH_MOUNT_POINT: undefined,
      VAULT_TOKEN: 'hvs.CANARYunknownToken0000',
    }),
    outcome: { error: 'VaultSecretError', code: 'VAULT_ACCESS_DENIED' },
    boundMs: 1000,
  },

  // Values and keys
  {
    fault: 'a 1 MB secret value',
    setup: ({ world }) => {
      world.server.writeSecret('kv', PATH, { BIG: 'x'.repeat(1024 * 1024) });
      return {};
    },
    outcome: {
      ok: true,
      says: 'loads; served by `get()`, kept out of the environment',
      check: (s) => expectEqual(s.BIG?.length, 1024 * 1024, 'BIG length'),
    },
    boundMs: 2000,
  },
  {
    fault: 'a 20 MB answer (over the 16 MB response cap)',
    setup: ({ world }) => {
      world.server.writeSecret('kv', PATH, { HUGE: 'x'.repeat(20 * 1024 * 1024) });
      return {};
    },
    outcome: { error: 'VaultSecretError', code: 'VAULT_RESPONSE_TOO_LARGE' },
    boundMs: 3000,
  },
  {
    fault: '10,000 keys in one secret',
    setup: ({ world }) => {
      const data: Record<string, string> = {};
      for (let i = 0; i < 10_000; i += 1) data[`KEY_${i}`] = `v${i}`;
      world.server.writeSecret('kv', PATH, data);
      return {};
    },
    outcome: {
      ok: true,
      check: (s) => {
        expectEqual(Object.keys(s).length, 10_000, 'key count');
        expectEqual(s.KEY_9999, 'v9999', 'KEY_9999');
      },
    },
    boundMs: 3000,
  },
  {
    fault: 'non-string values (number, boolean, object, array, null)',
    setup: ({ world }) => {
      world.server.writeSecret('kv', PATH, { N: 42, B: false, O: { a: [1, 'x'] }, L: [1, 2], Z: null });
      return {};
    },
    outcome: {
      ok: true,
      check: (s) =>
        expectEqual(
          { ...s },
          { N: '42', B: 'false', O: '{"a":[1,"x"]}', L: '[1,2]', Z: '' },
          'converted values',
        ),
    },
    boundMs: 1000,
  },
  {
    fault: 'invalid key names (`A=B`, `__proto__`, empty)',
    setup: ({ world }) => {
      world.server.writeSecret('kv', PATH, JSON.parse('{"GOOD":"x","A=B":"y","__proto__":"z","":"w"}'));
      return {};
    },
    outcome: { error: 'VaultSecretError', code: 'VAULT_INVALID_KEY' },
    boundMs: 1000,
  },
  {
    fault: 'a path with spaces, `?`, `#` and non-ASCII characters',
    setup: ({ world }) => {
      const odd = 'ACME/DEV/my app?v=1#frag/ünïcødé 名前';
      world.server.writeSecret('kv', odd, { ODD: 'yes' });
      return { VAULT_PATH: odd };
    },
    outcome: { ok: true, check: (s) => expectEqual(s.ODD, 'yes', 'ODD') },
    boundMs: 1000,
  },

  // Environment
  ...['abc', '-1', '0'].map((value): FaultRow => ({
    fault: `\`VAULT_TIMEOUT=${value}\``,
    setup: () => ({ VAULT_TIMEOUT: value }),
    outcome: { error: 'VaultConfigurationError', code: 'VAULT_CONFIG_INVALID', setting: 'VAULT_TIMEOUT' },
    boundMs: 1000,
    requests: noRequests,
    process: value === 'abc',
  })),
  {
    fault: '`VAULT_AUTH_METHOD=ldap` (unsupported)',
    setup: () => ({ VAULT_AUTH_METHOD: 'ldap' }),
    outcome: { error: 'VaultConfigurationError', code: 'VAULT_CONFIG_INVALID', setting: 'VAULT_AUTH_METHOD' },
    boundMs: 1000,
    requests: noRequests,
  },
  {
    fault: '`VAULT_SKIP_VERIFY=maybe` (not a boolean)',
    setup: () => ({ VAULT_SKIP_VERIFY: 'maybe' }),
    outcome: { error: 'VaultConfigurationError', code: 'VAULT_CONFIG_INVALID', setting: 'VAULT_SKIP_VERIFY' },
    boundMs: 1000,
    requests: noRequests,
  },
  {
    fault: '`VAULT_MAX_RETRIES=0` and one 500 on the read',
    setup: ({ world }) => {
      world.server.addFault({ type: 'status', status: 500 }, { path: READ, times: 1 });
      return { VAULT_MAX_RETRIES: '0' };
    },
    outcome: { error: 'VaultSecretError', code: 'VAULT_RETRIES_EXHAUSTED' },
    boundMs: 1000,
    requests: readAttempts(1),
  },
  {
    fault: '`VAULT_ADDR` without a scheme (`127.0.0.1:8200`)',
    setup: () => ({ VAULT_ADDR: '127.0.0.1:8200' }),
    outcome: { error: 'VaultConfigurationError', code: 'VAULT_CONFIG_INVALID', setting: 'VAULT_ADDR' },
    boundMs: 1000,
    process: true,
  },
  {
    fault: '`VAULT_ADDR` with a trailing slash',
    setup: ({ world }) => ({ VAULT_ADDR: `${world.server.address}/` }),
    outcome: { ok: true },
    boundMs: 1000,
    requests: (w) => expectEqual(statuses(w, READ), [200], 'read statuses'),
  },
  {
    fault: '`VAULT_ADDR` with a path (Vault behind a proxy at `/vault`)',
    setup: async ({ world, defer }) => {
      const proxy = await startProxy(world.server.address, { prefix: '/vault' });
      defer(() => proxy.close());
      return { VAULT_ADDR: `${proxy.address}/` };
    },
    outcome: { ok: true },
    boundMs: 1000,
  },
  {
    fault: '`VAULT_PATH` empty',
    setup: () => ({ VAULT_PATH: '' }),
    outcome: { error: 'VaultConfigurationError', code: 'VAULT_CONFIG_INVALID', setting: 'VAULT_PATH' },
    boundMs: 1000,
    requests: noRequests,
    process: true,
  },

  ...hardeningRows,
];

/** The docs table cells for a row: fault, outcome, bound, what it runs against. */
export function docCells(row: FaultRow): string[] {
  const outcome =
    'ok' in row.outcome
      ? (row.outcome.says ?? 'loads')
      : `\`${row.outcome.error}\` \`${row.outcome.code}\`${row.outcome.setting ? ` naming \`${row.outcome.setting}\`` : ''}`;
  const bound = row.minMs !== undefined ? `${row.minMs} ms – ${row.boundMs} ms` : `< ${row.boundMs} ms`;
  return [row.fault, outcome, bound, row.process ? 'core + both apps' : 'core'];
}
