/**
 * The transport's TLS wiring against local HTTPS servers with throwaway certificates (openssl; P-256
 * keys, made in milliseconds): CA, skip-verify, server name (SNI and the name checked), client
 * certificate, the https→http downgrade refusal, and https through a CONNECT proxy.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TransportError, createTransport, type Transport, type TransportTls } from '../../src/http/transport';
import {
  json,
  makeCertificate,
  opensslOrSkip,
  startServer,
  type Certificate,
  type LocalServer,
  failure,
  until,
} from '../support/local-http';

const available = opensslOrSkip();
let dir = '';
let vaultCert: Certificate;
let namedCert: Certificate;
let clientCert: Certificate;
/** Certificate for vault.test and 127.0.0.1. */
let vault: LocalServer;
/** Certificate for only.vault.test: reachable at 127.0.0.1 only with VAULT_TLS_SERVER_NAME. */
let named: LocalServer;
let plain: LocalServer;
let transport: Transport;

const describeTls = (req: IncomingMessage) => {
  const socket = req.socket as TLSSocket;
  const peer = socket.getPeerCertificate();
  return {
    sni: (socket as TLSSocket & { servername?: string | false }).servername,
    client: peer && 'subject' in peer ? (peer.subject?.CN ?? null) : null,
  };
};

beforeAll(async () => {
  if (!available) return;
  dir = mkdtempSync(join(tmpdir(), 'vault-transport-tls-'));
  vaultCert = makeCertificate(dir, 'vault', 'vault.test', 'DNS:vault.test,IP:127.0.0.1');
  namedCert = makeCertificate(dir, 'named', 'only.vault.test', 'DNS:only.vault.test');
  clientCert = makeCertificate(dir, 'client', 'vault-client', 'DNS:vault-client');
  const handler = (req: IncomingMessage, res: Parameters<typeof json>[0]) =>
    json(res, 200, { path: req.url, ...describeTls(req) });
  vault = await startServer(handler, {
    key: vaultCert.key,
    cert: vaultCert.cert,
    requestCert: true,
    rejectUnauthorized: false,
  });
  named = await startServer(handler, { key: namedCert.key, cert: namedCert.cert });
  plain = await startServer((_req, res) => json(res, 200, { plain: true }));
});
afterAll(async () => {
  await vault?.close();
  await named?.close();
  await plain?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
  transport?.close();
  if (!available) return;
  vault.seen.length = 0;
  plain.seen.length = 0;
  vault.handler = (req, res) => json(res, 200, { path: req.url, ...describeTls(req) });
});

const DIRECT = { http: null, https: null, noProxy: '' };
const make = (tls: TransportTls, proxies: Parameters<typeof createTransport>[2] = DIRECT) => {
  transport = createTransport(tls, 2000, proxies);
  return transport;
};

describe.skipIf(!available)('TLS options', () => {
  it('an untrusted self-signed certificate → TransportError with the TLS code, no request', async () => {
    const error = await failure(
      make({ rejectUnauthorized: true }).send({ method: 'GET', uri: `${vault.url}/v1/x` }),
    );
    expect(error).toBeInstanceOf(TransportError);
    expect(error.code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
    expect(vault.seen).toEqual([]);
  });

  it('the CA given is trusted', async () => {
    const response = await make({ rejectUnauthorized: true, ca: vaultCert.cert }).send({
      method: 'GET',
      uri: `${vault.url}/v1/x`,
    });
    expect(response).toMatchObject({ statusCode: 200, body: { path: '/v1/x', client: null } });
  });

  it('rejectUnauthorized false connects without the CA', async () => {
    const response = await make({ rejectUnauthorized: false }).send({
      method: 'GET',
      uri: `${vault.url}/v1/x`,
    });
    expect(response.statusCode).toBe(200);
  });

  it('the server name is sent in SNI and checked against the certificate', async () => {
    const ok = await make({
      rejectUnauthorized: true,
      ca: namedCert.cert,
      servername: 'only.vault.test',
    }).send({
      method: 'GET',
      uri: `${named.url}/v1/x`,
    });
    expect(ok.body).toMatchObject({ sni: 'only.vault.test' });
    transport.close();
    const error = await failure(
      make({ rejectUnauthorized: true, ca: namedCert.cert }).send({
        method: 'GET',
        uri: `${named.url}/v1/x`,
      }),
    );
    expect(error.code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it('a client certificate and key are presented to Vault', async () => {
    const response = await make({
      rejectUnauthorized: true,
      ca: vaultCert.cert,
      cert: clientCert.cert,
      key: clientCert.key,
    }).send({ method: 'GET', uri: `${vault.url}/v1/x` });
    expect(response.body).toMatchObject({ client: 'vault-client' });
  });

  it('https requests share one kept-alive connection; close() ends it', async () => {
    const t = make({ rejectUnauthorized: true, ca: vaultCert.cert });
    const before = vault.connections;
    await t.send({ method: 'GET', uri: `${vault.url}/v1/x` });
    await t.send({ method: 'GET', uri: `${vault.url}/v1/y` });
    expect(vault.connections - before).toBe(1);
    t.close();
    await until(() => vault.sockets.size === 0);
  });
});

describe.skipIf(!available)('redirects and TLS', () => {
  it('https → http is refused: VAULT_REDIRECT_DOWNGRADE, the http server not asked', async () => {
    vault.handler = (_req, res) => {
      res.writeHead(307, { location: `${plain.url}/v1/x` });
      res.end();
    };
    const error = await failure(
      make({ rejectUnauthorized: true, ca: vaultCert.cert }).send({
        method: 'GET',
        uri: `${vault.url}/v1/x`,
      }),
    );
    expect(error).toBeInstanceOf(TransportError);
    expect(error.code).toBe('VAULT_REDIRECT_DOWNGRADE');
    expect(error.message).toBe('redirect would cause protocol downgrade');
    expect(plain.seen).toEqual([]);
  });

  it('https → https is followed', async () => {
    vault.handler = (req, res) => {
      if (req.url === '/v1/x') {
        res.writeHead(307, { location: '/v1/active' });
        res.end();
      } else json(res, 200, { path: req.url });
    };
    const response = await make({ rejectUnauthorized: true, ca: vaultCert.cert }).send({
      method: 'GET',
      uri: `${vault.url}/v1/x`,
    });
    expect(response.body).toEqual({ path: '/v1/active' });
  });

  it('http → https is followed, with the TLS options', async () => {
    plain.handler = (_req, res) => {
      res.writeHead(307, { location: `${vault.url}/v1/secure` });
      res.end();
    };
    try {
      const response = await make({ rejectUnauthorized: true, ca: vaultCert.cert }).send({
        method: 'GET',
        uri: `${plain.url}/v1/x`,
      });
      expect(response.body).toMatchObject({ path: '/v1/secure' });
    } finally {
      plain.handler = (_req, res) => json(res, 200, { plain: true });
    }
  });
});

describe.skipIf(!available)('https through a CONNECT proxy (HTTPS_PROXY)', () => {
  let proxy: LocalServer;
  const connects: Array<{ url: string; auth: string | undefined }> = [];
  beforeAll(async () => {
    proxy = await startServer((_req, res) => json(res, 502, {}));
    proxy.server.on('connect', (req: IncomingMessage, client: net.Socket, head: Buffer) => {
      connects.push({ url: req.url ?? '', auth: req.headers['proxy-authorization'] });
      const upstream = net.connect(vault.port, '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      const end = () => {
        upstream.destroy();
        client.destroy();
      };
      upstream.on('error', end);
      client.on('error', end);
      client.on('close', end);
    });
  });
  afterAll(() => proxy?.close());
  afterEach(() => {
    connects.length = 0;
  });

  const through = (proxyUrl: string, tls: TransportTls = { rejectUnauthorized: true, ca: vaultCert.cert }) =>
    make(tls, { http: null, https: proxyUrl, noProxy: '' });

  it('tunnels to the Vault host, verifies its certificate, and reuses the tunnel', async () => {
    const t = through(proxy.url);
    const uri = `https://vault.test:${vault.port}/v1/kv/data/a`;
    const first = await t.send({ method: 'GET', uri, headers: { 'X-Vault-Token': 'tok' } });
    await t.send({ method: 'GET', uri });
    expect(first.body).toMatchObject({ path: '/v1/kv/data/a', sni: 'vault.test' });
    expect(vault.seen[0]?.headers['x-vault-token']).toBe('tok');
    expect(connects).toEqual([{ url: `vault.test:${vault.port}`, auth: undefined }]);
    expect(proxy.seen).toEqual([]);
  });

  it('the proxy credentials go in the CONNECT request only', async () => {
    await through(`http://us%40er:p%3Ass@127.0.0.1:${proxy.port}`).send({
      method: 'GET',
      uri: `https://vault.test:${vault.port}/v1/x`,
    });
    expect(connects[0]?.auth).toBe(`Basic ${Buffer.from('us@er:p:ss').toString('base64')}`);
    expect(vault.seen[0]?.headers['proxy-authorization']).toBeUndefined();
  });

  it('the TLS options apply through the tunnel: without the CA the certificate is refused', async () => {
    const error = await failure(
      through(proxy.url, { rejectUnauthorized: true }).send({
        method: 'GET',
        uri: `https://vault.test:${vault.port}/v1/x`,
      }),
    );
    expect(error.code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
  });

  it('close() ends the tunnels', async () => {
    const t = through(proxy.url);
    await t.send({ method: 'GET', uri: `https://vault.test:${vault.port}/v1/x` });
    expect(vault.sockets.size).toBeGreaterThan(0);
    t.close();
    await until(() => vault.sockets.size === 0);
  });
});
