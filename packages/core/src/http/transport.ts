/**
 * The HTTP transport node-vault sends through (its `request-promise` seam). We own it because
 * node-vault's default axios wrapper drops response headers (we need `Retry-After`), cannot be
 * aborted by our start-up deadline, and logs through `debug`. This one never logs anything.
 * It also follows one redirect from a standby as Vault's Go client does (api/client.go), goes through
 * HTTP(S)_PROXY as Vault's CLI does, bounds connections and the bytes of overlapping answers, and
 * parses JSON numbers from their source text.
 */
import http from 'node:http';
import https from 'node:https';
import type { HttpsProxyAgent } from 'https-proxy-agent';
import { JsonStreamParser } from './json-stream';
import { lazyModule } from '../lazy';
import { proxyFor, type ProxySettings } from './proxy';
export interface TransportTls {
  ca?: string | Buffer | Buffer[];
  cert?: string | Buffer;
  key?: string | Buffer;
  rejectUnauthorized: boolean;
  /** VAULT_TLS_SERVER_NAME: the name sent in SNI and checked against the certificate. */
  servername?: string;
}

export interface TransportRequest {
  method: string;
  uri: string;
  headers?: Record<string, string>;
  /** An object body (node-vault puts the JSON body here), or `true` meaning "JSON response". */
  json?: unknown;
  /** Milliseconds for the whole exchange. */
  timeout?: number;
  signal?: AbortSignal;
}

export interface TransportResponse {
  statusCode: number;
  body: unknown;
  headers: http.IncomingHttpHeaders;
  /** True when the body was not valid JSON (proxy HTML page, truncated body...). */
  malformed: boolean;
  request: { path: string };
}

/** A network-level failure (no HTTP status). `code` is Node's (ECONNREFUSED...) or ours. */
export class TransportError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}

/** One answer's body. */
export const MAX_BODY_BYTES = 16 * 1024 * 1024;
/** The bodies of overlapping requests together (the parallel reads of a start-up or a refresh). */
export const MAX_TOTAL_BODY_BYTES = 32 * 1024 * 1024;
/** Connections per agent: 16 paths still load in one round trip, 200 do not open 200 sockets. */
export const MAX_SOCKETS = 16;
const REDIRECTS = new Set([301, 302, 307]);
/** Loaded for the first https request through a proxy only. */
const proxyAgent = lazyModule<typeof import('https-proxy-agent')>('https-proxy-agent');

function proxyAuthorization(proxy: URL): string | undefined {
  if (!proxy.username && !proxy.password) return undefined;
  const user = decodeURIComponent(proxy.username);
  const pass = decodeURIComponent(proxy.password);
  return `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
}

/** The proxy URL without credentials: the agent's `debug` output prints it. */
function withoutCredentials(proxy: URL): URL {
  const bare = new URL(proxy.href);
  bare.username = '';
  bare.password = '';
  return bare;
}

export function createTransport(
  tls: TransportTls,
  defaultTimeoutMs: number,
  proxies: ProxySettings = { http: null, https: null, noProxy: '' },
) {
  const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS });
  const httpAgent = new http.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS });
  const tunnels = new Map<string, HttpsProxyAgent<string>>();
  let inFlight = 0;
  let windowBytes = 0;

  function tunnelTo(proxy: URL): HttpsProxyAgent<string> {
    let agent = tunnels.get(proxy.href);
    if (!agent) {
      const auth = proxyAuthorization(proxy);
      agent = new (proxyAgent().HttpsProxyAgent)(withoutCredentials(proxy).href, {
        keepAlive: true,
        maxSockets: MAX_SOCKETS,
        ...(auth ? { headers: { 'proxy-authorization': auth } } : {}),
      });
      tunnels.set(proxy.href, agent);
    }
    return agent;
  }

  /** Where and how to open the request: direct, tunnelled (https via CONNECT) or via an HTTP proxy. */
  function route(url: URL, headers: Record<string, string>): { target: URL; options: https.RequestOptions } {
    const isHttps = url.protocol === 'https:';
    const proxy = proxyFor(url, proxies);
    if (isHttps) {
      // TLS options go on the request: both agents hand them to tls.connect.
      return {
        target: url,
        options: { ...tls, headers, agent: proxy ? tunnelTo(proxy) : httpsAgent },
      };
    }
    if (!proxy) return { target: url, options: { headers, agent: httpAgent } };
    // Plain http through a proxy: the absolute URL as the request target, as Go's transport does.
    const auth = proxyAuthorization(proxy);
    return {
      target: new URL(`${proxy.protocol}//${proxy.host}`),
      options: {
        path: url.href,
        headers: { ...headers, host: url.host, ...(auth ? { 'proxy-authorization': auth } : {}) },
        agent: httpAgent,
      },
    };
  }

  function send(req: TransportRequest, redirected = false): Promise<TransportResponse> {
    return new Promise((resolve, reject) => {
      const url = new URL(req.uri);
      const payload =
        req.json !== undefined && typeof req.json === 'object'
          ? Buffer.from(JSON.stringify(req.json))
          : undefined;
      const headers: Record<string, string> = {
        accept: 'application/json',
        'x-vault-request': 'true',
        ...req.headers,
      };
      if (payload) {
        headers['content-type'] ??= 'application/json';
        headers['content-length'] = String(payload.length);
      }
      let settled = false;
      inFlight += 1;
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.signal?.removeEventListener('abort', onAbort);
        inFlight -= 1;
        if (inFlight === 0) windowBytes = 0;
        fn();
      };
      const { target, options } = route(url, headers);
      const outgoing = (target.protocol === 'https:' ? https : http).request(target, {
        ...options,
        method: req.method,
      });
      const timeoutMs = req.timeout ?? defaultTimeoutMs;
      const timer = setTimeout(() => {
        outgoing.destroy();
        finish(() =>
          reject(new TransportError('VAULT_REQUEST_TIMEOUT', `no response within ${timeoutMs} ms`)),
        );
      }, timeoutMs);
      const onAbort = () => {
        outgoing.destroy();
        finish(() => reject(new TransportError('VAULT_REQUEST_ABORTED', 'request aborted')));
      };
      // Before anything can destroy the request: a destroyed request emits 'error', and an
      // 'error' without a listener would crash the process.
      outgoing.on('error', (err: NodeJS.ErrnoException) => {
        // Node's messages name host and port only; no headers, so no token.
        finish(() => reject(new TransportError(err.code ?? 'ECONNRESET', err.message)));
      });
      if (req.signal?.aborted) return onAbort();
      req.signal?.addEventListener('abort', onAbort, { once: true });
      outgoing.on('response', (res) => {
        const location = res.headers.location;
        if (REDIRECTS.has(res.statusCode ?? 0) && location && !redirected) {
          res.resume();
          let next: URL;
          try {
            next = new URL(location, url);
          } catch {
            return finish(() =>
              reject(new TransportError('VAULT_REDIRECT_INVALID', 'redirect to an invalid URL')),
            );
          }
          if (url.protocol === 'https:' && next.protocol !== 'https:') {
            return finish(() =>
              reject(
                new TransportError('VAULT_REDIRECT_DOWNGRADE', 'redirect would cause protocol downgrade'),
              ),
            );
          }
          // Once, with the same method, body and token (Vault's Go client, api/client.go).
          return finish(() => resolve(send({ ...req, uri: next.href }, true)));
        }
        // Parsed as it arrives: the whole body is never held as bytes or text (json-stream.ts).
        const parser = new JsonStreamParser();
        let malformed = false;
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          windowBytes += chunk.length;
          if (size > MAX_BODY_BYTES || windowBytes > MAX_TOTAL_BODY_BYTES) {
            const which = size > MAX_BODY_BYTES ? 'response body' : 'answers of the parallel reads together';
            const cap = size > MAX_BODY_BYTES ? MAX_BODY_BYTES : MAX_TOTAL_BODY_BYTES;
            outgoing.destroy();
            finish(() =>
              reject(
                new TransportError('VAULT_RESPONSE_TOO_LARGE', `${which} over ${cap / 1024 / 1024} MiB`),
              ),
            );
            return;
          }
          if (malformed) return;
          try {
            parser.write(chunk);
          } catch {
            malformed = true;
          }
        });
        res.on('error', (err: NodeJS.ErrnoException) =>
          finish(() => reject(new TransportError(err.code ?? 'ECONNRESET', err.message))),
        );
        res.on('end', () => {
          let body: unknown;
          if (!malformed) {
            try {
              body = parser.end();
            } catch {
              malformed = true;
            }
          }
          finish(() =>
            resolve({
              statusCode: res.statusCode ?? 0,
              body,
              headers: res.headers,
              malformed,
              request: { path: url.pathname },
            }),
          );
        });
      });
      outgoing.end(payload);
    });
  }

  return {
    /** node-vault calls `rp.defaults(rpDefaults)` and then the result per request. */
    defaults: () => send,
    send,
    close(): void {
      httpsAgent.destroy();
      httpAgent.destroy();
      for (const agent of tunnels.values()) agent.destroy();
    },
  };
}

export type Transport = ReturnType<typeof createTransport>;
