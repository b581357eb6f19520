/**
 * TLS session resumption on the direct connections, over real TLS sockets against a local server
 * that closes each connection after its answer: the next connection resumes the last one's session
 * (TLS 1.2 and 1.3), never across a different name or CA, not after a failed connection, and not
 * after close(). The server's own `isSessionReused()` says whether a handshake was abbreviated.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { endpointKey, type Endpoint } from '../../../src/http/http1/connect';
import { ConnectionPool } from '../../../src/http/http1/connection-pool';
import { TlsSessions } from '../../../src/http/http1/tls-sessions';
import type { TransportTls } from '../../../src/http/transport';
import { makeCertificate, opensslOrSkip, type Certificate } from '../../support/local-http';

interface TlsServer {
  port: number;
  /** Per accepted handshake, in order: whether the server resumed a session. */
  resumed: boolean[];
  /** While set, connections are cut before their handshake. */
  refuse: boolean;
  /** While set, connections are reset (RST) once the request arrives, after the handshake. */
  reset: boolean;
  close(): Promise<void>;
}

/** Answers every request once with `Connection: close`, so each request opens a new connection. */
async function tlsServer(cert: Certificate, version: tls.SecureVersion): Promise<TlsServer> {
  const sockets = new Set<Socket>();
  const server = tls.createServer({
    key: cert.key,
    cert: cert.cert,
    minVersion: version,
    maxVersion: version,
  });
  const state: TlsServer = {
    port: 0,
    resumed: [],
    refuse: false,
    reset: false,
    close: () =>
      new Promise<void>((r) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => r());
      }),
  };
  const raw = new WeakMap<tls.TLSSocket, Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    if (state.refuse) socket.destroy();
    else server.once('secureConnection', (secure: tls.TLSSocket) => raw.set(secure, socket));
  });
  server.on('tlsClientError', () => undefined);
  server.on('secureConnection', (socket) => {
    state.resumed.push(socket.isSessionReused());
    socket.on('error', () => undefined);
    socket.once('data', () =>
      state.reset
        ? raw.get(socket)?.resetAndDestroy()
        : socket.end(
            'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}',
          ),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.port = (server.address() as AddressInfo).port;
  return state;
}

/** Sends one GET; resolves with the status, rejects with the connection's error. */
function get(pool: ConnectionPool, endpoint: Endpoint): Promise<number> {
  return new Promise((resolve, reject) => {
    let status = 0;
    pool.request(
      { endpoint, method: 'GET', path: '/v1/sys/health', headers: {} },
      { response: (s) => (status = s), data: () => undefined, end: () => resolve(status), error: reject },
    );
  });
}

describe('endpointKey', () => {
  const tlsOptions = {
    ca: Buffer.from('CA-1'),
    cert: Buffer.from('CERT'),
    key: Buffer.from('KEY-SECRET'),
    rejectUnauthorized: true,
    servername: 'vault.test',
  };
  const at = (tlsOptions: TransportTls, port = 8200, secure = true): string =>
    endpointKey({ secure, host: '10.0.0.1', port, tls: tlsOptions });

  it('is the same for the same options in other objects', () => {
    const copy = { ...tlsOptions, ca: Buffer.from('CA-1'), key: Buffer.from('KEY-SECRET') };
    expect(at(copy)).toBe(at(tlsOptions));
  });

  it.each([
    ['another port', tlsOptions, 8201],
    ['another CA', { ...tlsOptions, ca: Buffer.from('CA-2') }],
    ['one more CA', { ...tlsOptions, ca: [Buffer.from('CA-1'), Buffer.from('CA-2')] }],
    [
      'the CA and the certificate swapped',
      { ...tlsOptions, ca: Buffer.from('CERT'), cert: Buffer.from('CA-1') },
    ],
    ['another client certificate', { ...tlsOptions, cert: Buffer.from('CERT-2') }],
    ['another client key', { ...tlsOptions, key: Buffer.from('KEY-2') }],
    ['no client certificate', { ...tlsOptions, cert: undefined, key: undefined }],
    ['verification off', { ...tlsOptions, rejectUnauthorized: false }],
    ['another server name', { ...tlsOptions, servername: 'other.vault.test' }],
    ['no server name', { ...tlsOptions, servername: undefined }],
  ])('differs for %s', (_name, options: TransportTls, port = 8200) => {
    expect(at(options, port)).not.toBe(at(tlsOptions));
  });

  it('is the bare origin for plain http, and holds no key material over TLS', () => {
    expect(at(tlsOptions, 8200, false)).toBe('http://10.0.0.1:8200');
    expect(at(tlsOptions)).toMatch(/^https:\/\/10\.0\.0\.1:8200#[\w-]+$/);
    expect(at(tlsOptions)).not.toContain('KEY-SECRET');
  });
});

describe('TlsSessions', () => {
  const a = Buffer.from('session-a');
  const b = Buffer.from('session-b');

  it('keeps the newest session per key', () => {
    const sessions = new TlsSessions();
    sessions.set('k', a);
    sessions.set('k', b);
    expect(sessions.get('k')).toBe(b);
    expect(sessions.size).toBe(1);
  });

  it('evicts only the session the failed connection used, not one stored since', () => {
    const sessions = new TlsSessions();
    sessions.set('k', b);
    sessions.evict('k', a);
    expect(sessions.get('k')).toBe(b);
    sessions.evict('k', b);
    expect(sessions.get('k')).toBeUndefined();
  });

  it('holds at most 100 endpoints, dropping the least recently stored', () => {
    const sessions = new TlsSessions();
    for (let i = 0; i < 101; i += 1) sessions.set(`k${i}`, a);
    expect(sessions.size).toBe(100);
    expect(sessions.get('k0')).toBeUndefined();
    expect(sessions.get('k100')).toBe(a);
  });
});

const haveOpenssl = opensslOrSkip();
describe.skipIf(!haveOpenssl)('resumption over real TLS', () => {
  let dir = '';
  let cert: Certificate;
  let other: Certificate;
  let pool: ConnectionPool;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vault-tls-sessions-'));
    cert = makeCertificate(dir, 'vault', 'vault.test', 'DNS:localhost,DNS:other.localhost,IP:127.0.0.1');
    other = makeCertificate(dir, 'other', 'other.test', 'DNS:other.test');
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => {
    pool?.close();
    vi.restoreAllMocks();
  });
  const endpoint = (port: number, servername = 'localhost', ca: Buffer[] = [cert.cert]): Endpoint => ({
    secure: true,
    host: '127.0.0.1',
    port,
    tls: { rejectUnauthorized: true, ca, servername },
  });

  describe.each(['TLSv1.2', 'TLSv1.3'] as const)('%s', (version) => {
    let server: TlsServer;
    beforeAll(async () => {
      server = await tlsServer(cert, version);
    });
    afterAll(() => server?.close());
    afterEach(() => {
      server.resumed.length = 0;
      server.refuse = false;
      server.reset = false;
    });

    it('resumes the session on the next connection, keeping one per endpoint', async () => {
      pool = new ConnectionPool(16);
      for (let i = 0; i < 4; i += 1) expect(await get(pool, endpoint(server.port))).toBe(200);
      expect(server.resumed).toEqual([false, true, true, true]);
      expect(pool.tlsSessions).toBe(1);
    });

    it('does not offer one endpoint’s session under another server name or CA', async () => {
      pool = new ConnectionPool(16);
      await get(pool, endpoint(server.port, 'localhost'));
      await get(pool, endpoint(server.port, 'other.localhost'));
      await get(pool, endpoint(server.port, 'localhost', [cert.cert, other.cert]));
      await get(pool, endpoint(server.port, 'localhost'));
      expect(server.resumed).toEqual([false, false, false, true]);
      expect(pool.tlsSessions).toBe(3);
    });

    it('drops the session when a connection that offered it fails its handshake', async () => {
      pool = new ConnectionPool(16);
      const connect = vi.spyOn(tls, 'connect');
      await get(pool, endpoint(server.port));
      expect(pool.tlsSessions).toBe(1);
      server.refuse = true;
      await expect(get(pool, endpoint(server.port))).rejects.toMatchObject({ code: 'ECONNRESET' });
      // The failed connection had offered the kept session.
      expect((connect.mock.calls[1]?.[0] as tls.ConnectionOptions).session).toBeInstanceOf(Buffer);
      expect(pool.tlsSessions).toBe(0);
      server.refuse = false;
      await get(pool, endpoint(server.port));
      expect((connect.mock.calls[2]?.[0] as tls.ConnectionOptions).session).toBeUndefined();
      expect(server.resumed).toEqual([false, false]);
    });

    it('drops the session a connection received when that connection fails after its handshake', async () => {
      pool = new ConnectionPool(16);
      server.reset = true;
      await expect(get(pool, endpoint(server.port))).rejects.toMatchObject({ code: 'ECONNRESET' });
      expect(pool.tlsSessions).toBe(0);
      server.reset = false;
      await get(pool, endpoint(server.port));
      expect(server.resumed).toEqual([false, false]);
    });

    it('forgets every session on close(): the pool starts afresh', async () => {
      pool = new ConnectionPool(16);
      await get(pool, endpoint(server.port));
      await get(pool, endpoint(server.port, 'other.localhost'));
      expect(pool.tlsSessions).toBe(2);
      pool.close();
      expect(pool.tlsSessions).toBe(0);
      await get(pool, endpoint(server.port));
      expect(server.resumed).toEqual([false, false, false]);
    });

    it('never shares a session between two pools', async () => {
      pool = new ConnectionPool(16);
      const second = new ConnectionPool(16);
      try {
        await get(pool, endpoint(server.port));
        await get(second, endpoint(server.port));
        expect(server.resumed).toEqual([false, false]);
      } finally {
        second.close();
      }
    });
  });
});
