import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { operationFor, type RequestContext } from './http/context';
import { HttpError } from './http/errors';
import type { Reply } from './http/envelope';
import { FaultRegistry, proxyErrorPage, RateLimiter } from './faults';
import { route } from './router';
import type { DevState } from './state';
import type { FaultSpec, RequestLogEntry } from './types';

/** Vault's default rate-limit quota exemptions. */
const RATE_LIMIT_EXEMPT = new Set(['/v1/sys/health', '/v1/sys/seal-status', '/v1/sys/unseal']);
const MAX_BODY = 32 * 1024 * 1024;

/** The HTTP side of the dev server: parsing, faults, rate limit, request log, serialisation. */
export class HttpFront {
  readonly faults = new FaultRegistry();
  readonly rateLimiter = new RateLimiter();
  readonly requests: RequestLogEntry[] = [];
  latencyMs = 0;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(private readonly state: DevState) {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  listen(port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        const address = this.server.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    });
  }

  /** Stops listening and destroys every open socket, including hung requests, so tests never wait. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const done = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    this.server.closeAllConnections?.();
    await done;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.add(t);
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const start = performance.now();
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    let status = 0;
    res.on('close', () => {
      this.requests.push({ method, path, status, start, end: performance.now() });
    });
    const send = (reply: Reply, slowMs?: number) => {
      status = reply.status;
      void this.write(res, method, reply, slowMs);
    };

    try {
      const body = await readBody(req);
      const decision = this.faults.take(method, path);
      const latency = this.latencyMs + decision.latencyMs;
      if (latency > 0) await this.sleep(latency);
      if (this.closed) return;

      const retryAfter = RATE_LIMIT_EXEMPT.has(path) ? undefined : this.rateLimiter.check(Date.now());
      if (retryAfter !== undefined) {
        send(rateLimited(path, retryAfter, this.rateLimiter.requestsPerSecond));
        return;
      }
      const fault = decision.fault;
      if (fault && fault.type !== 'slow-body') {
        const reply = this.faultReply(fault, path, req, res);
        if (reply) send(reply);
        else if (fault.type === 'hang') status = 0;
        return;
      }
      const reply = await this.dispatch(method, url, body, req);
      send(reply, fault?.type === 'slow-body' ? fault.ms : undefined);
    } catch (err) {
      send(toErrorReply(err));
    }
  }

  private async dispatch(method: string, url: URL, rawBody: string, req: IncomingMessage): Promise<Reply> {
    if (!url.pathname.startsWith('/v1/')) return { status: 404, body: { errors: [] } };
    const operation = operationFor(method, url.searchParams);
    if (!operation) return { status: 405, body: { errors: [] } };
    let body: Record<string, unknown> = {};
    if (rawBody.trim() !== '') {
      try {
        const parsed: unknown = JSON.parse(rawBody);
        body =
          parsed && typeof parsed === 'object' && !Array.isArray(parsed)
            ? (parsed as Record<string, unknown>)
            : {};
      } catch (err) {
        throw new HttpError(400, [`failed to parse JSON input: ${(err as Error).message}`]);
      }
    }
    const ctx: RequestContext = {
      method,
      operation,
      path: decodeURIComponent(url.pathname.slice('/v1/'.length)),
      query: url.searchParams,
      body,
      token: undefined,
      rawToken: tokenFrom(req),
      state: this.state,
    };
    return route(ctx);
  }

  /** A fault's canned reply; undefined when the fault answers nothing (reset, hang). */
  private faultReply(
    fault: FaultSpec,
    path: string,
    req: IncomingMessage,
    res: ServerResponse,
  ): Reply | undefined {
    switch (fault.type) {
      case 'status':
        return { status: fault.status, body: fault.body ?? { errors: [] }, headers: fault.headers ?? {} };
      case 'rate-limited':
        return rateLimited(path, fault.retryAfterSeconds ?? 1);
      case 'reset':
        req.socket.resetAndDestroy();
        return undefined;
      case 'hang':
        // Never answer; close() destroys the socket.
        void res;
        return undefined;
      case 'malformed-json':
        return { status: 200, body: RAW('{"request_id":"5e1b5d0c","lease_id":"","data":{"DATABASE_URL":') };
      case 'html':
        return {
          status: fault.status ?? 502,
          body: RAW(proxyErrorPage(fault.status ?? 502)),
          headers: { 'Content-Type': 'text/html' },
        };
      case 'empty-body':
        return { status: fault.status ?? 200, body: RAW('') };
      default:
        return undefined;
    }
  }

  private async write(res: ServerResponse, method: string, reply: Reply, slowMs?: number): Promise<void> {
    if (res.destroyed) return;
    const headers: Record<string, string> = {
      'Cache-Control': 'no-store',
      'Content-Type': 'application/json',
      ...reply.headers,
    };
    let text = '';
    if (reply.body instanceof RawBody) text = reply.body.text;
    else if (reply.body !== undefined && reply.status !== 204) text = JSON.stringify(reply.body);
    if (method === 'HEAD' || reply.status === 204 || reply.status === 202) text = '';
    headers['Content-Length'] = String(Buffer.byteLength(text));
    res.writeHead(reply.status, headers);
    if (!slowMs || text.length < 2) {
      res.end(text);
      return;
    }
    // Slow body: headers and half the body now, the rest after the delay.
    const half = Math.floor(text.length / 2);
    res.write(text.slice(0, half));
    await this.sleep(slowMs);
    if (!res.destroyed) res.end(text.slice(half));
  }
}

/** A body written verbatim (faults), not JSON-encoded. */
class RawBody {
  constructor(readonly text: string) {}
}
const RAW = (text: string) => new RawBody(text);

function rateLimited(path: string, retryAfter: number, limit?: number): Reply {
  return {
    status: 429,
    body: { errors: [`request path "${path.replace(/^\/v1\//, '')}": rate limit quota exceeded`] },
    headers: {
      'Retry-After': String(retryAfter),
      ...(limit ? { 'X-Ratelimit-Limit': String(limit), 'X-Ratelimit-Remaining': '0' } : {}),
      'X-Ratelimit-Reset': String(retryAfter),
    },
  };
}

function toErrorReply(err: unknown): Reply {
  if (err instanceof HttpError)
    return { status: err.status, body: { errors: err.errors }, headers: err.headers };
  return { status: 500, body: { errors: [err instanceof Error ? err.message : 'internal error'] } };
}

/** `X-Vault-Token` wins; otherwise the first `Authorization: Bearer` value. */
function tokenFrom(req: IncomingMessage): string | undefined {
  const header = req.headers['x-vault-token'];
  const token = Array.isArray(header) ? header[0] : header;
  if (token) return token;
  const auth = req.headers.authorization;
  const bearer = auth && /^Bearer\s+(.+)$/i.exec(auth);
  return bearer ? bearer[1]!.trim() : undefined;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) reject(new HttpError(413, ['http: request body too large']));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
