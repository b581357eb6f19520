/**
 * vaultCall against a local HTTP server through the real client: the retry lines it logs, when it
 * asks sys/health (after a 5xx only, within a small budget) and what it makes of the answer.
 * Waits go through an injected sleep: nothing sleeps.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { VaultConfigurationError, VaultSecretError } from '../../src/errors';
import { failureCode, retryLine, vaultCall } from '../../src/http/call';
import { createVaultHttpClient, type VaultHttpClient } from '../../src/http/client';
import type { FailureContext } from '../../src/http/error-mapping';
import { VaultHttpError } from '../../src/http/http-error';
import type { RetryPolicy } from '../../src/http/retry';
import { TransportError } from '../../src/http/transport';
import { resolveOptions } from '../../src/options';
import { json, startServer, type LocalServer } from '../support/local-http';

describe('failureCode: what failed, never the body or the full message', () => {
  it.each([
    [new VaultHttpError(503, ['secret text'], {}, '/v1/x', {}), 'HTTP 503'],
    [new VaultHttpError(200, [], {}, '/v1/x', undefined, true), 'HTTP 200, not JSON'],
    [new TransportError('ECONNRESET', 'socket hang up at 10.0.0.1'), 'ECONNRESET'],
    [new TypeError('x is not a function'), 'TypeError'],
    ['a string', 'error'],
  ])('%s → %s', (error, code) => {
    expect(failureCode(error)).toBe(code);
  });
});

describe('retryLine', () => {
  const event = {
    attempt: 1,
    maxAttempts: 4,
    error: new VaultHttpError(503, [], {}, '/v1/x', {}),
    waitMs: 212,
  };
  const base: FailureContext = { phase: 'read', address: 'http://v', mountPoint: 'kv', sensitive: [] };

  it.each([
    [{ phase: 'login' }, 'login: attempt 1/4 failed (HTTP 503); next in 212 ms'],
    [{ phase: 'detect' }, 'detecting the KV version of kv: attempt 1/4 failed (HTTP 503); next in 212 ms'],
    [{ secretPath: 'ACME/DEV' }, 'reading kv/ACME/DEV: attempt 1/4 failed (HTTP 503); next in 212 ms'],
    [{}, 'reading kv/: attempt 1/4 failed (HTTP 503); next in 212 ms'],
  ] as const)('%j → %s', (extra, line) => {
    expect(retryLine({ ...base, ...extra }, { ...event, shortened: false })).toBe(line);
  });

  it('says when the wait was shortened to fit the start-up budget', () => {
    expect(retryLine({ ...base, secretPath: 'a' }, { ...event, attempt: 3, shortened: true })).toBe(
      'reading kv/a: attempt 3/4 failed (HTTP 503); next in 212 ms (the last that fits VAULT_STARTUP_TIMEOUT)',
    );
  });
});

describe('vaultCall', () => {
  let vault: LocalServer;
  let http: VaultHttpClient;
  /** Answers per path, in order; the last one repeats. */
  let script: Record<string, Array<[number, unknown] | 'hang'>> = {};
  const context: FailureContext = {
    phase: 'read',
    address: 'http://vault',
    mountPoint: 'kv',
    secretPath: 'a',
    sensitive: [],
  };

  beforeAll(async () => {
    vault = await startServer((req, res) => {
      const path = (req.url ?? '').split('?')[0] ?? '';
      const steps = script[path] ?? [[404, { errors: [] }]];
      const step = steps.length > 1 ? steps.shift() : steps[0];
      if (step === 'hang' || step === undefined) return;
      // A string body goes out as is (a proxy's HTML page).
      if (typeof step[1] === 'string') res.writeHead(step[0]).end(step[1]);
      else json(res, step[0], step[1]);
    });
    http = createVaultHttpClient(
      resolveOptions({ env: { VAULT_ADDR: vault.url, VAULT_TOKEN: 't', VAULT_PATH: 'a' } }),
    );
  });
  afterAll(async () => {
    http.close();
    await vault.close();
  });
  afterEach(() => {
    vault.seen.length = 0;
    script = {};
  });

  const sleeps: number[] = [];
  const policy = (extra: Partial<RetryPolicy> = {}): RetryPolicy => ({
    maxRetries: 0,
    baseDelayMs: 100,
    maxDelayMs: 1000,
    deadline: Date.now() + 5000,
    attemptTimeoutMs: 1000,
    random: () => 0.5,
    sleep: async (ms) => void sleeps.push(ms),
    ...extra,
  });
  const read = (p: RetryPolicy, seenOptions: unknown[] = []) =>
    vaultCall(http, p, context, (options, attempt) => {
      seenOptions.push({ ...options, attempt: attempt.attempt });
      return http.client.read('kv/data/a', options);
    });
  const paths = () => vault.seen.map((s) => `${s.method} ${s.url.split('?')[0]}`);
  const failure = (p: Promise<unknown>) =>
    p.then(
      () => {
        throw new Error('expected a rejection');
      },
      (e: unknown) => e as VaultSecretError,
    );

  it('hands each attempt its timeout and signal; logs each retry through warn', async () => {
    script['/v1/kv/data/a'] = [
      [503, { errors: ['busy'] }],
      [200, { data: { A: 1 } }],
    ];
    const lines: string[] = [];
    const options: Array<Record<string, unknown>> = [];
    sleeps.length = 0;
    const result = await read(policy({ maxRetries: 1, warn: (m) => void lines.push(m) }), options);
    expect(result).toEqual({ data: { A: 1 } });
    expect(lines).toEqual(['reading kv/a: attempt 1/2 failed (HTTP 503); next in 50 ms']);
    expect(sleeps).toEqual([50]);
    expect(options.map((o) => [o.attempt, o.timeout, o.signal instanceof AbortSignal])).toEqual([
      [1, 1000, true],
      [2, 1000, true],
    ]);
    expect(paths()).toEqual(['GET /v1/kv/data/a', 'GET /v1/kv/data/a']);
  });

  it('a 4xx is mapped without asking sys/health', async () => {
    script['/v1/kv/data/a'] = [[403, { errors: ['permission denied'] }]];
    const error = await failure(read(policy()));
    expect(error).toBeInstanceOf(VaultSecretError);
    expect(error.code).toBe('VAULT_ACCESS_DENIED');
    expect(paths()).toEqual(['GET /v1/kv/data/a']);
  });

  it('a 5xx asks sys/health once; its 503 body says sealed', async () => {
    script['/v1/kv/data/a'] = [[503, { errors: ['Vault is not ready'] }]];
    // vault: health-codes
    script['/v1/sys/health'] = [[503, { initialized: true, sealed: true, standby: true }]];
    const error = await failure(read(policy()));
    expect(error).toBeInstanceOf(VaultConfigurationError);
    expect(error.code).toBe('VAULT_SEALED');
    expect(paths()).toEqual(['GET /v1/kv/data/a', 'GET /v1/sys/health']);
  });

  it('a 200 health answer is used too (a standby)', async () => {
    script['/v1/kv/data/a'] = [[500, { errors: ['internal error'] }]];
    script['/v1/sys/health'] = [[200, { initialized: true, sealed: false, standby: true }]];
    const error = await failure(read(policy()));
    expect(error.code).toBe('VAULT_STANDBY');
  });

  it('a health answer that is not JSON explains nothing', async () => {
    script['/v1/kv/data/a'] = [[500, { errors: ['internal error'] }]];
    script['/v1/sys/health'] = [[502, '<html>bad gateway</html>']];
    const error = await failure(read(policy()));
    expect(error.code).toBe('VAULT_RETRIES_EXHAUSTED');
    expect(paths()).toEqual(['GET /v1/kv/data/a', 'GET /v1/sys/health']);
  });

  it.each([
    ['null', null],
    ['a string', 'sealed'],
  ])(
    'a health answer that is JSON %s is no answer: the read’s own "sealed" still counts',
    async (_n, body) => {
      script['/v1/kv/data/a'] = [[503, { errors: ['Vault is sealed'] }]];
      script['/v1/sys/health'] = [[503, JSON.stringify(body)]];
      const error = await failure(read(policy()));
      expect(error.code).toBe('VAULT_SEALED');
      expect(paths()).toEqual(['GET /v1/kv/data/a', 'GET /v1/sys/health']);
    },
  );

  it('the health request is bounded by the attempt timeout', async () => {
    script['/v1/kv/data/a'] = [[503, { errors: ['x'] }]];
    script['/v1/sys/health'] = ['hang'];
    const started = Date.now();
    const error = await failure(read(policy({ attemptTimeoutMs: 60 })));
    expect(Date.now() - started).toBeLessThan(1500);
    expect(error.code).toBe('VAULT_RETRIES_EXHAUSTED');
    expect(paths()).toEqual(['GET /v1/kv/data/a', 'GET /v1/sys/health']);
  });

  it('past the deadline and its 2 s of grace, sys/health is not asked', async () => {
    script['/v1/kv/data/a'] = [[503, { errors: ['x'] }]];
    const deadline = Date.now() - 2100;
    // The retry policy's own clock lets the one attempt start; the grace is measured on the real one.
    const error = await failure(read(policy({ deadline, now: () => deadline - 1000 })));
    expect(error.code).toBe('VAULT_RETRIES_EXHAUSTED');
    expect(paths()).toEqual(['GET /v1/kv/data/a']);
  });

  it('within the grace after the deadline, sys/health is still asked', async () => {
    script['/v1/kv/data/a'] = [[503, { errors: ['x'] }]];
    script['/v1/sys/health'] = [[503, { initialized: true, sealed: true }]];
    const deadline = Date.now() - 200;
    const error = await failure(read(policy({ deadline, now: () => deadline - 1000 })));
    expect(error.code).toBe('VAULT_SEALED');
  });

  it('a failure outside the retry loop (a logger that throws) → VAULT_UNEXPECTED after 1 attempt', async () => {
    script['/v1/kv/data/a'] = [[503, { errors: ['x'] }]];
    const error = await failure(
      read(
        policy({
          maxRetries: 2,
          warn: () => {
            throw new RangeError('logger broke');
          },
        }),
      ),
    );
    expect(error).toBeInstanceOf(VaultSecretError);
    expect(error.code).toBe('VAULT_UNEXPECTED');
    expect(error.message).toBe('reading kv/a from http://vault failed unexpectedly (RangeError)');
    expect(error.attempts).toBe(1);
  });
});
