/**
 * Node's HTTP parser (llhttp) rejects the `LIST` method before any JavaScript runs, even with
 * `insecureHTTPParser`. Vault clients send it, so this framer sits between the socket and the parser:
 * it follows HTTP/1.1 message framing (Content-Length and chunked bodies) to find where each request
 * starts, and rewrites a `LIST` request line to `GET` plus a private marker header carrying a
 * per-server nonce. Every other byte passes unchanged. When the stream stops looking like HTTP/1.1,
 * the framer passes the rest through untouched and lets the parser answer it.
 */

/** The header the framer adds to a request that arrived as `LIST`. */
export const LIST_MARKER_HEADER = 'x-vault-dev-server-list';

const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');
/** Heads beyond this are left for the parser to reject (its own limit is 16 KiB). */
const MAX_HEAD = 64 * 1024;
const MAX_LINE = 8 * 1024;

type State =
  | { kind: 'head' }
  | { kind: 'body'; left: number }
  | { kind: 'chunk-size' }
  | { kind: 'chunk-data'; left: number }
  | { kind: 'trailers' }
  | { kind: 'passthrough' };

export class ListMethodFramer {
  private state: State = { kind: 'head' };
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly nonce: string) {}

  /** Feeds raw socket bytes; returns the bytes to hand to the HTTP parser. */
  push(chunk: Buffer): Buffer {
    if (this.state.kind === 'passthrough') return chunk;
    let input = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = Buffer.alloc(0);
    const out: Buffer[] = [];
    while (input.length > 0) {
      const consumed = this.step(input, out);
      if (consumed === 0) {
        // Need more bytes; keep the partial unit (bounded: the limits switch to passthrough).
        this.pending = input;
        break;
      }
      input = input.subarray(consumed);
    }
    return out.length === 1 ? out[0]! : Buffer.concat(out);
  }

  /** Processes one framing unit from `input`; returns how many bytes it consumed (0 = need more). */
  private step(input: Buffer, out: Buffer[]): number {
    const state = this.state;
    switch (state.kind) {
      case 'passthrough':
        out.push(input);
        return input.length;
      case 'head':
        return this.head(input, out);
      case 'body':
      case 'chunk-data': {
        const n = Math.min(state.left, input.length);
        out.push(input.subarray(0, n));
        state.left -= n;
        if (state.left === 0) this.state = state.kind === 'body' ? { kind: 'head' } : { kind: 'chunk-size' };
        return n;
      }
      case 'chunk-size':
      case 'trailers': {
        const end = input.indexOf(CRLF);
        if (end === -1) return this.needMore(input, MAX_LINE, out);
        const line = input.subarray(0, end).toString('latin1');
        out.push(input.subarray(0, end + 2));
        if (state.kind === 'trailers') {
          if (line === '') this.state = { kind: 'head' };
          return end + 2;
        }
        const size = /^([0-9a-fA-F]+)\s*(?:;.*)?$/.exec(line);
        if (!size) {
          this.state = { kind: 'passthrough' };
          return end + 2;
        }
        const n = parseInt(size[1]!, 16);
        this.state = n === 0 ? { kind: 'trailers' } : { kind: 'chunk-data', left: n + 2 };
        return end + 2;
      }
    }
  }

  private head(input: Buffer, out: Buffer[]): number {
    // The parser skips empty lines before a request line; so do we.
    let start = 0;
    while (input.length - start >= 2 && input[start] === 0x0d && input[start + 1] === 0x0a) start += 2;
    if (start > 0) {
      out.push(input.subarray(0, start));
      return start;
    }
    if (input.length === 1 && input[0] === 0x0d) return 0;
    const end = input.indexOf(HEAD_END);
    if (end === -1) return this.needMore(input, MAX_HEAD, out);
    const head = input.subarray(0, end + 4).toString('latin1');
    const lines = head.slice(0, -4).split('\r\n');
    const requestLine = lines[0]!;
    const method = requestLine.slice(0, requestLine.indexOf(' '));
    let contentLength: number | undefined;
    let chunked = false;
    let upgrade = false;
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon === -1) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === 'content-length') contentLength = /^\d+$/.test(value) ? Number(value) : NaN;
      else if (name === 'transfer-encoding') chunked = /(^|,)\s*chunked\s*$/i.test(value);
      else if (name === 'upgrade') upgrade = true;
    }
    if (method === 'LIST') {
      const rewritten = `GET${requestLine.slice(4)}\r\n${LIST_MARKER_HEADER}: ${this.nonce}\r\n${lines
        .slice(1)
        .map((l) => `${l}\r\n`)
        .join('')}\r\n`;
      out.push(Buffer.from(rewritten, 'latin1'));
    } else {
      out.push(input.subarray(0, end + 4));
    }
    if (upgrade || method === 'CONNECT' || (contentLength !== undefined && Number.isNaN(contentLength)))
      this.state = { kind: 'passthrough' };
    else if (chunked) this.state = { kind: 'chunk-size' };
    else if (contentLength) this.state = { kind: 'body', left: contentLength };
    return end + 4;
  }

  /** Waits for more bytes, unless the unit is already too long to be valid: then pass everything. */
  private needMore(input: Buffer, limit: number, out: Buffer[]): number {
    if (input.length <= limit) return 0;
    this.state = { kind: 'passthrough' };
    out.push(input);
    return input.length;
  }
}
