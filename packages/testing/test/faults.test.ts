import { request } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startVaultDevServer, type VaultDevServer } from '@vault-config/testing';
import { call } from './helpers';

let vault: VaultDevServer;
beforeAll(async () => {
  vault = await startVaultDevServer();
  vault.writeSecret('kv', 'app', { A: '1' });
});
afterEach(() => {
  vault.clearFaults();
  vault.setLatency(0);
  vault.setRateLimit(0);
});
afterAll(() => vault.close());

const read = () => call(vault, 'GET', 'kv/data/app', { token: vault.rootToken });

/** A read sent from another local address (any 127.x address reaches the loopback listener). */
function fromAddress(localAddress: string): Promise<{ status: number }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${vault.address}/v1/kv/data/app`,
      { localAddress, headers: { 'X-Vault-Token': vault.rootToken } },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('faults', () => {
  it('status: a fixed status and body for the next N matching requests, then normal', async () => {
    vault.addFault(
      { type: 'status', status: 500, body: { errors: ['boom'] } },
      { path: '/v1/kv/*', times: 2 },
    );
    expect((await read()).status).toBe(500);
    expect((await read()).json).toEqual({ errors: ['boom'] });
    expect((await read()).status).toBe(200);
  });

  it('matches by method and RegExp, and the remover removes', async () => {
    const remove = vault.addFault({ type: 'status', status: 502 }, { path: /data\/app$/, method: 'GET' });
    expect((await call(vault, 'GET', 'sys/health')).status).toBe(200);
    expect((await read()).status).toBe(502);
    remove();
    expect((await read()).status).toBe(200);
  });

  it('rate-limited: 429 with Retry-After', async () => {
    vault.addFault({ type: 'rate-limited', retryAfterSeconds: 3 }, { times: 1 });
    const r = await read();
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe('3');
    expect(r.json.errors[0]).toContain('rate limit quota exceeded');
  });

  it('latency (fault and global) delays the answer', async () => {
    vault.addFault({ type: 'latency', ms: 150 }, { times: 1 });
    let t = performance.now();
    expect((await read()).status).toBe(200);
    expect(performance.now() - t).toBeGreaterThanOrEqual(140);
    vault.setLatency(100);
    t = performance.now();
    await read();
    expect(performance.now() - t).toBeGreaterThanOrEqual(95);
  });

  it('reset: the connection is reset', async () => {
    vault.addFault({ type: 'reset' }, { times: 1 });
    await expect(read()).rejects.toThrow();
    expect((await read()).status).toBe(200);
  });

  it('hang: the request never answers (bounded by the client), close() still returns', async () => {
    const other = await startVaultDevServer();
    other.addFault({ type: 'hang' });
    const pending = fetch(`${other.address}/v1/sys/health`, { signal: AbortSignal.timeout(300) });
    await expect(pending).rejects.toThrow();
    const hung = fetch(`${other.address}/v1/sys/health`).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50));
    const t = performance.now();
    await other.close();
    expect(performance.now() - t).toBeLessThan(1000);
    expect(await hung).toBeInstanceOf(Error);
  });

  it('malformed-json, html proxy page, empty body', async () => {
    vault.addFault({ type: 'malformed-json' }, { times: 1 });
    const bad = await read();
    expect(bad.status).toBe(200);
    expect(bad.headers.get('content-type')).toBe('application/json');
    expect(() => JSON.parse(bad.text)).toThrow();
    vault.addFault({ type: 'html' }, { times: 1 });
    const html = await read();
    expect(html.status).toBe(502);
    expect(html.headers.get('content-type')).toBe('text/html');
    expect(html.text).toContain('<h1>502 Bad Gateway</h1>');
    vault.addFault({ type: 'empty-body', status: 200 }, { times: 1 });
    const empty = await read();
    expect(empty.status).toBe(200);
    expect(empty.text).toBe('');
  });

  it('slow-body: headers first, the body after the delay, still valid', async () => {
    vault.addFault({ type: 'slow-body', ms: 200 }, { times: 1 });
    const t = performance.now();
    const res = await fetch(`${vault.address}/v1/kv/data/app`, {
      headers: { 'X-Vault-Token': vault.rootToken },
    });
    const headersAt = performance.now() - t;
    const body = (await res.json()) as { data: { data: unknown } };
    expect(headersAt).toBeLessThan(150);
    expect(performance.now() - t).toBeGreaterThanOrEqual(190);
    expect(body.data.data).toEqual({ A: '1' });
  });

  // Headers only with enable_rate_limit_response_headers: hashicorp/vault http/util.go
  // rateLimitQuotaWrapping; the error text: vault/quotas ErrRateLimitQuotaExceeded.
  it('setRateLimit: 429 beyond N requests per interval, no headers by default; sys/health exempt', async () => {
    vault.setRateLimit(3, { intervalMs: 60_000 });
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await read());
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429, 429]);
    expect(answers[3]!.json).toEqual({ errors: ['request path "kv/data/app": rate limit quota exceeded'] });
    for (const a of answers) {
      expect(a.headers.get('retry-after')).toBeNull();
      expect(a.headers.get('x-ratelimit-limit')).toBeNull();
    }
    expect((await call(vault, 'GET', 'sys/health')).status).toBe(200);
  });

  // hashicorp/vault vault/quotas/quotas_rate_limit.go (*RateLimitQuota).allow: Retry-After = reset.
  it('setRateLimit with response headers: X-Ratelimit-* on every answer, Retry-After on a 429', async () => {
    vault.setRateLimit(2, { intervalMs: 60_000, responseHeaders: true });
    const [a, b, c] = [await read(), await read(), await read()];
    expect([a.status, b.status, c.status]).toEqual([200, 200, 429]);
    expect([a, b, c].map((r) => r.headers.get('x-ratelimit-remaining'))).toEqual(['1', '0', '0']);
    expect(a.headers.get('x-ratelimit-limit')).toBe('2');
    expect(a.headers.get('retry-after')).toBeNull();
    // Whole seconds left in the client's minute, truncated: 59 right after its first request.
    expect(Number(c.headers.get('x-ratelimit-reset'))).toBeGreaterThanOrEqual(58);
    expect(c.headers.get('retry-after')).toBe(c.headers.get('x-ratelimit-reset'));
  });

  it('setRateLimit keys buckets by client address', async () => {
    vault.setRateLimit(1, { intervalMs: 60_000 });
    expect((await read()).status).toBe(200);
    expect((await read()).status).toBe(429);
    // Another loopback address is another client with a bucket of its own.
    expect((await fromAddress('127.0.0.2')).status).toBe(200);
    expect((await fromAddress('127.0.0.2')).status).toBe(429);
  });
});

describe('request log', () => {
  it('records method, path without query, status and timings, showing parallel requests overlap', async () => {
    vault.clearRequests();
    vault.setLatency(50);
    await Promise.all([read(), call(vault, 'GET', 'sys/health?standbyok=true')]);
    const log = [...vault.requests].sort((a, b) => a.path.localeCompare(b.path));
    expect(log.map((e) => [e.method, e.path, e.status])).toEqual([
      ['GET', '/v1/kv/data/app', 200],
      ['GET', '/v1/sys/health', 200],
    ]);
    const [a, b] = log as [(typeof log)[0], (typeof log)[0]];
    expect(a.end).toBeGreaterThan(a.start);
    expect(a.start < b.end && b.start < a.end).toBe(true);
    vault.clearRequests();
    expect(vault.requests).toHaveLength(0);
  });
});
