/**
 * Kept-alive connections per origin, at most `maxSockets` each, as node:http's Agent bounds them:
 * requests beyond the cap wait in order; a free connection is reused, an ended one dropped. A GET
 * whose reused connection died before any byte of the answer (the server closed it while idle) is
 * sent once more on a new one, as Go's transport retries an idempotent request.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { endpointKey, type Endpoint } from './connect';
import { Connection, hangUp, type ExchangeHandlers } from './connection';
import { requestBytes } from './request-bytes';
import { TlsSessions } from './tls-sessions';

export interface PoolRequest {
  endpoint: Endpoint;
  method: string;
  /** Path and query. */
  path: string;
  /** Sent as given; `host` and `connection` are added. */
  headers: Record<string, string>;
  body?: Buffer;
}

export interface ResponseHandlers {
  response(statusCode: number, headers: IncomingHttpHeaders): void;
  /** A view valid during the call only. */
  data(chunk: Buffer): void;
  end(): void;
  error(error: NodeJS.ErrnoException): void;
}

/** Go's transport (net/http, Request.isReplayable): the methods safe to send twice. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

interface Waiter {
  request: PoolRequest;
  bytes: Buffer;
  handlers: ExchangeHandlers;
  connection?: Connection;
  done: boolean;
}

interface Origin {
  open: Set<Connection>;
  idle: Connection[];
  queue: Waiter[];
}

export class ConnectionPool {
  private readonly origins = new Map<string, Origin>();
  /** One per endpoint for the pool's life: a new connection resumes where the last one's handshake left off. */
  private readonly sessions = new TlsSessions();

  constructor(private readonly maxSockets: number) {}

  /** Sends `request`; the returned function abandons it (dequeued, or its connection closed). */
  request(request: PoolRequest, handlers: ResponseHandlers): () => void {
    const origin = this.origin(request.endpoint);
    let retried = false;
    const waiter: Waiter = {
      request,
      bytes: requestBytes(request),
      done: false,
      handlers: {
        response: (status, headers) => handlers.response(status, headers),
        data: (chunk) => handlers.data(chunk),
        end: () => {
          waiter.done = true;
          handlers.end();
        },
        error: (error, retry) => {
          waiter.connection = undefined;
          if (retry && !retried && IDEMPOTENT.has(request.method)) {
            retried = true;
            origin.queue.unshift(waiter);
            queueMicrotask(() => this.dispatch(origin, request.endpoint));
            return;
          }
          waiter.done = true;
          handlers.error(error);
        },
      },
    };
    origin.queue.push(waiter);
    // Later, never from inside the caller or a socket's read: handlers run on a clean stack.
    queueMicrotask(() => this.dispatch(origin, request.endpoint));
    return () => {
      if (waiter.done) return;
      waiter.done = true;
      const at = origin.queue.indexOf(waiter);
      if (at >= 0) origin.queue.splice(at, 1);
      waiter.connection?.destroy();
    };
  }

  /**
   * Ends every connection and forgets the TLS sessions; requests in flight or waiting fail with
   * "socket hang up", as node:http's do.
   */
  close(): void {
    const origins = [...this.origins.values()];
    this.origins.clear();
    for (const origin of origins) {
      for (const waiter of origin.queue.splice(0)) waiter.handlers.error(hangUp(), false);
      for (const connection of [...origin.open]) connection.destroy(hangUp());
    }
    this.sessions.clear();
  }

  /** TLS sessions kept, one per endpoint at most. */
  get tlsSessions(): number {
    return this.sessions.size;
  }

  private origin(endpoint: Endpoint): Origin {
    const key = endpointKey(endpoint);
    let origin = this.origins.get(key);
    if (!origin) {
      origin = { open: new Set(), idle: [], queue: [] };
      this.origins.set(key, origin);
    }
    return origin;
  }

  /** Hands waiting requests to free connections, opening new ones up to the cap. */
  private dispatch(origin: Origin, endpoint: Endpoint): void {
    while (origin.queue.length > 0) {
      let connection = origin.idle.pop();
      while (connection && !connection.usable) connection = origin.idle.pop();
      if (!connection) {
        if (origin.open.size >= this.maxSockets) return;
        connection = new Connection(endpoint, {
          sessions: this.sessions,
          idle: (c) => {
            origin.idle.push(c);
            queueMicrotask(() => this.dispatch(origin, endpoint));
          },
          gone: (c) => {
            origin.open.delete(c);
            const at = origin.idle.indexOf(c);
            if (at >= 0) origin.idle.splice(at, 1);
            queueMicrotask(() => this.dispatch(origin, endpoint));
          },
        });
        origin.open.add(connection);
      }
      const waiter = origin.queue.shift() as Waiter;
      waiter.connection = connection;
      connection.send(waiter.bytes, waiter.request.method === 'HEAD', waiter.handlers);
    }
  }
}
