/**
 * The HTTP transport node-vault sends through (its `request-promise` seam). We own it because
 * node-vault's default axios wrapper drops response headers (we need `Retry-After`), cannot be
 * aborted by our start-up deadline, and logs through `debug`. This one never logs anything.
 * It also follows one redirect from a standby as Vault's Go client does (api/client.go), goes through
 * HTTP(S)_PROXY as Vault's CLI does, bounds connections and the bytes of overlapping answers, and
 * parses JSON numbers from their source text. Direct connections go through our HTTP/1.1 client
 * (http1/), which reads each socket into one kept buffer: node:http allocates a buffer per read and
 * copies every body part again, about two bytes of garbage per byte of a large secret.
 */
import http from 'node:http';
import https from 'node:https';
import type { HttpsProxyAgent } from 'https-proxy-agent';
import { JsonStreamParser } from './json-stream';
import { lazyModule } from '../lazy';
import { proxyFor, type ProxySettings } from './proxy';
import type { Endpoint } from './http1/connect';
import { ConnectionPool, type ResponseHandlers } from './http1/connection-pool';

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
  /** An object body (node-vault puts the JSON body here); anything else (`true`: "JSON response") sends none. */
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
/** Connections per origin (and per proxy): 16 paths still load in one round trip, 200 do not open 200. */
export const MAX_SOCKETS = 16;
const REDIRECTS = new Set([301, 302, 307]);

/** A direct connection (our client) or a node:http request through a proxy. */
type Route = { direct: Endpoint } | { target: URL; options: https.RequestOptions };
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

export function createTransport(tls: TransportTls, defaultTimeoutMs: number, proxies: ProxySettings) {
  // Direct connections: our HTTP/1.1 client (http1/), which reads each socket into one kept buffer.
  const direct = new ConnectionPool(MAX_SOCKETS);
  // Through a proxy: node:http with its agents.
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

  /**
   * Where and how to open the request: direct (our client), tunnelled (https via CONNECT) or via an
   * HTTP proxy (node:http).
   */
  function route(url: URL, headers: Record<string, string>): Route {
    const isHttps = url.protocol === 'https:';
    const proxy = proxyFor(url, proxies);
    if (!proxy) {
      // Any other protocol goes to node:http, which refuses it as it always did.
      if (!isHttps && url.protocol !== 'http:') return { target: url, options: { headers } };
      const host = url.hostname.replace(/^\[|\]$/g, '');
      return { direct: { secure: isHttps, host, port: Number(url.port) || (isHttps ? 443 : 80), tls } };
    }
    if (isHttps) {
      // TLS options go on the request: the agent hands them to tls.connect.
      return { target: url, options: { ...tls, headers, agent: tunnelTo(proxy) } };
    }
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

  /** Starts the exchange on the route chosen; the returned function abandons it. */
  function open(
    url: URL,
    method: string,
    headers: Record<string, string>,
    payload: Buffer | undefined,
    handlers: ResponseHandlers,
  ): () => void {
    const chosen = route(url, headers);
    if ('direct' in chosen) {
      const path = `${url.pathname}${url.search}`;
      return direct.request({ endpoint: chosen.direct, method, path, headers, body: payload }, handlers);
    }
    const outgoing = (chosen.target.protocol === 'https:' ? https : http).request(chosen.target, {
      ...chosen.options,
      method,
    });
    // Before anything can destroy the request: a destroyed request emits 'error', and an
    // 'error' without a listener would crash the process.
    outgoing.on('error', handlers.error);
    outgoing.on('response', (res) => {
      handlers.response(res.statusCode ?? 0, res.headers);
      res.on('data', handlers.data);
      res.on('error', handlers.error);
      res.on('end', handlers.end);
    });
    outgoing.end(payload);
    return () => outgoing.destroy();
  }

  function send(req: TransportRequest, redirected = false): Promise<TransportResponse> {
    return new Promise((resolve, reject) => {
      const url = new URL(req.uri);
      const payload =
        req.json !== null && typeof req.json === 'object' ? Buffer.from(JSON.stringify(req.json)) : undefined;
      const headers: Record<string, string> = {
        accept: 'application/json',
        'x-vault-request': 'true',
        ...req.headers,
      };
      if (payload) {
        headers['content-type'] ??= 'application/json';
        headers['content-length'] = String(payload.length);
      }
      // Before the request exists: a destroyed request would emit an error nobody listens to yet.
      if (req.signal?.aborted) {
        reject(new TransportError('VAULT_REQUEST_ABORTED', 'request aborted'));
        return;
      }
      let settled = false;
      let abandon = (): void => undefined;
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
      const timeoutMs = req.timeout ?? defaultTimeoutMs;
      const timer = setTimeout(() => {
        abandon();
        finish(() =>
          reject(new TransportError('VAULT_REQUEST_TIMEOUT', `no response within ${timeoutMs} ms`)),
        );
      }, timeoutMs);
      const onAbort = () => {
        abandon();
        finish(() => reject(new TransportError('VAULT_REQUEST_ABORTED', 'request aborted')));
      };
      // finish() removes it, whichever way the request ends.
      req.signal?.addEventListener('abort', onAbort);
      const failed = (err: NodeJS.ErrnoException) =>
        // Node's messages and ours name host and port only; no headers, so no token.
        finish(() => reject(new TransportError(err.code ?? 'ECONNRESET', err.message)));
      // Parsed as it arrives: the whole body is never held as bytes or text (json-stream.ts).
      const parser = new JsonStreamParser();
      let statusCode = 0;
      let responseHeaders: http.IncomingHttpHeaders = {};
      let malformed = false;
      let size = 0;
      const handlers: ResponseHandlers = {
        response: (status, received) => {
          statusCode = status;
          responseHeaders = received;
          const location = received.location;
          if (!REDIRECTS.has(status) || !location || redirected) return;
          // The rest of this answer is read and dropped (settled), keeping its connection.
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
        },
        data: (chunk) => {
          if (settled) return;
          size += chunk.length;
          windowBytes += chunk.length;
          if (size > MAX_BODY_BYTES || windowBytes > MAX_TOTAL_BODY_BYTES) {
            const which = size > MAX_BODY_BYTES ? 'response body' : 'answers of the parallel reads together';
            const cap = size > MAX_BODY_BYTES ? MAX_BODY_BYTES : MAX_TOTAL_BODY_BYTES;
            abandon();
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
        },
        end: () => {
          if (settled) return;
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
              statusCode,
              body,
              headers: responseHeaders,
              malformed,
              request: { path: url.pathname },
            }),
          );
        },
        error: failed,
      };
      try {
        abandon = open(url, req.method, headers, payload, handlers);
      } catch (err) {
        // A header node:http would refuse, an unsupported protocol: thrown as node:http throws it,
        // not a network failure to retry. Nothing was sent.
        finish(() => reject(err));
      }
    });
  }

  return {
    /** node-vault calls `rp.defaults(rpDefaults)` and then the result per request. */
    defaults: () => send,
    send,
    close(): void {
      direct.close();
      httpAgent.destroy();
      for (const agent of tunnels.values()) agent.destroy();
    },
  };
}

export type Transport = ReturnType<typeof createTransport>;
