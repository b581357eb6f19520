/**
 * The direct connections' pool over real sockets against local servers: the cap per origin and its
 * queue, reuse, a server that closes idle or answered connections, the one retry of a GET whose reused
 * connection died, close(), idle sockets that do not hold the process, and the reads going into the
 * connection's own buffer (plain and TLS).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls, { type TLSSocket } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Endpoint } from '../../../src/http/http1/connect';
import { ConnectionPool } from '../../../src/http/http1/connection-pool';
import {
  json,
  makeCertificate,
  opensslOrSkip,
  startServer,
  type LocalServer,
  until,
} from '../../support/local-http';

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

let server: LocalServer;
let pool: ConnectionPool;
beforeAll(async () => {
  server = await startServer((_req, res) => json(res, 200, { ok: true }));
});
afterAll(() => server.close());
afterEach(() => {
  pool?.close();
  server.seen.length = 0;
  server.handler = (_req, res) => json(res, 200, { ok: true });
  vi.restoreAllMocks();
});

const fresh = (maxSockets = 16) => {
  pool = new ConnectionPool(maxSockets);
  return pool;
};
const plain = (port: number): Endpoint => ({
  secure: false,
  host: '127.0.0.1',
  port,
  tls: { rejectUnauthorized: true },
});

/** Sends through the pool; resolves with the answer, rejects with the error. */
function send(p: ConnectionPool, endpoint: Endpoint, path = '/v1/x', method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let status = 0;
    let headers: IncomingHttpHeaders = {};
    const body: Buffer[] = [];
    p.request(
      { endpoint, method, path, headers: { accept: 'application/json' } },
      {
        response: (s, h) => {
          status = s;
          headers = h;
        },
        data: (chunk) => body.push(Buffer.from(chunk)),
        end: () => resolve({ status, headers, body: Buffer.concat(body).toString('utf8') }),
        error: reject,
      },
    );
  });
}

interface RawServer {
  port: number;
  /** Connections accepted, requests seen (one per data event: the requests are small), sockets open. */
  connections: number;
  requests: number;
  open: number;
  reset(): void;
  close(): Promise<void>;
}

/** A TCP server that answers with bytes written by hand: for what node:http would not send. */
async function rawServer(
  onRequest: (socket: net.Socket, nthOnConnection: number) => void,
): Promise<RawServer> {
  const sockets = new Set<net.Socket>();
  const raw = net.createServer((socket) => {
    state.connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let nth = 0;
    socket.on('data', () => {
      state.requests += 1;
      nth += 1;
      onRequest(socket, nth);
    });
  });
  await new Promise<void>((r) => raw.listen(0, '127.0.0.1', r));
  const state: RawServer = {
    port: (raw.address() as AddressInfo).port,
    connections: 0,
    requests: 0,
    get open() {
      return sockets.size;
    },
    reset() {
      state.connections = 0;
      state.requests = 0;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const socket of sockets) socket.destroy();
        raw.close(() => r());
      }),
  };
  return state;
}

/** Client-side TCP handles that keep the event loop alive. */
const liveTcpHandles = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;

describe('connections per origin', () => {
  it('40 parallel requests: never more than 16 sockets open, all answered', async () => {
    const held: Array<() => void> = [];
    let mostOpen = 0;
    server.handler = (_req, res) => {
      mostOpen = Math.max(mostOpen, server.sockets.size);
      held.push(() => json(res, 200, { ok: true }));
    };
    const p = fresh();
    const before = server.connections;
    const all = Array.from({ length: 40 }, (_, i) => send(p, plain(server.port), `/v1/${i}`));
    let answered = 0;
    while (answered < 40) {
      await until(() => held.length > 0);
      await new Promise((r) => setTimeout(r, 5));
      answered += held.length;
      for (const release of held.splice(0)) release();
    }
    const answers = await Promise.all(all);
    expect(answers.every((a) => a.status === 200 && a.body === '{"ok":true}')).toBe(true);
    expect(mostOpen).toBe(16);
    expect(server.connections - before).toBe(16);
  });

  it('requests over the cap wait in order (first in, first out)', async () => {
    const p = fresh(1);
    const all = Array.from({ length: 5 }, (_, i) => send(p, plain(server.port), `/v1/${i}`));
    await Promise.all(all);
    expect(server.seen.map((s) => s.url)).toEqual(['/v1/0', '/v1/1', '/v1/2', '/v1/3', '/v1/4']);
  });

  it('sequential requests reuse one connection; another origin gets its own', async () => {
    const other = await startServer((_req, res) => json(res, 200, {}));
    try {
      const p = fresh();
      const before = server.connections;
      for (let i = 0; i < 5; i += 1) await send(p, plain(server.port));
      await send(p, plain(other.port));
      expect(server.connections - before).toBe(1);
      expect(other.connections).toBe(1);
    } finally {
      await other.close();
    }
  });

  it('a request abandoned while waiting is never sent', async () => {
    const held: Array<() => void> = [];
    server.handler = (_req, res) => held.push(() => json(res, 200, {}));
    const p = fresh(1);
    const first = send(p, plain(server.port), '/v1/first');
    const abandon = p.request(
      { endpoint: plain(server.port), method: 'GET', path: '/v1/abandoned', headers: {} },
      { response: () => undefined, data: () => undefined, end: () => undefined, error: () => undefined },
    );
    const third = send(p, plain(server.port), '/v1/third');
    await until(() => held.length === 1);
    abandon();
    held.shift()?.();
    await until(() => held.length === 1);
    held.shift()?.();
    await Promise.all([first, third]);
    expect(server.seen.map((s) => s.url)).toEqual(['/v1/first', '/v1/third']);
  });
});

describe('requests in flight', () => {
  it('abandoning the one in flight closes its connection; those waiting are still sent, in order', async () => {
    const held: Array<() => void> = [];
    server.handler = (req, res) => held.push(() => json(res, 200, { url: req.url }));
    const p = fresh(1);
    const abandon = p.request(
      { endpoint: plain(server.port), method: 'GET', path: '/v1/abandoned', headers: {} },
      { response: () => undefined, data: () => undefined, end: () => undefined, error: () => undefined },
    );
    const second = send(p, plain(server.port), '/v1/second');
    const third = send(p, plain(server.port), '/v1/third');
    await until(() => held.length === 1);
    abandon();
    await until(() => held.length === 2);
    held[1]?.();
    await until(() => held.length === 3);
    held[2]?.();
    expect((await Promise.all([second, third])).map((a) => a.body)).toEqual([
      '{"url":"/v1/second"}',
      '{"url":"/v1/third"}',
    ]);
  });

  it('the answer to HEAD has no body whatever its content-length; the connection is used again', async () => {
    server.handler = (_req, res) => {
      res.writeHead(200, { 'content-length': '11' });
      res.end();
    };
    const p = fresh();
    const before = server.connections;
    expect(await send(p, plain(server.port), '/v1/x', 'HEAD')).toMatchObject({ status: 200, body: '' });
    server.handler = (_req, res) => json(res, 200, { ok: true });
    expect(await send(p, plain(server.port), '/v1/x', 'POST')).toMatchObject({ body: '{"ok":true}' });
    expect(server.connections - before).toBe(1);
  });
});

describe('a server ending connections', () => {
  it('closing an idle kept-alive connection (its keep-alive timeout) does not fail the next request', async () => {
    // What a keep-alive timeout does, without waiting for node:http's: the server ends the idle socket.
    server.handler = (_req, res) => {
      const socket = res.socket;
      res.on('finish', () => setTimeout(() => socket?.end(), 5));
      json(res, 200, { ok: true });
    };
    const p = fresh();
    const before = server.connections;
    await send(p, plain(server.port));
    await until(() => server.sockets.size === 0);
    // A POST, which is never sent twice: it passes only if the ended connection was dropped.
    expect((await send(p, plain(server.port), '/v1/x', 'POST')).status).toBe(200);
    expect(server.connections - before).toBe(2);
  });

  it('Connection: close ends reuse: the socket is closed, the next request opens another', async () => {
    server.handler = (_req, res) => {
      res.setHeader('connection', 'close');
      json(res, 200, { ok: true });
    };
    const p = fresh();
    const before = server.connections;
    await send(p, plain(server.port));
    await until(() => server.sockets.size === 0);
    await send(p, plain(server.port));
    expect(server.connections - before).toBe(2);
  });

  describe('a reused connection that dies before any byte of the answer', () => {
    /** Answers the first request on each connection, then drops the connection at the next one. */
    let raw: RawServer;
    beforeAll(async () => {
      raw = await rawServer((socket, nth) => {
        if (nth > 1) socket.destroy();
        else socket.write('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n');
      });
    });
    afterAll(() => raw.close());
    afterEach(() => raw.reset());

    // Go's transport retries a request that is replayable (idempotent method) when a reused
    // connection fails before the answer starts: net/http/transport.go, (*persistConn).shouldRetryRequest.
    it.each(['GET', 'HEAD', 'OPTIONS', 'TRACE'])(
      '%s is sent once more on a new connection',
      async (method) => {
        const p = fresh();
        await send(p, plain(raw.port));
        expect(await send(p, plain(raw.port), '/v1/x', method)).toMatchObject({ status: 200 });
        expect(raw.requests).toBe(3);
        expect(raw.connections).toBe(2);
      },
    );

    it.each(['POST', 'PUT', 'DELETE', 'PATCH'])(
      '%s is not sent twice: it fails with ECONNRESET',
      async (method) => {
        const p = fresh();
        await send(p, plain(raw.port));
        await expect(send(p, plain(raw.port), '/v1/x', method)).rejects.toMatchObject({ code: 'ECONNRESET' });
        expect(raw.requests).toBe(2);
      },
    );
  });

  it('a new connection that dies before the answer is not retried, even for a GET', async () => {
    const raw = await rawServer((socket) => socket.destroy());
    try {
      await expect(send(fresh(), plain(raw.port))).rejects.toMatchObject({ code: 'ECONNRESET' });
      expect(raw.requests).toBe(1);
    } finally {
      await raw.close();
    }
  });

  it.each([
    [
      'Connection: close, the server keeping the socket open',
      'connection: close\r\ncontent-length: 2\r\n\r\nok',
    ],
    ['bytes after the answer', 'content-length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n'],
  ])('%s: the connection is not used again', async (_name, rest) => {
    const raw = await rawServer((socket) => socket.write(`HTTP/1.1 200 OK\r\n${rest}`));
    try {
      const p = fresh();
      expect(await send(p, plain(raw.port))).toMatchObject({ status: 200, body: 'ok' });
      // A POST is never retried: it passes only on a new connection.
      expect(await send(p, plain(raw.port), '/v1/x', 'POST')).toMatchObject({ status: 200, body: 'ok' });
      expect(raw.connections).toBe(2);
    } finally {
      await raw.close();
    }
  });

  it('bytes nobody asked for on an idle connection: it is closed, not used again', async () => {
    const raw = await rawServer((socket) => {
      socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
      setTimeout(() => socket.write('HTTP/1.1 200 OK\r\n'), 5);
    });
    try {
      const p = fresh();
      await send(p, plain(raw.port));
      await until(() => raw.open === 0);
      expect(await send(p, plain(raw.port), '/v1/x', 'POST')).toMatchObject({ status: 200, body: 'ok' });
      expect(raw.connections).toBe(2);
    } finally {
      await raw.close();
    }
  });

  it('connections the server closes leave the cap: 3 answers with Connection: close on a cap of 1', async () => {
    server.handler = (_req, res) => {
      res.setHeader('connection', 'close');
      json(res, 200, { ok: true });
    };
    const p = fresh(1);
    const answers = await Promise.all([1, 2, 3].map(() => send(p, plain(server.port))));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
  });

  it('a connection closed mid-answer fails it with ECONNRESET "socket hang up", no retry', async () => {
    server.handler = (_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('{"part');
      setTimeout(() => res.socket?.destroy(), 5);
    };
    const p = fresh();
    const before = server.seen.length;
    await expect(send(p, plain(server.port))).rejects.toMatchObject({
      code: 'ECONNRESET',
      message: 'socket hang up',
    });
    expect(server.seen.length - before).toBe(1);
  });

  it('a name that does not resolve fails with Node’s getaddrinfo code, naming the host', async () => {
    // .invalid never resolves (RFC 6761); a resolver that cannot be reached says EAI_AGAIN instead.
    const error = await send(fresh(), { ...plain(8200), host: 'vault.invalid' }).then(
      () => undefined,
      (e: NodeJS.ErrnoException) => e,
    );
    expect(['ENOTFOUND', 'EAI_AGAIN']).toContain(error?.code);
    expect(error?.message).toContain('vault.invalid');
  });

  it('a malformed answer fails with llhttp’s code and closes the connection', async () => {
    const raw = net.createServer((socket) => socket.on('data', () => socket.write('NOT HTTP\r\n\r\n')));
    await new Promise<void>((r) => raw.listen(0, '127.0.0.1', r));
    try {
      const p = fresh();
      await expect(send(p, plain((raw.address() as AddressInfo).port))).rejects.toMatchObject({
        code: 'HPE_INVALID_CONSTANT',
      });
    } finally {
      await new Promise<void>((r) => raw.close(() => r()));
    }
  });
});

describe('handles', () => {
  it('close() destroys every connection and fails the requests in flight or waiting', async () => {
    server.handler = () => undefined;
    const connect = vi.spyOn(net, 'connect');
    const p = fresh(1);
    const inFlight = send(p, plain(server.port));
    const waiting = send(p, plain(server.port));
    await until(() => server.seen.length === 1);
    p.close();
    await expect(inFlight).rejects.toMatchObject({ code: 'ECONNRESET', message: 'socket hang up' });
    await expect(waiting).rejects.toMatchObject({ code: 'ECONNRESET' });
    await until(() => server.sockets.size === 0);
    const sockets = connect.mock.results.map((r) => r.value as net.Socket);
    expect(sockets).toHaveLength(1);
    await until(() => sockets.every((s) => s.closed));
  });

  it('an idle connection does not keep the process alive; a busy one does', async () => {
    const held: Array<() => void> = [];
    server.handler = (_req, res) => held.push(() => json(res, 200, {}));
    // The server's own end of the connection must not count either.
    const unref = (socket: net.Socket) => socket.unref();
    server.server.on('connection', unref);
    try {
      await until(() => server.sockets.size === 0);
      const baseline = liveTcpHandles();
      const p = fresh();
      const pending = send(p, plain(server.port));
      await until(() => held.length === 1);
      expect(liveTcpHandles()).toBe(baseline + 1);
      held.shift()?.();
      await pending;
      expect(server.sockets.size).toBe(1);
      await until(() => liveTcpHandles() === baseline);
      const again = send(p, plain(server.port));
      await until(() => held.length === 1);
      expect(liveTcpHandles()).toBe(baseline + 1);
      held.shift()?.();
      await again;
    } finally {
      server.server.off('connection', unref);
    }
  });

  it('a plain connection reads into its own 64 KiB buffer (socket onread), no data events', async () => {
    const big = 'v'.repeat(200_000);
    server.handler = (_req, res) => json(res, 200, { big });
    const connect = vi.spyOn(net, 'connect');
    const p = fresh();
    const answer = await send(p, plain(server.port));
    expect(JSON.parse(answer.body)).toEqual({ big });
    expect(connect).toHaveBeenCalledTimes(1);
    const options = connect.mock.calls[0]?.[0] as unknown as { onread: { buffer: Buffer } };
    expect(options.onread.buffer.length).toBe(64 * 1024);
    // The last read of the body went into that buffer.
    expect(options.onread.buffer.includes('vvvvvvvv"}')).toBe(true);
    const socket = connect.mock.results[0]?.value as net.Socket;
    expect(socket.listenerCount('data')).toBe(0);
  });
});

const haveOpenssl = opensslOrSkip();
describe.skipIf(!haveOpenssl)('TLS connections', () => {
  let dir = '';
  let secure: LocalServer;
  let ca: Buffer;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vault-pool-tls-'));
    const cert = makeCertificate(dir, 'local', 'localhost', 'DNS:localhost,IP:127.0.0.1');
    ca = cert.cert;
    secure = await startServer(
      (req, res) =>
        json(res, 200, { sni: (req.socket as TLSSocket & { servername?: string | false }).servername }),
      { key: cert.key, cert: cert.cert },
    );
  });
  afterAll(async () => {
    await secure?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const endpoint = (host: string, servername?: string): Endpoint => ({
    secure: true,
    host,
    port: secure.port,
    tls: { rejectUnauthorized: true, ca, ...(servername ? { servername } : {}) },
  });

  // As Node's https agent: SNI names the host unless it is an IP address (RFC 6066 §3 allows names only).
  it.each([
    ['a host name: SNI is the name', 'localhost', undefined, 'localhost'],
    ['an IP address: no SNI', '127.0.0.1', undefined, false],
    ['VAULT_TLS_SERVER_NAME wins over the host', '127.0.0.1', 'localhost', 'localhost'],
  ])('%s', async (_name, host, servername, sni) => {
    const answer = await send(fresh(), endpoint(host, servername));
    expect(JSON.parse(answer.body)).toEqual({ sni });
  });

  it('reads the decrypted answer into its own buffer too (TLSSocket honours onread)', async () => {
    const connect = vi.spyOn(tls, 'connect');
    const answer = await send(fresh(), endpoint('127.0.0.1'));
    expect(answer.status).toBe(200);
    const options = connect.mock.calls[0]?.[0] as unknown as { onread: { buffer: Buffer } };
    expect(options.onread.buffer.includes('{"sni":false}')).toBe(true);
  });
});
