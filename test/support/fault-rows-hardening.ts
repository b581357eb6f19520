/**
 * Fault rows for the operator's experience and hostile input: messages that name the right settings,
 * retries that are logged and use their whole budget, key names and values a KV secret must not
 * smuggle into the environment, bounded reads, proxies, redirects and TLS settings, and status
 * bodies without Vault's text. Same shape as the rows in fault-rows.ts, which includes these.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FaultRow, Observed } from './fault-rows';
import {
  closedPort,
  makeCertificate,
  startForwardProxy,
  startProxy,
  type FaultProxy,
  type ForwardProxy,
} from './fault-servers';
import { AUTH_MOUNT, CANARY, PATH, type World } from './fault-world';

const READ = `/v1/kv/data/${PATH}`;
const LOGIN = `/v1/auth/${AUTH_MOUNT}/login`;

function expectEqual(actual: unknown, expected: unknown, what: string): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

function expectMatch(text: string | undefined, pattern: RegExp, what: string): void {
  if (text === undefined || !pattern.test(text))
    throw new Error(`${what}: ${JSON.stringify(text)} !~ ${pattern}`);
}

const statuses = (w: World, path: string) =>
  w.server.requests.filter((r) => r.path === path).map((r) => r.status);

/** One KV key written next to the usual ones. */
const withKey =
  (key: string, value: string = 'x') =>
  ({ world }: { world: World }) => {
    world.server.writeSecret('kv', PATH, { PORT: '8080', [key]: value });
    return {};
  };

/** Keys a KV secret must not set by default: they steer Node, the loader, the network or us. */
const RESERVED_SAMPLES = [
  'NODE_OPTIONS',
  'NODE_TLS_REJECT_UNAUTHORIZED',
  'LD_PRELOAD',
  'PATH',
  'https_proxy',
  'VAULT_ADDR',
];

let counted: FaultProxy | undefined;
let forward: ForwardProxy | undefined;

/** The forward proxy saw the request (or tunnel) for `host`, with the credentials from the URL. */
const throughProxy = (kind: 'forwarded' | 'tunnels', host: string) => () => {
  expectEqual(forward?.[kind].includes(host), true, `${kind} to ${host}`);
  expectEqual(forward?.credentials.includes(`app:${CANARY.apiKey}`), true, 'Proxy-Authorization');
};

export const hardeningRows: FaultRow[] = [
  // Messages that send people the right way
  {
    fault:
      '403 on a mistyped `VAULT_PATH` (outside the policy): the hint names the path settings and the policy',
    setup: () => ({ VAULT_PATH: 'ACNE/DEV/MYAPP' }),
    outcome: {
      error: 'VaultSecretError',
      code: 'VAULT_ACCESS_DENIED',
      message:
        /VAULT_PATH, VAULT_MOUNT_POINT, VAULT_KV_VERSION and VAULT_KEY_PREFIX.*lacks "read" on kv\/data\/ACNE\/DEV\/MYAPP/,
    },
    boundMs: 1000,
  },
  {
    fault: '`VAULT_SECRET_VERSION=7` pinned, the secret has 1 version',
    setup: () => ({ VAULT_SECRET_VERSION: '7' }),
    outcome: {
      error: 'VaultSecretError',
      code: 'VAULT_SECRET_NOT_FOUND',
      setting: 'VAULT_SECRET_VERSION',
      message: /version 7 pinned by VAULT_SECRET_VERSION/,
    },
    boundMs: 1000,
  },
  {
    fault: '`VAULT_SECRET_VERSION=1` pinned, a `required` key added in version 2',
    setup: ({ world }) => {
      world.server.writeSecret('kv', PATH, { PORT: '1', NEW_KEY: 'added later' });
      return { VAULT_SECRET_VERSION: '1' };
    },
    coreOptions: { required: ['NEW_KEY'] },
    outcome: {
      error: 'VaultSecretError',
      code: 'VAULT_REQUIRED_KEYS_MISSING',
      setting: 'VAULT_SECRET_VERSION',
      message: /version 1, pinned by VAULT_SECRET_VERSION/,
    },
    boundMs: 1000,
  },
  {
    fault: 'connection refused: every failed attempt is logged at warn (code, attempt n/N, next wait)',
    setup: async () => ({ VAULT_ADDR: `http://127.0.0.1:${await closedPort()}` }),
    outcome: { error: 'VaultSecretError', code: 'VAULT_RETRIES_EXHAUSTED' },
    boundMs: 2000,
    observe: ({ warns }: Observed) => {
      expectEqual(warns.length, 2, 'warn lines');
      expectMatch(warns[0], /login: attempt 1\/3 failed \(ECONNREFUSED\); next in \d+ ms/, 'first warn');
      expectMatch(warns[1], /login: attempt 2\/3 failed \(ECONNREFUSED\); next in \d+ ms/, 'second warn');
    },
  },
  {
    fault:
      'backoff longer than the budget left (`VAULT_RETRY_DELAY=5`, `VAULT_STARTUP_TIMEOUT=1.5`, 500 on every read): the time left is used',
    setup: ({ world }) => {
      world.server.addFault({ type: 'status', status: 500 }, { path: READ });
      return { VAULT_RETRY_DELAY: '5', VAULT_STARTUP_TIMEOUT: '1.5', VAULT_MAX_RETRIES: '20' };
    },
    outcome: {
      error: 'VaultSecretError',
      code: 'VAULT_DEADLINE_EXCEEDED',
      setting: 'VAULT_STARTUP_TIMEOUT',
      message: /ms of the start-up budget \(VAULT_STARTUP_TIMEOUT\) was left, too little for another attempt/,
    },
    minMs: 1350,
    boundMs: 2500,
    observe: ({ warns }) =>
      expectMatch(warns.at(-1), /the last that fits VAULT_STARTUP_TIMEOUT/, 'last warn'),
  },
  {
    fault: '429 with `Retry-After: 30`, longer than `VAULT_STARTUP_TIMEOUT=1`: says so at once',
    setup: ({ world }) => {
      world.server.addFault({ type: 'rate-limited', retryAfterSeconds: 30 }, { path: READ });
      return { VAULT_STARTUP_TIMEOUT: '1' };
    },
    outcome: {
      error: 'VaultSecretError',
      code: 'VAULT_DEADLINE_EXCEEDED',
      message: /Vault asked to wait 30 s \(Retry-After\), longer than the [\d.]+ s left/,
    },
    boundMs: 1000,
  },
  {
    fault: 'Vault sealed for the first two logins (a restart), then unsealed',
    setup: ({ world }) => {
      // Vault's answer while sealed: 503 {"errors":["Vault is sealed"]} (vault/http/handler.go, respondError).
      world.server.addFault(
        { type: 'status', status: 503, body: { errors: ['Vault is sealed'] } },
        { path: LOGIN, times: 2 },
      );
      return {};
    },
    outcome: { ok: true, says: 'loads; two warn lines `HTTP 503`' },
    boundMs: 1500,
    requests: (w) => expectEqual(statuses(w, LOGIN), [503, 503, 200], 'login statuses'),
    observe: ({ warns }) => expectEqual(warns.length, 2, 'warn lines'),
  },
  {
    fault: 'the start-up line names every key loaded, unmasked',
    outcome: { ok: true, says: 'loads; `…: DATABASE_URL, API_KEY, PORT`' },
    boundMs: 1000,
    observe: ({ logs }) =>
      expectMatch(
        logs.find((l) => l.includes('loaded 3 keys')),
        /: DATABASE_URL, API_KEY, PORT$/,
        'start-up line',
      ),
  },

  // Inputs that must not hurt
  ...RESERVED_SAMPLES.map((key): FaultRow => ({
    fault: `a KV key named \`${key}\` (steers the runtime)`,
    setup: withKey(key, '--require /tmp/evil.js'),
    outcome: {
      error: 'VaultSecretError',
      code: 'VAULT_INVALID_KEY',
      message: new RegExp(`"${key}".*VAULT_ALLOW_KEYS`),
    },
    boundMs: 1000,
    observe: ({ error }) => expectEqual(error?.keys, [key], 'error.keys'),
  })),
  {
    fault: 'a KV key named `NODE_OPTIONS` with `VAULT_ALLOW_KEYS=NODE_OPTIONS`',
    setup: (ctx) => ({
      ...withKey('NODE_OPTIONS', '--max-old-space-size=256')(ctx),
      VAULT_ALLOW_KEYS: 'NODE_OPTIONS',
    }),
    outcome: {
      ok: true,
      says: 'loads, `NODE_OPTIONS` injected',
      check: (s) => expectEqual(s.NODE_OPTIONS, '--max-old-space-size=256', 'NODE_OPTIONS'),
    },
    boundMs: 1000,
  },
  {
    fault: 'key names with a space and a newline',
    setup: ({ world }) => {
      world.server.writeSecret('kv', PATH, { GOOD: 'x', 'MY KEY': 'y', 'LINE\nBREAK': 'z' });
      return {};
    },
    outcome: {
      error: 'VaultSecretError',
      code: 'VAULT_INVALID_KEY',
      message: /not a valid environment variable name/,
    },
    boundMs: 1000,
  },
  {
    fault: 'a value with a NUL character',
    setup: withKey('TRUNCATED', `before\0${CANARY.apiKey}`),
    outcome: { error: 'VaultSecretError', code: 'VAULT_INVALID_VALUE', message: /"TRUNCATED".*NUL/ },
    boundMs: 1000,
  },
  {
    fault: 'a 200 KiB value (over the 128 KiB an environment variable may hold)',
    setup: withKey('BIG_CERT', 'x'.repeat(200 * 1024)),
    outcome: {
      ok: true,
      says: 'loads; `get()` serves it, `process.env` does not; one warning naming key and size',
      check: (s) => expectEqual(s.BIG_CERT?.length, 200 * 1024, 'BIG_CERT length'),
    },
    boundMs: 1000,
    observe: ({ warns, env }) => {
      expectEqual(env.BIG_CERT, undefined, 'env.BIG_CERT');
      expectEqual(warns.length, 1, 'warn lines');
      expectMatch(warns[0], /BIG_CERT \(200 KiB\)/, 'warning');
    },
  },
  {
    fault: 'a secret pasted as a key (`DATABASE_URL=postgres://app:<password>@db`)',
    setup: withKey(`DATABASE_URL=postgres://app:${CANARY.dbPassword}@db:5432/app`, ''),
    outcome: { error: 'VaultSecretError', code: 'VAULT_INVALID_KEY', message: /"DATABASE_URL=\*\*\*"/ },
    boundMs: 1000,
    observe: ({ error, status }) => {
      expectEqual(error?.keys, ['DATABASE_URL=***'], 'error.keys');
      expectMatch(status.last_error?.message, /"DATABASE_URL=\*\*\*"/, 'last_error');
    },
  },
  {
    fault: '`VAULT_ADDR` with `user:password@` and no scheme',
    setup: () => ({ VAULT_ADDR: `app:${CANARY.apiKey}@127.0.0.1:8200` }),
    outcome: {
      error: 'VaultConfigurationError',
      code: 'VAULT_CONFIG_INVALID',
      setting: 'VAULT_ADDR',
      message: /\*\*\*@/,
    },
    boundMs: 1000,
  },
  {
    fault: '`VAULT_ADDR` with `?token=`',
    setup: ({ world }) => ({ VAULT_ADDR: `${world.server.address}/?token=${CANARY.rootToken}` }),
    outcome: {
      error: 'VaultConfigurationError',
      code: 'VAULT_CONFIG_INVALID',
      setting: 'VAULT_ADDR',
      message: /\?\*\*\*/,
    },
    boundMs: 1000,
  },
  {
    fault: 'service-account token path is a FIFO nobody writes',
    setup: ({ world }) => {
      const fifo = join(world.dir, 'fifo');
      execFileSync('mkfifo', [fifo]);
      return { VAULT_K8S_TOKEN_PATH: fifo, VAULT_STARTUP_TIMEOUT: '2' };
    },
    outcome: {
      error: 'VaultAuthenticationError',
      code: 'VAULT_TOKEN_FILE_UNREADABLE',
      message: /not a regular file/,
    },
    boundMs: 1000,
  },
  {
    fault: 'service-account token file of 1 MiB',
    setup: ({ world }) => {
      const file = join(world.dir, 'huge-token');
      writeFileSync(file, 'x'.repeat(1024 * 1024));
      return { VAULT_K8S_TOKEN_PATH: file };
    },
    outcome: {
      error: 'VaultAuthenticationError',
      code: 'VAULT_TOKEN_FILE_UNREADABLE',
      message: /larger than 64 KiB/,
    },
    boundMs: 1000,
  },
  {
    fault: 'three paths of 12 MB each (over the 32 MiB budget for answers read together)',
    setup: ({ world }) => {
      const paths = ['ACME/BIG/A', 'ACME/BIG/B', 'ACME/BIG/C'];
      for (const p of paths) world.server.writeSecret('kv', p, { BLOB: 'x'.repeat(12 * 1024 * 1024) });
      return { VAULT_PATH: paths.join(',') };
    },
    outcome: { error: 'VaultSecretError', code: 'VAULT_RESPONSE_TOO_LARGE', message: /together over 32 MiB/ },
    boundMs: 4000,
  },
  {
    fault: '40 paths: at most 16 connections at once',
    setup: async ({ world, defer }) => {
      const paths = Array.from({ length: 40 }, (_, i) => `ACME/MANY/P${i}`);
      paths.forEach((p, i) => world.server.writeSecret('kv', p, { [`KEY_${i}`]: String(i) }));
      // Each read held 50 ms, so unbounded reads would all be open at once.
      world.server.addFault({ type: 'latency', ms: 50 }, { path: /\/v1\/kv\/data\/ACME\/MANY\// });
      counted = await startProxy(world.server.address);
      const proxy = counted;
      defer(() => proxy.close());
      return { VAULT_ADDR: proxy.address, VAULT_PATH: paths.join(',') };
    },
    outcome: {
      ok: true,
      says: 'loads 40 keys; ≤ 16 connections',
      check: (s) => expectEqual(s.KEY_39, '39', 'KEY_39'),
    },
    boundMs: 2000,
    requests: () => {
      const most = counted?.maxConnections() ?? Infinity;
      if (most > 16) throw new Error(`connections at once: ${most} > 16`);
    },
  },
  {
    fault: 'numbers Vault stores as written (`12345678901234567890`, `1.10`, `1e400`, nested)',
    setup: async ({ world, defer }) => {
      const raw = (n: string) => `@@num:${n}@@`;
      world.server.writeSecret('kv', PATH, {
        BIG: raw('12345678901234567890'),
        DECIMAL: raw('1.10'),
        HUGE: raw('1e400'),
        PLAIN: raw('42'),
        NESTED: { n: raw('12345678901234567890') },
      });
      // The dev server writes JSON from JS values; unquote the markers to get the raw numbers.
      const proxy = await startProxy(world.server.address, {
        rewriteBody: (body) => body.replace(/"@@num:([^@"]+)@@"/g, '$1'),
      });
      defer(() => proxy.close());
      return { VAULT_ADDR: proxy.address };
    },
    outcome: {
      ok: true,
      says: 'loads each as its source text',
      check: (s) =>
        expectEqual(
          { ...s },
          {
            BIG: '12345678901234567890',
            DECIMAL: '1.10',
            HUGE: '1e400',
            PLAIN: '42',
            NESTED: '{"n":12345678901234567890}',
          },
          'values',
        ),
    },
    boundMs: 1000,
  },

  // Networks as they are
  {
    fault: '`VAULT_ADDR=http://vault.invalid:8200` reachable only through `HTTP_PROXY`',
    setup: async ({ world, defer }) => {
      forward = await startForwardProxy(world.server.address);
      const proxy = forward;
      defer(() => proxy.close());
      // Proxy credentials are a canary too: sent as Proxy-Authorization, never printed.
      const withAuth = proxy.address.replace('http://', `http://app:${CANARY.apiKey}@`);
      return { VAULT_ADDR: 'http://vault.invalid:8200', HTTP_PROXY: withAuth };
    },
    outcome: { ok: true },
    boundMs: 1000,
    requests: throughProxy('forwarded', 'vault.invalid:8200'),
  },
  {
    fault:
      '`VAULT_ADDR=https://vault.invalid:8200` reachable only through `HTTPS_PROXY` (CONNECT), `VAULT_CACERT`',
    setup: async ({ world, defer }) => {
      const tls = makeCertificate(world.dir, ['vault.invalid'], 'proxied');
      const front = await startProxy(world.server.address, { tls });
      forward = await startForwardProxy(front.address.replace('https:', 'http:'));
      const proxy = forward;
      defer(async () => {
        await proxy.close();
        await front.close();
      });
      return {
        VAULT_ADDR: 'https://vault.invalid:8200',
        https_proxy: proxy.address.replace('http://', `http://app:${CANARY.apiKey}@`),
        VAULT_CACERT: tls.certPath,
      };
    },
    outcome: { ok: true },
    boundMs: 1500,
    requests: throughProxy('tunnels', 'vault.invalid:8200'),
  },
  {
    fault: 'a standby answering 307 to the active node',
    setup: async ({ world, defer }) => {
      // Vault's Go client follows one 301/302/307 with the same method, body and token (api/client.go).
      const standby = await startProxy(world.server.address, { redirectTo: world.server.address });
      defer(() => standby.close());
      return { VAULT_ADDR: standby.address };
    },
    outcome: { ok: true },
    boundMs: 1000,
    requests: (w) => expectEqual(statuses(w, LOGIN), [200], 'login statuses at the active node'),
  },
  {
    fault: 'two standbys, each redirecting (only one redirect is followed)',
    setup: async ({ world, defer }) => {
      const second = await startProxy(world.server.address, { redirectTo: world.server.address });
      const first = await startProxy(world.server.address, { redirectTo: second.address });
      defer(async () => {
        await first.close();
        await second.close();
      });
      return { VAULT_ADDR: first.address };
    },
    outcome: { error: 'VaultConfigurationError', code: 'VAULT_STANDBY', setting: 'VAULT_ADDR' },
    boundMs: 1000,
    requests: (w) => expectEqual(statuses(w, LOGIN), [], 'logins at the active node'),
  },
  {
    fault: 'a redirect from https to http (protocol downgrade)',
    setup: async ({ world, defer }) => {
      const tls = makeCertificate(world.dir);
      const standby = await startProxy(world.server.address, { tls, redirectTo: world.server.address });
      defer(() => standby.close());
      return { VAULT_ADDR: standby.address, VAULT_CACERT: tls.certPath };
    },
    outcome: {
      error: 'VaultConfigurationError',
      code: 'VAULT_TLS',
      setting: 'VAULT_ADDR',
      message: /downgrade/,
    },
    boundMs: 1000,
    requests: (w) => expectEqual(statuses(w, LOGIN), [], 'logins at the http node'),
  },
  {
    fault: 'TLS: the certificate trusted through `VAULT_CAPATH` (a directory)',
    setup: async ({ world, defer }) => {
      const tls = makeCertificate(world.dir, undefined, 'vault-ca');
      // Every file in the directory must be a certificate (go-rootcerts LoadCAPath).
      const dir = join(world.dir, 'ca.d');
      mkdirSync(dir);
      writeFileSync(join(dir, 'vault-ca.pem'), tls.cert);
      const proxy = await startProxy(world.server.address, { tls });
      defer(() => proxy.close());
      return { VAULT_ADDR: proxy.address, VAULT_CAPATH: dir };
    },
    outcome: { ok: true },
    boundMs: 1500,
  },
  {
    fault:
      'TLS: certificate for `vault.internal` only, reached at 127.0.0.1 with `VAULT_TLS_SERVER_NAME=vault.internal`',
    setup: async ({ world, defer }) => {
      const tls = makeCertificate(world.dir, ['vault.internal'], 'named');
      const proxy = await startProxy(world.server.address, { tls });
      defer(() => proxy.close());
      return {
        VAULT_ADDR: proxy.address,
        VAULT_CACERT: tls.certPath,
        VAULT_TLS_SERVER_NAME: 'vault.internal',
      };
    },
    outcome: { ok: true },
    boundMs: 1500,
  },

  // Status bodies
  {
    fault: 'a denied read whose message Vault wrote: `last_error` keeps the code, not Vault’s text',
    setup: ({ world }) => {
      world.server.addFault(
        {
          type: 'status',
          status: 403,
          body: { errors: ['permission denied (internal policy acme-prod-7)'] },
        },
        { path: READ },
      );
      return {};
    },
    outcome: {
      error: 'VaultSecretError',
      code: 'VAULT_ACCESS_DENIED',
      message: /internal policy acme-prod-7/,
    },
    boundMs: 1000,
    observe: ({ status }) => {
      expectMatch(status.last_error?.message, /\(HTTP 403\)/, 'last_error');
      if (status.last_error?.message.includes('acme-prod-7')) throw new Error('last_error quotes Vault');
    },
  },
];
