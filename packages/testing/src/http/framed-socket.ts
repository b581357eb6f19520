import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { ListMethodFramer } from './list-framer';

/**
 * A TCP socket seen through the `LIST` framer: what the HTTP server reads has `LIST` request lines
 * rewritten; what it writes goes to the socket as is. It forwards the socket methods `node:http`
 * calls (timeouts, no-delay, addresses) so the server treats it as a connection.
 */
export class FramedSocket extends Duplex {
  private readonly framer: ListMethodFramer;

  constructor(
    readonly raw: Socket,
    nonce: string,
  ) {
    super({ allowHalfOpen: true });
    this.framer = new ListMethodFramer(nonce);
    raw.on('data', (chunk: Buffer) => {
      const bytes = this.framer.push(chunk);
      if (bytes.length > 0 && !this.push(bytes)) raw.pause();
    });
    raw.on('end', () => this.push(null));
    raw.on('timeout', () => this.emit('timeout'));
    raw.on('error', (err) => this.destroy(err));
    raw.on('close', () => this.destroy());
  }

  override _read(): void {
    this.raw.resume();
  }

  override _write(chunk: Buffer, encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.raw.destroyed) callback();
    else this.raw.write(chunk, encoding, (err) => callback(err ?? null));
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.raw.end(() => callback());
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.raw.destroyed) this.raw.destroy();
    callback(err);
  }

  setTimeout(ms: number, callback?: () => void): this {
    this.raw.setTimeout(ms);
    if (callback) this.once('timeout', callback);
    return this;
  }

  setNoDelay(noDelay?: boolean): this {
    this.raw.setNoDelay(noDelay);
    return this;
  }

  setKeepAlive(enable?: boolean, delay?: number): this {
    this.raw.setKeepAlive(enable, delay);
    return this;
  }

  /** TCP RST, for the `reset` fault. */
  resetAndDestroy(): this {
    this.raw.resetAndDestroy();
    return this;
  }

  address() {
    return this.raw.address();
  }

  get remoteAddress() {
    return this.raw.remoteAddress;
  }

  get remotePort() {
    return this.raw.remotePort;
  }

  get remoteFamily() {
    return this.raw.remoteFamily;
  }

  get localAddress() {
    return this.raw.localAddress;
  }

  get localPort() {
    return this.raw.localPort;
  }

  get encrypted(): boolean {
    return false;
  }
}
