/**
 * One HTTP/1.1 response read incrementally from the bytes of a socket: status line, headers, then the
 * body framed by content-length, chunked transfer coding or the end of the connection (RFC 9112 §6.3).
 * Body bytes are handed on as views of the chunk being read and never kept: the caller's buffer may be
 * overwritten by the next read. Only the header section and a cut line are copied (small, bounded).
 */
import type { IncomingHttpHeaders } from 'node:http';

/** Node's default `--max-http-header-size`: a larger header section is refused as node:http refuses it. */
export const MAX_HEADER_BYTES = 16 * 1024;

/** A response that is not HTTP/1.x as we read it. The code and message are llhttp's; never any byte. */
export class ResponseParseError extends Error {
  constructor(
    readonly code: string,
    reason: string,
  ) {
    super(`Parse Error: ${reason}`);
    this.name = 'ResponseParseError';
  }
}

export interface ResponseEvents {
  head(statusCode: number, headers: IncomingHttpHeaders): void;
  /** A view valid during the call only. */
  body(chunk: Buffer): void;
  complete(): void;
}

/** Duplicates of these are dropped, the first kept, as node:http's IncomingMessage does. */
const SINGLE = new Set([
  'age',
  'authorization',
  'content-length',
  'content-type',
  'etag',
  'expires',
  'from',
  'host',
  'if-modified-since',
  'if-unmodified-since',
  'last-modified',
  'location',
  'max-forwards',
  'proxy-authorization',
  'referer',
  'retry-after',
  'server',
  'user-agent',
]);

const STATUS_LINE = /^HTTP\/1\.([01]) (\d{3})(?: [^\r\n]*)?$/;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// eslint-disable-next-line no-control-regex -- the control characters a field value may not hold
const BAD_VALUE = /[\u0000-\u0008\u000a-\u001f\u007f]/;
/** At most 13 hex digits: every size below 2^52 is exact in a JS number. */
const CHUNK_SIZE = /^0*([0-9A-Fa-f]{1,13})[ \t]*(?:;.*)?$/;

const State = {
  StatusLine: 0,
  Header: 1,
  Length: 2,
  ChunkSize: 3,
  ChunkData: 4,
  ChunkEnd: 5,
  Trailer: 6,
  UntilClose: 7,
  Done: 8,
} as const;
type State = (typeof State)[keyof typeof State];

function addHeader(headers: IncomingHttpHeaders, name: string, value: string): void {
  const had = headers[name];
  if (name === 'set-cookie') {
    headers['set-cookie'] = [...(had ?? []), value];
  } else if (had === undefined) {
    headers[name] = value;
  } else if (!SINGLE.has(name)) {
    headers[name] = `${had as string}${name === 'cookie' ? '; ' : ', '}${value}`;
  }
}

export class ResponseParser {
  private state: State = State.StatusLine;
  /** Bytes of a line cut by the end of a chunk (copied: the chunk's buffer is reused). */
  private partial: Buffer[] = [];
  /** Bytes of the current header or trailer section so far. */
  private sectionBytes = 0;
  private statusCode = 0;
  private http10 = false;
  private headers: IncomingHttpHeaders = {};
  private contentLength: string | undefined;
  private remaining = 0;
  /** Whether the connection may carry another request once this answer is complete. */
  keepAlive = false;

  /** `bodyless`: the request was HEAD, whose answer has headers only. */
  constructor(
    private readonly events: ResponseEvents,
    private readonly bodyless = false,
  ) {}

  get complete(): boolean {
    return this.state === State.Done;
  }

  /** Reads `chunk`; the bytes after a complete answer are left, their count returned. */
  write(chunk: Buffer): number {
    let i = 0;
    const n = chunk.length;
    while (i < n && this.state !== State.Done) {
      switch (this.state) {
        case State.Length: {
          const take = Math.min(this.remaining, n - i);
          this.remaining -= take;
          this.events.body(chunk.subarray(i, i + take));
          i += take;
          if (this.remaining === 0) this.finish();
          break;
        }
        case State.ChunkData: {
          const take = Math.min(this.remaining, n - i);
          this.remaining -= take;
          this.events.body(chunk.subarray(i, i + take));
          i += take;
          if (this.remaining === 0) this.state = State.ChunkEnd;
          break;
        }
        case State.UntilClose:
          this.events.body(chunk.subarray(i));
          i = n;
          break;
        default:
          i = this.readLine(chunk, i);
      }
    }
    return n - i;
  }

  /** The connection ended: completes an answer read until close; false when the answer was cut short. */
  end(): boolean {
    if (this.state === State.UntilClose) this.finish();
    return this.state === State.Done;
  }

  /** Consumes one line (or the part of it in this chunk); the index after it. */
  private readLine(chunk: Buffer, from: number): number {
    const lf = chunk.indexOf(0x0a, from);
    const stop = lf < 0 ? chunk.length : lf;
    const added = stop - from + (lf < 0 ? 0 : 1);
    this.sectionBytes += added;
    if (this.sectionBytes > MAX_HEADER_BYTES) {
      throw new ResponseParseError('HPE_HEADER_OVERFLOW', 'Header overflow');
    }
    if (lf < 0) {
      this.partial.push(Buffer.from(chunk.subarray(from)));
      return chunk.length;
    }
    let line: string;
    if (this.partial.length > 0) {
      this.partial.push(chunk.subarray(from, lf));
      line = Buffer.concat(this.partial).toString('latin1');
      this.partial = [];
    } else {
      line = chunk.toString('latin1', from, lf);
    }
    this.line(line.endsWith('\r') ? line.slice(0, -1) : line);
    return lf + 1;
  }

  private line(line: string): void {
    switch (this.state) {
      case State.StatusLine:
        return this.statusLine(line);
      case State.Header:
        return line === '' ? this.headersDone() : this.headerLine(line);
      case State.ChunkSize:
        return this.chunkSize(line);
      case State.ChunkEnd:
        if (line !== '') throw new ResponseParseError('HPE_STRICT', 'Expected LF after chunk data');
        this.state = State.ChunkSize;
        this.sectionBytes = 0;
        return;
      case State.Trailer:
        // Trailers are read and dropped: nothing of Vault's answer is carried in them.
        if (line === '') return this.finish();
        return void this.fieldLine(line);
    }
  }

  private statusLine(line: string): void {
    const m = STATUS_LINE.exec(line);
    if (!m) throw new ResponseParseError('HPE_INVALID_CONSTANT', 'Expected HTTP/');
    this.http10 = m[1] === '0';
    this.statusCode = Number(m[2]);
    if (this.statusCode < 100) throw new ResponseParseError('HPE_INVALID_STATUS', 'Invalid status code');
    this.state = State.Header;
  }

  /** `name: value`, checked; the name lower-cased. */
  private fieldLine(line: string): [string, string] {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon);
    // A folded line (obs-fold) or a name with spaces: refused, as llhttp refuses them.
    if (colon <= 0 || !TOKEN.test(name)) {
      throw new ResponseParseError('HPE_INVALID_HEADER_TOKEN', 'Invalid header token');
    }
    const value = line.slice(colon + 1).trim();
    if (BAD_VALUE.test(value))
      throw new ResponseParseError('HPE_INVALID_HEADER_VALUE', 'Invalid header value char');
    return [name.toLowerCase(), value];
  }

  private headerLine(line: string): void {
    const [name, value] = this.fieldLine(line);
    if (name === 'content-length') {
      if (!/^\d+$/.test(value) || (this.contentLength !== undefined && this.contentLength !== value)) {
        throw new ResponseParseError('HPE_UNEXPECTED_CONTENT_LENGTH', 'Invalid Content-Length');
      }
      this.contentLength = value;
    }
    addHeader(this.headers, name, value);
  }

  private headersDone(): void {
    const status = this.statusCode;
    if (status >= 100 && status < 200) {
      // 101 would switch protocols: never asked for, so not an answer to read.
      if (status === 101) throw new ResponseParseError('HPE_INVALID_STATUS', 'Unexpected upgrade');
      // An interim answer (100 Continue, 103 Early Hints): the real one follows.
      this.reset();
      return;
    }
    const headers = this.headers;
    const connection = (headers.connection ?? '').toLowerCase().split(/\s*,\s*/);
    this.keepAlive = this.http10 ? connection.includes('keep-alive') : !connection.includes('close');
    const codings = headers['transfer-encoding'];
    const chunked = /(?:^|,)\s*chunked\s*$/i.test(codings ?? '');
    if (codings !== undefined && this.contentLength !== undefined) {
      throw new ResponseParseError('HPE_UNEXPECTED_CONTENT_LENGTH', 'Content-Length with Transfer-Encoding');
    }
    this.events.head(status, headers);
    this.sectionBytes = 0;
    if (this.bodyless || status === 204 || status === 304) return this.finish();
    if (chunked) {
      this.state = State.ChunkSize;
    } else if (this.contentLength !== undefined) {
      this.remaining = Number(this.contentLength);
      if (this.remaining === 0) return this.finish();
      this.state = State.Length;
    } else {
      this.keepAlive = false;
      this.state = State.UntilClose;
    }
  }

  private chunkSize(line: string): void {
    const m = CHUNK_SIZE.exec(line);
    if (!m) throw new ResponseParseError('HPE_INVALID_CHUNK_SIZE', 'Invalid character in chunk size');
    this.remaining = parseInt(m[1] as string, 16);
    this.state = this.remaining === 0 ? State.Trailer : State.ChunkData;
  }

  private reset(): void {
    this.state = State.StatusLine;
    this.headers = {};
    this.contentLength = undefined;
    this.statusCode = 0;
    this.sectionBytes = 0;
  }

  private finish(): void {
    this.state = State.Done;
    this.events.complete();
  }
}
