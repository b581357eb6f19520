/**
 * The HTTP transport over plain http against small local servers: what it sends, how it reads the
 * answer, its timeout and abort, its redirect rules, its body budgets and its connection pool.
 * (TLS and the https tunnel: transport-tls.test.ts.)
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { getEventListeners } from 'node:events';
import { MAX_SOCKETS, TransportError, createTransport, type Transport } from '../../src/http/transport';
import { toEnvValue } from '../../src/values';
import { closedPort, json, startServer, type LocalServer, failure, until } from '../support/local-http';

const TLS = { rejectUnauthorized: true };
const DIRECT = { http: null, https: null, noProxy: '' };
let vault: LocalServer;
let other: LocalServer;
let transport: Transport;

beforeAll(async () => {
  vault = await startServer((_req, res) => json(res, 200, { ok: true }));
  other = await startServer((_req, res) => json(res, 200, { from: 'other' }));
});
afterAll(async () => {
  await vault.close();
  await other.close();
});
afterEach(() => {
  transport?.close();
  vault.seen.length = 0;
  other.seen.length = 0;
  vault.handler = (_req, res) => json(res, 200, { ok: true });
});

const fresh = (timeoutMs = 2000) => {
  transport = createTransport(TLS, timeoutMs, DIRECT);
  return transport;
};

describe('what is sent', () => {
  it('a GET: method, path with query, Accept and X-Vault-Request, the caller headers, no body', async () => {
    await fresh().send({
      method: 'GET',
      uri: `${vault.url}/v1/kv/data/a?version=2`,
      headers: { 'X-Vault-Token': 'tok', 'X-Vault-Namespace': 'ns1' },
      json: true,
    });
    const [seen] = vault.seen;
    expect(seen).toMatchObject({ method: 'GET', url: '/v1/kv/data/a?version=2', body: '' });
    expect(seen?.headers).toMatchObject({
      accept: 'application/json',
      'x-vault-request': 'true',
      'x-vault-token': 'tok',
      'x-vault-namespace': 'ns1',
    });
    expect(seen?.headers['content-type']).toBeUndefined();
  });

  it('a POST with an object body: JSON, its content-type and its exact byte length', async () => {
    const body = { jwt: 'é-token', role: 'r' };
    await fresh().send({ method: 'POST', uri: `${vault.url}/v1/auth/k/login`, json: body });
    const [seen] = vault.seen;
    expect(seen?.method).toBe('POST');
    expect(seen?.body).toBe(JSON.stringify(body));
    expect(seen?.headers['content-type']).toBe('application/json');
    expect(seen?.headers['content-length']).toBe(String(Buffer.byteLength(JSON.stringify(body))));
  });

  it('keeps a content-type and an Accept the caller set', async () => {
    await fresh().send({
      method: 'PUT',
      uri: `${vault.url}/v1/x`,
      headers: { 'content-type': 'application/merge-patch+json', accept: 'text/plain' },
      json: { a: 1 },
    });
    expect(vault.seen[0]?.headers['content-type']).toBe('application/merge-patch+json');
    expect(vault.seen[0]?.headers.accept).toBe('text/plain');
  });

  it.each([
    ['true ("answer in JSON")', true],
    ['null', null],
  ])('json %s sends no body', async (_name, value) => {
    await fresh().send({ method: 'POST', uri: `${vault.url}/v1/x`, json: value });
    expect(vault.seen[0]?.body).toBe('');
    expect(vault.seen[0]?.headers['content-type']).toBeUndefined();
  });

  it('a header value with a line break is refused as node:http refuses it, nothing sent', async () => {
    const error = (await fresh()
      .send({
        method: 'GET',
        uri: `${vault.url}/v1/x`,
        headers: { 'X-Vault-Token': 'CANARY\r\nx-injected: 1' },
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      )) as Error & { code?: string };
    expect(error).not.toBeInstanceOf(TransportError);
    expect(error.code).toBe('ERR_INVALID_CHAR');
    expect(error.message).not.toContain('CANARY');
    expect(vault.seen).toEqual([]);
  });
});

describe('how the answer is read', () => {
  it('status, parsed body, headers and the path without the query', async () => {
    vault.handler = (_req, res) => {
      res.writeHead(404, { 'content-type': 'application/json', 'retry-after': '7' });
      res.write('{"errors":');
      res.end('["nope"]}');
    };
    const response = await fresh().send({ method: 'GET', uri: `${vault.url}/v1/kv/data/a?version=3` });
    expect(response).toMatchObject({
      statusCode: 404,
      body: { errors: ['nope'] },
      malformed: false,
      request: { path: '/v1/kv/data/a' },
    });
    expect(response.headers['retry-after']).toBe('7');
  });

  it.each([
    ['an empty body', ''],
    ['a blank body', ' \n\t'],
  ])('%s: no body, not malformed', async (_name, text) => {
    vault.handler = (_req, res) => res.end(text);
    const response = await fresh().send({ method: 'GET', uri: `${vault.url}/v1/x` });
    expect(response.body).toBeUndefined();
    expect(response.malformed).toBe(false);
  });

  it('a body that is not JSON (a proxy page) is marked malformed, without a body', async () => {
    vault.handler = (_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html>Bad Gateway</html>');
    };
    const response = await fresh().send({ method: 'GET', uri: `${vault.url}/v1/x` });
    expect(response).toMatchObject({ statusCode: 502, malformed: true, body: undefined });
  });

  it('a body that goes wrong in its first chunk is malformed, whatever follows', async () => {
    vault.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"data":]');
      setTimeout(() => res.end(',"more":1}'), 5);
    };
    const response = await fresh().send({ method: 'GET', uri: `${vault.url}/v1/x` });
    expect(response).toMatchObject({ statusCode: 200, malformed: true, body: undefined });
  });

  it('numbers keep their source text', async () => {
    vault.handler = (_req, res) => res.end('{"data":{"N":12345678901234567890,"S":3600}}');
    const response = await fresh().send({ method: 'GET', uri: `${vault.url}/v1/x` });
    const data = (response.body as { data: Record<string, unknown> }).data;
    expect(toEnvValue(data.N)).toBe('12345678901234567890');
    expect(data.S).toBe(3600);
  });
});

describe('failures without an answer', () => {
  it('a refused connection → TransportError with Node’s code, naming host and port', async () => {
    const port = await closedPort();
    const error = await failure(fresh().send({ method: 'GET', uri: `http://127.0.0.1:${port}/v1/x` }));
    expect(error).toBeInstanceOf(TransportError);
    expect(error.name).toBe('TransportError');
    expect(error.code).toBe('ECONNREFUSED');
    expect(error.message).toContain(`127.0.0.1:${port}`);
  });

  it('a body cut off mid-way → TransportError ECONNRESET', async () => {
    vault.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"data":');
      setTimeout(() => res.socket?.destroy(), 5);
    };
    const error = await failure(fresh().send({ method: 'GET', uri: `${vault.url}/v1/x` }));
    expect(error).toBeInstanceOf(TransportError);
    expect(error.code).toBe('ECONNRESET');
  });

  it('no answer within the request timeout → VAULT_REQUEST_TIMEOUT, the connection closed', async () => {
    vault.handler = () => undefined; // never answers
    const error = await failure(fresh(5000).send({ method: 'GET', uri: `${vault.url}/v1/x`, timeout: 30 }));
    expect(error).toBeInstanceOf(TransportError);
    expect(error.code).toBe('VAULT_REQUEST_TIMEOUT');
    expect(error.message).toBe('no response within 30 ms');
    await until(() => vault.sockets.size === 0);
  });

  it('without a per-request timeout the transport default applies', async () => {
    vault.handler = () => undefined;
    const error = await failure(fresh(25).send({ method: 'GET', uri: `${vault.url}/v1/x` }));
    expect(error.code).toBe('VAULT_REQUEST_TIMEOUT');
    expect(error.message).toBe('no response within 25 ms');
  });

  it('an answered request leaves no timer behind', async () => {
    // Only the global timers are faked: the sockets still run on the real event loop.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      await fresh(20).send({ method: 'GET', uri: `${vault.url}/v1/x` });
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a signal aborted before the request → VAULT_REQUEST_ABORTED, nothing sent', async () => {
    const controller = new AbortController();
    controller.abort();
    const before = vault.connections;
    const error = await failure(
      fresh().send({ method: 'GET', uri: `${vault.url}/v1/x`, signal: controller.signal }),
    );
    expect(error).toBeInstanceOf(TransportError);
    expect(error.code).toBe('VAULT_REQUEST_ABORTED');
    expect(error.message).toBe('request aborted');
    await new Promise((r) => setTimeout(r, 10));
    expect(vault.connections).toBe(before);
    expect(vault.seen).toEqual([]);
  });

  it('aborting while waiting for the answer → VAULT_REQUEST_ABORTED, the connection closed', async () => {
    vault.handler = () => undefined;
    const controller = new AbortController();
    const pending = failure(
      fresh().send({ method: 'GET', uri: `${vault.url}/v1/x`, signal: controller.signal }),
    );
    await until(() => vault.seen.length === 1);
    controller.abort();
    const error = await pending;
    expect(error).toBeInstanceOf(TransportError);
    expect(error.code).toBe('VAULT_REQUEST_ABORTED');
    expect(error.message).toBe('request aborted');
    await until(() => vault.sockets.size === 0);
  });

  it('leaves no listener on the signal, however the request ends', async () => {
    const signal = new AbortController().signal;
    const t = fresh();
    await t.send({ method: 'GET', uri: `${vault.url}/v1/x`, signal });
    vault.handler = () => undefined;
    await failure(t.send({ method: 'GET', uri: `${vault.url}/v1/x`, signal, timeout: 10 }));
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });

  it('aborting after the answer changes nothing: the kept-alive connection stays open', async () => {
    const controller = new AbortController();
    const t = fresh();
    const before = vault.connections;
    await t.send({ method: 'GET', uri: `${vault.url}/v1/x`, signal: controller.signal });
    controller.abort();
    await t.send({ method: 'GET', uri: `${vault.url}/v1/x` });
    expect(vault.connections - before).toBe(1);
  });
});

describe('redirects (Vault’s Go client, api/client.go: one, same method, body and token)', () => {
  it.each([301, 302, 307])('%i is followed once with the same method, body and headers', async (status) => {
    vault.handler = (_req, res) => {
      res.writeHead(status, { location: `${other.url}/v1/auth/k/login` });
      res.end();
    };
    const response = await fresh().send({
      method: 'POST',
      uri: `${vault.url}/v1/auth/k/login`,
      headers: { 'X-Vault-Token': 'tok' },
      json: { role: 'r' },
    });
    expect(response).toMatchObject({ statusCode: 200, body: { from: 'other' } });
    expect(other.seen).toHaveLength(1);
    expect(other.seen[0]).toMatchObject({ method: 'POST', url: '/v1/auth/k/login', body: '{"role":"r"}' });
    expect(other.seen[0]?.headers['x-vault-token']).toBe('tok');
  });

  it.each([300, 303, 308])('%i is not followed: the answer is returned', async (status) => {
    vault.handler = (_req, res) => {
      res.writeHead(status, { location: `${other.url}/v1/x` });
      res.end();
    };
    const response = await fresh().send({ method: 'GET', uri: `${vault.url}/v1/x` });
    expect(response.statusCode).toBe(status);
    expect(other.seen).toEqual([]);
  });

  it('a 307 without Location is returned as is', async () => {
    vault.handler = (_req, res) => json(res, 307, { errors: [] });
    const response = await fresh().send({ method: 'GET', uri: `${vault.url}/v1/x` });
    expect(response).toMatchObject({ statusCode: 307, body: { errors: [] } });
    expect(vault.seen).toHaveLength(1);
  });

  it('a relative Location is resolved against the request URL', async () => {
    vault.handler = (req, res) => {
      if (req.url === '/v1/x') {
        res.writeHead(307, { location: '/v1/y?z=1' });
        res.end();
      } else json(res, 200, { at: req.url });
    };
    const response = await fresh().send({ method: 'GET', uri: `${vault.url}/v1/x` });
    expect(response.body).toEqual({ at: '/v1/y?z=1' });
    expect(response.request.path).toBe('/v1/y');
  });

  it('a second redirect is not followed', async () => {
    vault.handler = (req, res) => {
      res.writeHead(307, { location: req.url === '/v1/x' ? '/v1/y' : '/v1/z' });
      res.end();
    };
    const response = await fresh().send({ method: 'GET', uri: `${vault.url}/v1/x` });
    expect(response.statusCode).toBe(307);
    expect(response.headers.location).toBe('/v1/z');
    expect(vault.seen.map((s) => s.url)).toEqual(['/v1/x', '/v1/y']);
  });

  it('a Location that is no URL → VAULT_REDIRECT_INVALID', async () => {
    vault.handler = (_req, res) => {
      res.writeHead(302, { location: 'http://[broken' });
      res.end();
    };
    const error = await failure(fresh().send({ method: 'GET', uri: `${vault.url}/v1/x` }));
    expect(error).toBeInstanceOf(TransportError);
    expect(error.code).toBe('VAULT_REDIRECT_INVALID');
    expect(error.message).toBe('redirect to an invalid URL');
  });
});

describe('connections', () => {
  it('sequential requests reuse one kept-alive connection', async () => {
    const t = fresh();
    const before = vault.connections;
    for (let i = 0; i < 3; i += 1) await t.send({ method: 'GET', uri: `${vault.url}/v1/x` });
    expect(vault.connections - before).toBe(1);
  });

  it(`at most ${MAX_SOCKETS} sockets: 20 parallel requests queue on 16 connections`, async () => {
    expect(MAX_SOCKETS).toBe(16);
    const held: Array<() => void> = [];
    vault.handler = (_req, res) => held.push(() => json(res, 200, { ok: true }));
    const t = fresh();
    const before = vault.connections;
    const all = Array.from({ length: 20 }, () => t.send({ method: 'GET', uri: `${vault.url}/v1/x` }));
    await until(() => held.length === 16);
    await new Promise((r) => setTimeout(r, 20));
    expect(held).toHaveLength(16);
    expect(vault.connections - before).toBe(16);
    while (held.length > 0) held.shift()?.();
    await until(() => held.length === 4);
    while (held.length > 0) held.shift()?.();
    expect((await Promise.all(all)).every((r) => r.statusCode === 200)).toBe(true);
    expect(vault.connections - before).toBe(16);
  });

  it('close() ends the kept-alive connections', async () => {
    const t = fresh();
    await t.send({ method: 'GET', uri: `${vault.url}/v1/x` });
    expect(vault.sockets.size).toBe(1);
    t.close();
    await until(() => vault.sockets.size === 0);
  });

  it('defaults() hands node-vault the send function', () => {
    const t = fresh();
    expect(t.defaults()).toBe(t.send);
  });
});

describe('through an HTTP proxy (plain http)', () => {
  let proxy: LocalServer;
  beforeAll(async () => {
    proxy = await startServer((_req, res) => json(res, 200, { via: 'proxy' }));
  });
  afterAll(() => proxy.close());
  afterEach(() => {
    proxy.seen.length = 0;
  });

  const via = (proxyUrl: string) => {
    transport = createTransport(TLS, 2000, { ...DIRECT, http: proxyUrl });
    return transport;
  };

  it('sends the absolute URL to the proxy with the target as Host, no credentials header', async () => {
    const response = await via(proxy.url).send({
      method: 'GET',
      uri: 'http://vault.example:8200/v1/kv/data/a',
      headers: { 'X-Vault-Token': 'tok' },
    });
    expect(response.body).toEqual({ via: 'proxy' });
    expect(proxy.seen[0]).toMatchObject({ method: 'GET', url: 'http://vault.example:8200/v1/kv/data/a' });
    expect(proxy.seen[0]?.headers).toMatchObject({ host: 'vault.example:8200', 'x-vault-token': 'tok' });
    expect(proxy.seen[0]?.headers['proxy-authorization']).toBeUndefined();
  });

  it.each([
    ['user and password, percent-decoded', 'us%40er:p%3Ass@', 'us@er:p:ss'],
    ['a user only', 'user@', 'user:'],
    ['a password only', ':secret@', ':secret'],
  ])('credentials in the proxy URL (%s) → Proxy-Authorization: Basic', async (_name, userinfo, pair) => {
    await via(`http://${userinfo}127.0.0.1:${proxy.port}`).send({
      method: 'GET',
      uri: 'http://vault.example:8200/v1/x',
    });
    expect(proxy.seen[0]?.headers['proxy-authorization']).toBe(
      `Basic ${Buffer.from(pair).toString('base64')}`,
    );
  });

  it('a loopback Vault is reached directly, not through the proxy', async () => {
    await via(proxy.url).send({ method: 'GET', uri: `${vault.url}/v1/x` });
    expect(proxy.seen).toEqual([]);
    expect(vault.seen[0]?.url).toBe('/v1/x');
  });
});
