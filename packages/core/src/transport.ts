/**
 * The HTTP transport node-vault sends through (its `request-promise` seam). We own it because
 * node-vault's default axios wrapper drops response headers (we need `Retry-After`), cannot be
 * aborted by our start-up deadline, and logs through `debug`. This one never logs anything.
 */
import http from 'node:http';
import https from 'node:https';

export interface TransportTls {
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  rejectUnauthorized: boolean;
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

const MAX_BODY_BYTES = 16 * 1024 * 1024;

export function createTransport(tls: TransportTls, defaultTimeoutMs: number) {
  const httpsAgent = new https.Agent({ keepAlive: true, ...tls });
  const httpAgent = new http.Agent({ keepAlive: true });

  function send(req: TransportRequest): Promise<TransportResponse> {
    return new Promise((resolve, reject) => {
      const url = new URL(req.uri);
      const isHttps = url.protocol === 'https:';
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
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.signal?.removeEventListener('abort', onAbort);
        fn();
      };
      const outgoing = (isHttps ? https : http).request(url, {
        method: req.method,
        headers,
        agent: isHttps ? httpsAgent : httpAgent,
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
      if (req.signal?.aborted) return onAbort();
      req.signal?.addEventListener('abort', onAbort, { once: true });

      outgoing.on('error', (err: NodeJS.ErrnoException) => {
        // Node's messages name host and port only; no headers, so no token.
        finish(() => reject(new TransportError(err.code ?? 'ECONNRESET', err.message)));
      });
      outgoing.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BODY_BYTES) {
            outgoing.destroy();
            finish(() => reject(new TransportError('VAULT_RESPONSE_TOO_LARGE', 'response body too large')));
            return;
          }
          chunks.push(chunk);
        });
        res.on('error', (err: NodeJS.ErrnoException) =>
          finish(() => reject(new TransportError(err.code ?? 'ECONNRESET', err.message))),
        );
        res.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          let body: unknown;
          let malformed = false;
          if (raw.trim() !== '') {
            try {
              body = JSON.parse(raw);
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
    },
  };
}

export type Transport = ReturnType<typeof createTransport>;
