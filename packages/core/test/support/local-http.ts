/**
 * Small real HTTP(S) servers for the transport's tests: 127.0.0.1, an ephemeral port, every request
 * recorded (method, target, headers, body) so a test asserts exactly what went over the wire.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { isCi } from '../../../../test/support/ci';
import { expect } from 'vitest';
import type { TransportError } from '../../src/http/transport';

export interface Seen {
  method: string;
  /** The request target as sent: a path, or an absolute URL through an HTTP proxy. */
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse, seen: Seen) => void;

export interface LocalServer {
  server: http.Server | https.Server;
  url: string;
  port: number;
  seen: Seen[];
  /** TCP connections accepted so far. */
  connections: number;
  /** Sockets currently open. */
  sockets: Set<Socket>;
  handler: Handler;
  close(): Promise<void>;
}

export async function startServer(handler: Handler, tls?: https.ServerOptions): Promise<LocalServer> {
  const local = {
    seen: [] as Seen[],
    connections: 0,
    sockets: new Set<Socket>(),
    handler,
  } as LocalServer;
  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const seen: Seen = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      local.seen.push(seen);
      local.handler(req, res, seen);
    });
  };
  const server = tls ? https.createServer(tls, onRequest) : http.createServer(onRequest);
  const track = (socket: Socket) => {
    local.connections += 1;
    local.sockets.add(socket);
    socket.on('close', () => local.sockets.delete(socket));
  };
  server.on(tls ? 'secureConnection' : 'connection', track);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  local.server = server;
  local.port = (server.address() as AddressInfo).port;
  local.url = `${tls ? 'https' : 'http'}://127.0.0.1:${local.port}`;
  local.close = () =>
    new Promise<void>((resolve) => {
      for (const socket of local.sockets) socket.destroy();
      server.close(() => resolve());
    });
  return local;
}

/** Answers JSON with `status`. */
export function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const s = await startServer(() => undefined);
  await s.close();
  return s.port;
}

export function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** TLS tests must run under CI (`.ci/run` installs openssl); elsewhere they skip without it. */
export function opensslOrSkip(): boolean {
  if (hasOpenssl()) return true;
  if (isCi()) throw new Error('openssl is not installed: apt-get install openssl (.ci/run does this)');
  return false;
}

export interface Certificate {
  key: Buffer;
  cert: Buffer;
  certFile: string;
  keyFile: string;
}

/** A throwaway self-signed P-256 certificate (fast to make) for `cn` with the given subjectAltName. */
export function makeCertificate(dir: string, name: string, cn: string, san: string): Certificate {
  const keyFile = join(dir, `${name}-key.pem`);
  const certFile = join(dir, `${name}-cert.pem`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      `/CN=${cn}`,
      '-addext',
      `subjectAltName=${san}`,
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: 'ignore' },
  );
  return { key: readFileSync(keyFile), cert: readFileSync(certFile), certFile, keyFile };
}

/** The TransportError a promise rejects with (fails the test when it resolves). */
export const failure = (p: Promise<unknown>): Promise<TransportError> =>
  p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e as TransportError,
  );

/** Polls `check` every 5 ms for up to 1 s, then asserts it. */
export async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i += 1) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
}
