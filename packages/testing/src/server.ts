import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { operationFor, type RequestContext } from './http/context';
import { HttpError, multierror } from './http/errors';
import { FramedSocket } from './http/framed-socket';
import { LIST_MARKER_HEADER } from './http/list-framer';
import type { Reply } from './http/envelope';
import { FaultRegistry, proxyErrorPage, RateLimiter } from './faults';
import { route } from './router';
import { wrapTtl } from './routes/wrapping';
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
  private readonly listener: NetServer;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Marks requests the framer rewrote from `LIST`; random so a client cannot forge the marker. */
  private readonly listNonce = randomBytes(16).toString('hex');
  private closed = false;

  constructor(
    private readonly state: DevState,
    private readonly log: (line: string) => void = defaultLog,
  ) {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => this.internalError(req, res, err));
    });
    // A request the HTTP parser cannot read at all: Go's server answers 400 and closes, so do we.
    this.server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
      if (socket.writable && err.code !== 'ECONNRESET')
        socket.end(
          'HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n400 Bad Request',
        );
      else socket.destroy();
    });
    // Raw TCP first, so the LIST framer sees the bytes before Node's HTTP parser does.
    this.listener = createNetServer({ allowHalfOpen: true }, (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => socket.destroy());
      this.server.emit('connection', new FramedSocket(socket, this.listNonce));
    });
  }

  listen(port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.listener.once('error', reject);
      this.listener.listen(port, '127.0.0.1', () => {
        this.listener.off('error', reject);
        const address = this.listener.address();
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
    const done = new Promise<void>((resolve) => this.listener.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    this.server.closeAllConnections();
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
    const method = this.methodOf(req);
    const url = parseTarget(req.url);
    const path = url.pathname;
    let status = 0;
    res.on('close', () => {
      this.requests.push({ method, path, status, start, end: performance.now() });
    });
    const send = (reply: Reply, slowMs?: number) => {
      status = validStatus(reply.status) ? reply.status : 500;
      this.write(res, method, reply, slowMs).catch((err: unknown) => this.internalError(req, res, err));
    };

    try {
      const body = await readBody(req);
      const decision = this.faults.take(method, path);
      const latency = this.latencyMs + decision.latencyMs;
      if (latency > 0) await this.sleep(latency);
      if (this.closed) return;

      // http/util.go rateLimitQuotaWrapping: keyed by the client's IP, before routing.
      const quota = RATE_LIMIT_EXEMPT.has(path)
        ? undefined
        : this.rateLimiter.take(req.socket.remoteAddress ?? '', Date.now());
      if (quota && !quota.allowed) {
        send(rateLimited(path, quota.headers));
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
      if (quota) reply.headers = { ...quota.headers, ...reply.headers };
      send(reply, fault?.type === 'slow-body' ? fault.ms : undefined);
    } catch (err) {
      if (!(err instanceof HttpError)) this.logInternal(method, path, err);
      send(toErrorReply(err));
    }
  }

  /** The request's method; `GET` carrying our nonce marker arrived as `LIST`. */
  private methodOf(req: IncomingMessage): string {
    const marker = req.headers[LIST_MARKER_HEADER];
    if (marker !== undefined) delete req.headers[LIST_MARKER_HEADER];
    if (marker === this.listNonce && req.method === 'GET') return 'LIST';
    return (req.method ?? 'GET').toUpperCase();
  }

  private logInternal(method: string, path: string, err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    this.log(`[vault-dev-server] internal error on ${method} ${path}: ${message}`);
  }

  /** The last line of defence: whatever escaped `handle` becomes a 500, never a crash. */
  private internalError(req: IncomingMessage, res: ServerResponse, err: unknown): void {
    this.logInternal(req.method ?? '?', (req.url ?? '').split('?')[0]!, err);
    try {
      if (res.headersSent || res.destroyed) {
        res.destroy();
        return;
      }
      const text = JSON.stringify({ errors: [INTERNAL_ERROR] });
      res.writeHead(500, {
        'Cache-Control': 'no-store',
        'Content-Type': 'application/json',
        'Content-Length': String(Buffer.byteLength(text)),
      });
      res.end(text);
    } catch {
      res.destroy();
    }
  }

  private async dispatch(method: string, url: URL, rawBody: string, req: IncomingMessage): Promise<Reply> {
    if (!url.pathname.startsWith('/v1/')) return { status: 404, body: { errors: [] } };
    if (url.pathname === '/v1/') return { status: 404, body: { errors: [] } };
    const operation = operationFor(method, url.searchParams);
    if (!operation) return { status: 405, body: { errors: [] } };
    if (method === 'PATCH') checkMergePatchType(req.headers['content-type']);
    let body: Record<string, unknown> = {};
    if (isForm(req.headers['content-type'], rawBody)) {
      // http/logical.go isForm/parseFormRequest: a form body is read as fields (last value wins).
      body = Object.fromEntries(new URLSearchParams(rawBody));
    } else if (rawBody.trim() !== '') {
      try {
        const parsed: unknown = JSON.parse(rawBody);
        body =
          parsed && typeof parsed === 'object' && !Array.isArray(parsed)
            ? (parsed as Record<string, unknown>)
            : {};
      } catch {
        // http/logical.go buildLogicalRequestNoAuth: a body that is not JSON is 400 "error parsing JSON".
        throw new HttpError(400, ['error parsing JSON']);
      }
    }
    const ctx: RequestContext = {
      method,
      operation,
      path: logicalPath(url.pathname, operation),
      query: url.searchParams,
      body,
      token: undefined,
      rawToken: tokenFrom(req),
      wrapTtl: wrapTtl(req.headers['x-vault-wrap-ttl']),
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
        return rateLimited(path, { 'Retry-After': String(fault.retryAfterSeconds ?? 1) });
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
    if (!validStatus(reply.status)) {
      // Go's WriteHeader panics on a code outside 100-999; we answer a 500 rather than drop the connection.
      this.log(`[vault-dev-server] internal error: invalid response status code ${reply.status}`);
      reply = { status: 500, body: { errors: [`invalid response status code ${reply.status}`] } };
    }
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

/** vault/quotas ErrRateLimitQuotaExceeded, wrapped as `request path %q: %w`. */
function rateLimited(path: string, headers: Record<string, string>): Reply {
  return {
    status: 429,
    body: { errors: [`request path "${path.replace(/^\/v1\//, '')}": rate limit quota exceeded`] },
    headers,
  };
}

/** The text for a failure that is not even an Error. */
const INTERNAL_ERROR = 'internal error';

/**
 * An error a route did not turn into an answer: 500 with the message in go-multierror's form, as
 * Vault's request handling appends a backend error to its multierror before responding.
 */
function toErrorReply(err: unknown): Reply {
  if (err instanceof HttpError)
    return { status: err.status, body: { errors: err.errors }, headers: err.headers };
  return { status: 500, body: { errors: [multierror(err instanceof Error ? err.message : INTERNAL_ERROR)] } };
}

const validStatus = (status: number): boolean => Number.isInteger(status) && status >= 100 && status <= 999;

const defaultLog = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

/**
 * The request target as a URL. Go's server accepts any origin-form path (`//:99999/x` is the path
 * `//:99999/x`), so we never let a target be read as an authority: on a parse failure the path is
 * kept raw and the query dropped.
 */
function parseTarget(target: string | undefined): URL {
  const raw = target ?? '/';
  try {
    const url = new URL(`http://127.0.0.1${raw.startsWith('/') ? '' : '/'}${raw}`);
    return url;
  } catch {
    const url = new URL('http://127.0.0.1/');
    url.pathname = raw.split('?')[0]!;
    return url;
  }
}

/** http/logical.go isForm: a form content type, unless the body plainly starts as JSON. */
function isForm(header: string | undefined, body: string): boolean {
  const type = (header ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') return false;
  return !/^\s*[{[]/.test(body);
}

/**
 * http/logical.go: PATCH needs `Content-Type: application/merge-patch+json`; a missing or
 * unparseable type is 400 (mime.ParseMediaType's error), another type 415.
 */
function checkMergePatchType(header: string | undefined): void {
  const type = (header ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === '') throw new HttpError(400, ['mime: no media type']);
  if (!/^[!#$%&'*+.^_`|~0-9a-z-]+\/[!#$%&'*+.^_`|~0-9a-z-]+$/.test(type))
    throw new HttpError(400, ['mime: expected token after slash']);
  if (type !== 'application/merge-patch+json')
    throw new HttpError(415, [
      `PATCH requires Content-Type of application/merge-patch+json, provided ${type}`,
    ]);
}

/** The path after `/v1/`, unescaped; list operations get a trailing `/` as in Vault's `http/logical.go`. */
function logicalPath(pathname: string, operation: string): string {
  let path: string;
  try {
    path = decodeURIComponent(pathname.slice('/v1/'.length));
  } catch {
    // Go's server refuses a request whose path has a bad escape before any handler runs.
    throw new HttpError(400, []);
  }
  return operation === 'list' && !path.endsWith('/') ? `${path}/` : path;
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
