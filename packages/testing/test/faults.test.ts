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

  it('setRateLimit: 429 with Retry-After beyond N requests per second; sys/health exempt', async () => {
    vault.setRateLimit(3);
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await read()).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    const limited = await read();
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await call(vault, 'GET', 'sys/health')).status).toBe(200);
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
