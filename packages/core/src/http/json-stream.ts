/**
 * A response body parsed as JSON chunk by chunk, as it comes off the socket. The body is never held
 * whole, neither as bytes nor as text: a 1 MB answer costs its values and the chunk in hand, where
 * joining the chunks, decoding them and JSON.parse held three copies at once.
 *
 * The result is what parseJson gives for the body decoded as UTF-8 (Buffer#toString): JSON.parse's
 * grammar, a `__proto__` key as an own property, the last of duplicate keys winning, invalid UTF-8
 * in strings as U+FFFD, and numbers as parseJson keeps them (a number that a JS number reproduces
 * exactly is a number, any other a LosslessNumber). A body with such a number and a duplicate key
 * whose values differ is refused, as lossless-json refuses it there.
 * Anything else throws a SyntaxError naming the byte offset, never the body's text.
 */
import { StringDecoder } from 'node:string_decoder';
import { parseNumber } from './json';

type Container = Record<string, unknown> | unknown[];

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
/** JSON.parse refuses the control characters unescaped inside a string. */
// eslint-disable-next-line no-control-regex -- these very characters are what JSON refuses raw
const CONTROL = /[\u0000-\u001f]/;
const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const ESCAPES: Record<number, string> = {
  0x22: '"',
  0x5c: '\\',
  0x2f: '/',
  0x62: '\b',
  0x66: '\f',
  0x6e: '\n',
  0x72: '\r',
  0x74: '\t',
};

/** What may come next. */
const Expect = {
  Value: 0,
  /** After `[`: a value or `]`. */
  FirstValue: 1,
  /** After `{`: a key or `}`. */
  FirstKey: 2,
  Key: 3,
  Colon: 4,
  /** After a value inside an object or array: `,` or its closing bracket. */
  Next: 5,
  Done: 6,
} as const;
type Expect = (typeof Expect)[keyof typeof Expect];

/** A token cut by the end of a chunk. */
const Cut = { None: 0, String: 1, Number: 2, Word: 3 } as const;
type Cut = (typeof Cut)[keyof typeof Cut];

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function isNumberByte(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e || c === 0x65 || c === 0x45;
}

function isWordByte(c: number): boolean {
  return c >= 0x61 && c <= 0x7a;
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/** Backslashes right before `end`, counted down to `start`. */
function backslashRun(buf: Buffer, start: number, end: number): number {
  let k = end - 1;
  while (k >= start && buf[k] === BACKSLASH) k--;
  return end - 1 - k;
}

/** lossless-json's test for two values of one duplicated key. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((v, i) => sameJson(v, b[i]));
  }
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const x = a as Record<string, unknown>;
    const y = b as Record<string, unknown>;
    return [...new Set([...Object.keys(x), ...Object.keys(y)])].every((k) => sameJson(x[k], y[k]));
  }
  return false;
}

export class JsonStreamParser {
  private expect: Expect = Expect.Value;
  private readonly stack: Container[] = [];
  private key = '';
  private root: unknown;
  /** Bytes consumed by earlier chunks, for error offsets. */
  private offset = 0;
  /** A token has begun: the body is not blank. */
  private started = false;
  private cut: Cut = Cut.None;
  private cutKey = false;
  /** The cut token's bytes, copied: the chunk's buffer may be the socket's, overwritten by its next read. */
  private cutParts: Buffer[] = [];
  /** Backslashes the cut string's bytes end with (their parity says if the next byte is escaped). */
  private cutBackslashes = 0;
  /** The next backslash of `scanBuf` from `scanFrom` on is at `scanAt` (its length: none). */
  private scanBuf: Buffer | undefined;
  private scanFrom = 0;
  private scanAt = 0;
  private inexact = false;
  private duplicates: [unknown, unknown][] = [];
  /**
   * Set once a byte that is not JSON whitespace fails before any token: the body may still be blank
   * as String#trim sees it (a BOM, a no-break space), which the transport reads as "no body".
   */
  private tail: StringDecoder | undefined;
  private tailBlank = true;

  write(chunk: Buffer): void {
    if (this.tail) return this.writeTail(chunk);
    let i = this.cut === Cut.None ? 0 : this.resume(chunk);
    const n = chunk.length;
    while (i >= 0 && i < n) {
      const c = chunk[i] as number;
      if (isWhitespace(c)) {
        i++;
        continue;
      }
      if (this.expect === Expect.Done || !this.accepts(c)) {
        if (!this.started) return this.writeTail(chunk.subarray(i));
        this.fail(i);
      }
      this.started = true;
      i = this.token(chunk, i, c);
    }
    this.offset += n;
    // Nothing keeps a view of the chunk past this call: its memory may be reused for the next one.
    this.scanBuf = undefined;
  }

  /** The parsed value; undefined for a blank body. */
  end(): unknown {
    if (this.tail) {
      if (this.tailBlank && this.tail.end().trim() === '') return undefined;
      throw new SyntaxError('invalid JSON at byte 0');
    }
    if (this.cut === Cut.Number || this.cut === Cut.Word) {
      const text = Buffer.concat(this.cutParts).toString('latin1');
      this.cut = Cut.None;
      this.cutParts = [];
      this.scalar(text, this.offset);
    }
    if (!this.started) return undefined;
    if (this.expect !== Expect.Done || this.cut !== Cut.None) {
      throw new SyntaxError(`unexpected end of JSON at byte ${this.offset}`);
    }
    if (this.inexact && this.duplicates.some(([a, b]) => !sameJson(a, b))) {
      throw new SyntaxError('duplicate key with differing values');
    }
    return this.root;
  }

  private writeTail(bytes: Buffer): void {
    this.tail ??= new StringDecoder('utf8');
    const text = this.tail.write(bytes);
    if (this.tailBlank && text.trim() !== '') this.tailBlank = false;
  }

  private fail(at: number): never {
    throw new SyntaxError(`invalid JSON at byte ${this.offset + at}`);
  }

  /** Whether `c` may start what comes next. */
  private accepts(c: number): boolean {
    switch (this.expect) {
      case Expect.Value:
        return c === QUOTE || c === 0x7b || c === 0x5b || isNumberByte(c) || isWordByte(c);
      case Expect.FirstValue:
        return c === 0x5d || c === QUOTE || c === 0x7b || c === 0x5b || isNumberByte(c) || isWordByte(c);
      case Expect.FirstKey:
        return c === QUOTE || c === 0x7d;
      case Expect.Key:
        return c === QUOTE;
      case Expect.Colon:
        return c === 0x3a;
      case Expect.Next:
        return c === 0x2c || c === (Array.isArray(this.stack[this.stack.length - 1]) ? 0x5d : 0x7d);
      default:
        return false;
    }
  }

  /** Consumes the token starting at `i` (already accepted); the index after it, or -1 if cut. */
  private token(buf: Buffer, i: number, c: number): number {
    switch (c) {
      case QUOTE:
        return this.string(buf, i + 1, this.expect === Expect.FirstKey || this.expect === Expect.Key);
      case 0x7b:
      case 0x5b: {
        const container: Container = c === 0x7b ? {} : [];
        this.value(container);
        this.stack.push(container);
        this.expect = c === 0x7b ? Expect.FirstKey : Expect.FirstValue;
        return i + 1;
      }
      case 0x7d:
      case 0x5d:
        this.stack.pop();
        this.expect = this.stack.length === 0 ? Expect.Done : Expect.Next;
        return i + 1;
      case 0x2c:
        this.expect = Array.isArray(this.stack[this.stack.length - 1]) ? Expect.Value : Expect.Key;
        return i + 1;
      case 0x3a:
        this.expect = Expect.Value;
        return i + 1;
      default:
        return this.scalarToken(buf, i, isWordByte(c) ? Cut.Word : Cut.Number);
    }
  }

  private value(v: unknown): void {
    const top = this.stack[this.stack.length - 1];
    if (top === undefined) {
      this.root = v;
      this.expect = Expect.Done;
      return;
    }
    this.expect = Expect.Next;
    if (Array.isArray(top)) {
      top.push(v);
      return;
    }
    const key = this.key;
    if (Object.prototype.hasOwnProperty.call(top, key)) this.duplicates.push([top[key], v]);
    if (key === '__proto__') {
      Object.defineProperty(top, key, { value: v, writable: true, enumerable: true, configurable: true });
    } else {
      top[key] = v;
    }
  }

  private scalarToken(buf: Buffer, i: number, kind: typeof Cut.Number | typeof Cut.Word): number {
    const test = kind === Cut.Word ? isWordByte : isNumberByte;
    let j = i + 1;
    while (j < buf.length && test(buf[j] as number)) j++;
    if (j === buf.length) {
      this.cut = kind;
      this.cutParts = [Buffer.from(buf.subarray(i))];
      return -1;
    }
    this.scalar(buf.toString('latin1', i, j), this.offset + i);
    return j;
  }

  private scalar(text: string, at: number): void {
    if (text === 'true') return this.value(true);
    if (text === 'false') return this.value(false);
    if (text === 'null') return this.value(null);
    if (!NUMBER.test(text)) throw new SyntaxError(`invalid JSON at byte ${at}`);
    const n = parseNumber(text);
    if (typeof n !== 'number') this.inexact = true;
    this.value(n);
  }

  /** A string whose bytes start at `start`; the index after its closing quote, or -1 if cut. */
  private string(buf: Buffer, start: number, isKey: boolean): number {
    const end = this.closingQuote(buf, start, 0);
    if (end < 0) {
      this.cut = Cut.String;
      this.cutKey = isKey;
      this.cutParts = [Buffer.from(buf.subarray(start))];
      this.cutBackslashes = backslashRun(buf, start, buf.length);
      return -1;
    }
    this.stringDone(this.decode(buf, start, end), isKey);
    return end + 1;
  }

  private stringDone(s: string, isKey: boolean): void {
    if (isKey) {
      this.key = s;
      this.expect = Expect.Colon;
    } else {
      this.value(s);
    }
  }

  /** The first unescaped `"` from `from`, `carried` backslashes right before `from`; -1 if none. */
  private closingQuote(buf: Buffer, from: number, carried: number): number {
    let j = from;
    for (;;) {
      const q = buf.indexOf(QUOTE, j);
      if (q < 0) return -1;
      let run = backslashRun(buf, from, q);
      if (run === q - from) run += carried;
      if (run % 2 === 0) return q;
      j = q + 1;
    }
  }

  /** Continues a token cut by the previous chunk; the index after it, or -1 if still cut. */
  private resume(buf: Buffer): number {
    if (this.cut === Cut.String) {
      const end = this.closingQuote(buf, 0, this.cutBackslashes);
      if (end < 0) {
        this.cutParts.push(Buffer.from(buf));
        const run = backslashRun(buf, 0, buf.length);
        this.cutBackslashes = run === buf.length ? this.cutBackslashes + run : run;
        return -1;
      }
      // Joined now, while `buf` holds these bytes.
      this.cutParts.push(buf.subarray(0, end));
      const bytes = Buffer.concat(this.cutParts);
      this.cut = Cut.None;
      this.cutParts = [];
      this.stringDone(this.decode(bytes, 0, bytes.length), this.cutKey);
      return end + 1;
    }
    const test = this.cut === Cut.Word ? isWordByte : isNumberByte;
    let j = 0;
    while (j < buf.length && test(buf[j] as number)) j++;
    if (j === buf.length) {
      this.cutParts.push(Buffer.from(buf));
      return -1;
    }
    this.cutParts.push(buf.subarray(0, j));
    const text = Buffer.concat(this.cutParts).toString('latin1');
    this.cut = Cut.None;
    this.cutParts = [];
    this.scalar(text, this.offset);
    return j;
  }

  /** The next backslash at or after `from` in `buf` (buf.length if none), one search per stretch. */
  private nextBackslash(buf: Buffer, from: number): number {
    if (this.scanBuf !== buf || from < this.scanFrom || this.scanAt < from) {
      this.scanBuf = buf;
      this.scanFrom = from;
      const at = buf.indexOf(BACKSLASH, from);
      this.scanAt = at < 0 ? buf.length : at;
    }
    return this.scanAt;
  }

  /** The string held by bytes start..end (no quotes), escapes resolved. */
  private decode(buf: Buffer, start: number, end: number): string {
    let b = this.nextBackslash(buf, start);
    if (b >= end) {
      const s = buf.toString('utf8', start, end);
      if (CONTROL.test(s)) throw new SyntaxError('control character in a JSON string');
      return s;
    }
    let out = '';
    let p = start;
    for (;;) {
      const stop = Math.min(b, end);
      if (stop > p) {
        const s = buf.toString('utf8', p, stop);
        if (CONTROL.test(s)) throw new SyntaxError('control character in a JSON string');
        out += s;
      }
      if (b >= end) return out;
      const e = buf[b + 1] as number;
      const simple = ESCAPES[e];
      if (simple !== undefined) {
        out += simple;
        p = b + 2;
      } else if (e === 0x75 && b + 5 < end) {
        let code = 0;
        for (let k = b + 2; k < b + 6; k++) {
          const d = hexDigit(buf[k] as number);
          if (d < 0) throw new SyntaxError('invalid \\u escape in a JSON string');
          code = code * 16 + d;
        }
        out += String.fromCharCode(code);
        p = b + 6;
      } else {
        throw new SyntaxError('invalid escape in a JSON string');
      }
      b = this.nextBackslash(buf, p);
    }
  }
}
