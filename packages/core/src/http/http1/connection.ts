/**
 * One kept-alive HTTP/1.1 connection: one request at a time, its answer read off the socket by a
 * ResponseParser. It says when it is free again, or gone, to the pool that owns it.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type net from 'node:net';
import { openSocket, type Endpoint } from './connect';
import { ResponseParser } from './response-parser';
import type { TlsSessions } from './tls-sessions';

export interface ExchangeHandlers {
  response(statusCode: number, headers: IncomingHttpHeaders): void;
  /** A view valid during the call only. */
  data(chunk: Buffer): void;
  end(): void;
  /** `retry`: nothing of an answer came on a connection that had served one; the request may be sent again. */
  error(error: NodeJS.ErrnoException, retry: boolean): void;
}

export interface ConnectionOwner {
  /** TLS sessions kept across this owner's connections. */
  readonly sessions: TlsSessions;
  idle(connection: Connection): void;
  gone(connection: Connection): void;
}

/** Node's error for a connection closed before a complete answer. */
export function hangUp(): NodeJS.ErrnoException {
  return Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
}

export class Connection {
  private readonly socket: net.Socket;
  private exchange: { parser: ResponseParser; handlers: ExchangeHandlers; read: boolean } | undefined;
  /** Answers completed on this socket: a failure on a used socket may be its idle close. */
  private served = 0;
  private reusable = true;
  private closed = false;

  constructor(
    endpoint: Endpoint,
    private readonly owner: ConnectionOwner,
  ) {
    this.socket = openSocket(endpoint, (chunk) => this.read(chunk), owner.sessions);
    this.socket.on('error', (error: NodeJS.ErrnoException) => this.fail(error));
    this.socket.on('end', () => this.ended());
    this.socket.on('close', () => this.fail(hangUp()));
  }

  /** Free for a request: not busy, and neither side has ended it. */
  get usable(): boolean {
    return this.exchange === undefined && !this.closed && this.reusable && !this.socket.readableEnded;
  }

  /** Sends one request; `bodyless` for HEAD, whose answer has no body. */
  send(request: Buffer, bodyless: boolean, handlers: ExchangeHandlers): void {
    const events = {
      head: (status: number, headers: IncomingHttpHeaders) => handlers.response(status, headers),
      body: (chunk: Buffer) => handlers.data(chunk),
      complete: () => this.completed(),
    };
    this.exchange = { parser: new ResponseParser(events, bodyless), handlers, read: false };
    this.socket.ref();
    this.socket.write(request);
  }

  /**
   * Ends the connection now. Without an error (timeout, abort, a body over budget) the request in
   * flight is abandoned silently; with one, it fails with it.
   */
  destroy(error?: NodeJS.ErrnoException): void {
    const exchange = this.exchange;
    this.exchange = undefined;
    this.gone();
    this.socket.destroy();
    if (exchange && error) exchange.handlers.error(error, false);
  }

  private read(chunk: Buffer): void {
    const exchange = this.exchange;
    if (!exchange) {
      // Bytes nobody asked for: the connection's framing can no longer be trusted.
      this.destroy();
      return;
    }
    exchange.read = true;
    let left: number;
    try {
      left = exchange.parser.write(chunk);
    } catch (error) {
      this.fail(error as NodeJS.ErrnoException);
      return;
    }
    if (!exchange.parser.complete || this.closed) return;
    // Idle only once the whole read is handled: bytes after the answer are bytes nobody asked for.
    if (left > 0 || !this.reusable) {
      this.destroy();
      return;
    }
    this.socket.unref();
    this.owner.idle(this);
  }

  /** The answer is read: the caller has it before the connection may carry another request. */
  private completed(): void {
    const exchange = this.exchange;
    if (!exchange) return;
    this.exchange = undefined;
    this.served += 1;
    if (!exchange.parser.keepAlive) this.reusable = false;
    exchange.handlers.end();
  }

  /**
   * The server ended its side: an answer read until close is complete now; one cut short fails at
   * 'close', which follows (the socket does not stay half-open).
   */
  private ended(): void {
    this.reusable = false;
    this.exchange?.parser.end();
  }

  private fail(error: NodeJS.ErrnoException): void {
    const exchange = this.exchange;
    this.exchange = undefined;
    this.gone();
    this.socket.destroy();
    if (exchange) exchange.handlers.error(error, this.served > 0 && !exchange.read);
  }

  private gone(): void {
    this.reusable = false;
    if (this.closed) return;
    this.closed = true;
    this.owner.gone(this);
  }
}
