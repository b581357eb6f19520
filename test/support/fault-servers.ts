/**
 * Network-level faults the dev server cannot make by itself: a TLS front with a throwaway self-signed
 * certificate, Vault behind a path prefix, a connection reset in the middle of a body, a port nobody
 * listens on, a standby that redirects, answers rewritten byte for byte, a forward proxy
 * (HTTP_PROXY / HTTPS_PROXY). Each is a small server in front of the dev server on 127.0.0.1, port 0.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export interface ProxyOptions {
  /** Serve TLS with this key and certificate (PEM). */
  tls?: { key: Buffer; cert: Buffer };
  /** Only answer under this prefix (e.g. `/vault`), stripped before forwarding. Others get 404. */
  prefix?: string;
  /** Responses for matching paths get their headers and half the body, then a TCP reset. */
  resetMidBody?: RegExp;
  /** Answer every request with this status and `Location: <redirectTo><path>`, as a standby does. */
  redirectTo?: string;
  redirectStatus?: number;
  /** Rewrite every answer's body text (to write JSON Vault could send but the dev server cannot). */
  rewriteBody?: (body: string) => string;
}

export interface FaultProxy {
  address: string;
  /** The most connections that were open at once. */
  maxConnections(): number;
  close(): Promise<void>;
}

export async function startProxy(target: string, options: ProxyOptions = {}): Promise<FaultProxy> {
  const upstream = new URL(target);
  const sockets = new Set<net.Socket>();
  const handler: http.RequestListener = (req, res) => {
    let path = req.url ?? '/';
    if (options.redirectTo !== undefined) {
      req.resume();
      res.writeHead(options.redirectStatus ?? 307, { location: `${options.redirectTo}${path}` }).end();
      return;
    }
    if (options.prefix !== undefined) {
      if (!path.startsWith(`${options.prefix}/`)) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found\n');
        return;
      }
      path = path.slice(options.prefix.length);
    }
    const forward = http.request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path, headers: req.headers },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (c: Buffer) => chunks.push(c));
        answer.on('end', () => {
          let body = Buffer.concat(chunks);
          if (options.rewriteBody) body = Buffer.from(options.rewriteBody(body.toString('utf8')));
          const headers = { ...answer.headers, 'content-length': String(body.length) };
          delete headers['transfer-encoding'];
          res.writeHead(answer.statusCode ?? 502, headers);
          if (options.resetMidBody?.test(path.split('?')[0] as string)) {
            res.write(body.subarray(0, Math.floor(body.length / 2)));
            // Let the partial body reach the client, then reset the connection.
            setTimeout(() => req.socket.resetAndDestroy(), 20);
            return;
          }
          res.end(body);
        });
      },
    );
    forward.on('error', () => req.socket.destroy());
    req.pipe(forward);
  };
  const server = options.tls ? https.createServer(options.tls, handler) : http.createServer(handler);
  let most = 0;
  server.on(options.tls ? 'secureConnection' : 'connection', (s: net.Socket) => {
    sockets.add(s);
    most = Math.max(most, sockets.size);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    address: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}${options.prefix ?? ''}`,
    maxConnections: () => most,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface ForwardProxy {
  /** `http://127.0.0.1:<port>`, for HTTP_PROXY / HTTPS_PROXY. */
  address: string;
  /** Absolute-URI requests (plain http through the proxy) and CONNECT tunnels seen, by target. */
  forwarded: string[];
  tunnels: string[];
  /** Proxy-Authorization headers received, decoded (`user:password`). */
  credentials: string[];
  close(): Promise<void>;
}

/**
 * A forward proxy that sends every request and tunnel to `target` (host:port), whatever host was
 * asked for: so `VAULT_ADDR=http://vault.invalid:8200` works only through it.
 */
export async function startForwardProxy(target: string): Promise<ForwardProxy> {
  const upstream = new URL(target);
  const forwarded: string[] = [];
  const tunnels: string[] = [];
  const credentials: string[] = [];
  const sockets = new Set<net.Socket>();
  const noteAuth = (req: http.IncomingMessage) => {
    const auth = req.headers['proxy-authorization'];
    if (auth?.startsWith('Basic ')) credentials.push(Buffer.from(auth.slice(6), 'base64').toString());
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/');
    forwarded.push(url.host);
    noteAuth(req);
    delete req.headers['proxy-authorization'];
    const forward = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: `${url.pathname}${url.search}`,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => req.socket.destroy());
    req.pipe(forward);
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    tunnels.push(req.url ?? '');
    noteAuth(req);
    sockets.add(client);
    const socket = net.connect(Number(upstream.port), upstream.hostname, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      socket.write(head);
      socket.pipe(client);
      client.pipe(socket);
    });
    sockets.add(socket);
    const end = () => {
      socket.destroy();
      client.destroy();
    };
    socket.on('error', end);
    client.on('error', end);
  });
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    address: `http://127.0.0.1:${port}`,
    forwarded,
    tunnels,
    credentials,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port that was free a moment ago and has nothing listening: connection refused. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * A throwaway self-signed certificate, written as <name>-key.pem/<name>.pem into `dir`. Its names
 * default to IP 127.0.0.1; `dnsNames` replace them (e.g. only `vault.internal`).
 */
export function makeCertificate(
  dir: string,
  dnsNames?: string[],
  name = 'cert',
): { key: Buffer; cert: Buffer; certPath: string } {
  const keyPath = join(dir, `${name}-key.pem`);
  const certPath = join(dir, `${name}.pem`);
  const san = dnsNames ? dnsNames.map((n) => `DNS:${n}`).join(',') : 'IP:127.0.0.1';
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      `/CN=${dnsNames?.[0] ?? '127.0.0.1'}`,
      '-addext',
      `subjectAltName=${san}`,
      '-keyout',
      keyPath,
      '-out',
      certPath,
    ],
    { stdio: 'ignore' },
  );
  return { key: readFileSync(keyPath), cert: readFileSync(certPath), certPath };
}
