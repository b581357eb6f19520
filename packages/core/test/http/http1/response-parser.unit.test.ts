/**
 * The HTTP/1.1 response parser as a table: each response is fed whole, byte by byte, cut at every
 * offset and through one reused buffer (as a socket's `onread` delivers it), and must read the same
 * each way. Framing per RFC 9112 §6 (content-length, chunked with extensions and trailers, until
 * close; no body for HEAD, 1xx, 204 and 304); header handling as node:http's IncomingMessage.
 */
import { describe, expect, it } from 'vitest';
import { MAX_HEADER_BYTES, ResponseParser } from '../../../src/http/http1/response-parser';

interface Outcome {
  status?: number;
  headers?: Record<string, unknown>;
  body?: string;
  complete: boolean;
  keepAlive?: boolean;
  /** Bytes left over after the answer. */
  left?: number;
  /** How many times `head` was called (once: interim answers are not reported). */
  heads?: number;
  error?: string;
}

interface Feed {
  bodyless?: boolean;
  /** The connection ends after the bytes. */
  eof?: boolean;
}

function parse(parts: Buffer[], feed: Feed, reuse: boolean): Outcome {
  const heads: Array<{ status: number; headers: Record<string, unknown> }> = [];
  const body: Buffer[] = [];
  let completes = 0;
  const parser = new ResponseParser(
    {
      head: (status, headers) => heads.push({ status, headers }),
      // Copied now: the view is valid during the call only.
      body: (chunk) => body.push(Buffer.from(chunk)),
      complete: () => (completes += 1),
    },
    feed.bodyless,
  );
  let left = 0;
  try {
    const shared = Buffer.alloc(Math.max(1, ...parts.map((p) => p.length)));
    for (const part of parts) {
      if (reuse) {
        part.copy(shared);
        left += parser.write(shared.subarray(0, part.length));
        shared.fill('z');
      } else {
        left += parser.write(part);
      }
    }
    // end() says whether the answer is complete, an answer read until close included.
    if (feed.eof) expect(parser.end()).toBe(parser.complete);
  } catch (error) {
    const { code, message, name } = error as Error & { code: string };
    expect(name).toBe('ResponseParseError');
    return { complete: false, error: `${code}: ${message}` };
  }
  expect(completes).toBe(parser.complete ? 1 : 0);
  const head = heads[heads.length - 1];
  return {
    status: head?.status,
    headers: head?.headers,
    body: Buffer.concat(body).toString('latin1'),
    complete: parser.complete,
    keepAlive: parser.keepAlive,
    left,
    heads: heads.length,
  };
}

/** Whole, byte by byte, cut once at every offset (every 97th for a long one), through a reused buffer. */
function everyWay(bytes: Buffer, feed: Feed): Array<{ how: string; outcome: Outcome }> {
  const split = (cuts: number[]) => {
    const parts: Buffer[] = [];
    let from = 0;
    for (const at of [...cuts, bytes.length]) {
      parts.push(bytes.subarray(from, at));
      from = at;
    }
    return parts;
  };
  const bytewise = [...bytes.keys()].slice(1);
  const runs = [
    { how: 'whole', outcome: parse([bytes], feed, false) },
    { how: 'byte by byte', outcome: parse(split(bytewise), feed, false) },
    { how: 'byte by byte, one reused buffer', outcome: parse(split(bytewise), feed, true) },
  ];
  const step = bytes.length > 600 ? 97 : 1;
  for (let at = 1; at < bytes.length; at += step) {
    runs.push({ how: `cut at ${at}`, outcome: parse(split([at]), feed, false) });
    runs.push({ how: `cut at ${at}, one reused buffer`, outcome: parse(split([at]), feed, true) });
  }
  return runs;
}

const b = (text: string) => Buffer.from(text, 'latin1');
/** Headers node:http's IncomingMessage keeps once (content-length aside: two must agree). */
const SINGLE_NAMES = [
  'age',
  'authorization',
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
];
const JSON_BODY = '{"data":{"a":"1"}}';
const read = (status: number, headers: Record<string, unknown>, body = '', more: Partial<Outcome> = {}) => ({
  status,
  headers,
  body,
  complete: true,
  keepAlive: true,
  left: 0,
  heads: 1,
  ...more,
});
const refused = (code: string, reason: string): Outcome => ({
  complete: false,
  error: `${code}: Parse Error: ${reason}`,
});

const TABLE: Array<[string, Buffer, Feed, Outcome]> = [
  [
    'content-length',
    b(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 18\r\n\r\n${JSON_BODY}`),
    {},
    read(200, { 'content-type': 'application/json', 'content-length': '18' }, JSON_BODY),
  ],
  [
    'content-length 0',
    b('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n'),
    {},
    read(200, { 'content-length': '0' }),
  ],
  [
    'chunked, with chunk extensions, upper-case hex and trailers (dropped)',
    b(
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n' +
        '8;name=value\r\n{"data":\r\n' +
        'A ; a=1;b\r\n{"a":"1"}}\r\n' +
        '0\r\nX-Trailer: t\r\nServer-Timing: x\r\n\r\n',
    ),
    {},
    read(200, { 'transfer-encoding': 'chunked' }, JSON_BODY),
  ],
  [
    'chunked without trailers, after gzip in the codings',
    b('HTTP/1.1 200 OK\r\ntransfer-encoding: gzip, chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n'),
    {},
    read(200, { 'transfer-encoding': 'gzip, chunked' }, 'ab'),
  ],
  [
    'neither length nor chunked: the body runs to the end of the connection',
    b(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n${JSON_BODY}`),
    { eof: true },
    read(200, { 'content-type': 'application/json' }, JSON_BODY, { keepAlive: false }),
  ],
  [
    'until close, the connection still open: not complete yet',
    b(`HTTP/1.1 200 OK\r\n\r\n${JSON_BODY}`),
    {},
    read(200, {}, JSON_BODY, { complete: false, keepAlive: false }),
  ],
  [
    'a chunked body that is not last in the codings runs to the end of the connection',
    b('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked, gzip\r\n\r\nraw'),
    { eof: true },
    read(200, { 'transfer-encoding': 'chunked, gzip' }, 'raw', { keepAlive: false }),
  ],
  ['204: no body', b('HTTP/1.1 204 No Content\r\n\r\n'), {}, read(204, {})],
  [
    '304: no body despite its content-length',
    b('HTTP/1.1 304 Not Modified\r\ncontent-length: 10\r\n\r\n'),
    {},
    read(304, { 'content-length': '10' }),
  ],
  [
    'the answer to HEAD: no body despite its content-length',
    b('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n'),
    { bodyless: true },
    read(200, { 'content-length': '100' }),
  ],
  [
    '100 Continue and 103 Early Hints, then the answer: only its head is reported',
    b(
      'HTTP/1.1 100 Continue\r\n\r\n' +
        'HTTP/1.1 103 Early Hints\r\nLink: </a>; rel=preload\r\n\r\n' +
        'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok',
    ),
    {},
    read(200, { 'content-length': '2' }, 'ok'),
  ],
  [
    'duplicate headers as node:http combines them; names lower-cased, values trimmed',
    b(
      'HTTP/1.1 200 OK\r\n' +
        'Set-Cookie: a=1\r\nset-cookie: b=2\r\n' +
        'X-Multi: one\r\nx-multi:  two \r\n' +
        'Content-Type: application/json\r\ncontent-type: text/html\r\n' +
        'Retry-After: 7\r\nRetry-After: 9\r\n' +
        'Cookie: c=1\r\nCookie: d=2\r\n' +
        'Empty:\r\n' +
        'content-length: 0\r\n\r\n',
    ),
    {},
    read(200, {
      'set-cookie': ['a=1', 'b=2'],
      'x-multi': 'one, two',
      'content-type': 'application/json',
      'retry-after': '7',
      cookie: 'c=1; d=2',
      empty: '',
      'content-length': '0',
    }),
  ],
  [
    'the same content-length twice is one',
    b('HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-length: 2\r\n\r\nok'),
    {},
    read(200, { 'content-length': '2' }, 'ok'),
  ],
  [
    'lines ended by LF alone, a status line without reason',
    b('HTTP/1.1 200\ncontent-length: 2\n\nok'),
    {},
    read(200, { 'content-length': '2' }, 'ok'),
  ],
  [
    'Connection: close ends reuse',
    b('HTTP/1.1 200 OK\r\nConnection: close\r\ncontent-length: 2\r\n\r\nok'),
    {},
    read(200, { connection: 'close', 'content-length': '2' }, 'ok', { keepAlive: false }),
  ],
  [
    'HTTP/1.0: no reuse unless asked',
    b('HTTP/1.0 200 OK\r\ncontent-length: 2\r\n\r\nok'),
    {},
    read(200, { 'content-length': '2' }, 'ok', { keepAlive: false }),
  ],
  [
    'HTTP/1.0 with keep-alive',
    b('HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\ncontent-length: 2\r\n\r\nok'),
    {},
    read(200, { connection: 'Keep-Alive', 'content-length': '2' }, 'ok'),
  ],
  [
    'bytes after the answer are left over, not read as body',
    b('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nokEXTRA'),
    {},
    read(200, { 'content-length': '2' }, 'ok', { left: 5 }),
  ],
  [
    'a body cut short by the end of the connection: not complete',
    b('HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc'),
    { eof: true },
    read(200, { 'content-length': '10' }, 'abc', { complete: false }),
  ],
  [
    'a chunked body cut short',
    b('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nab'),
    { eof: true },
    read(200, { 'transfer-encoding': 'chunked' }, 'ab', { complete: false }),
  ],
  [
    'Connection lists without and with spaces: close anywhere ends reuse',
    b('HTTP/1.1 200 OK\r\nconnection: te,close\r\ncontent-length: 0\r\n\r\n'),
    {},
    read(200, { connection: 'te,close', 'content-length': '0' }, '', { keepAlive: false }),
  ],
  [
    'Connection: TE , Close',
    b('HTTP/1.1 200 OK\r\nconnection: TE , Close\r\ncontent-length: 0\r\n\r\n'),
    {},
    read(200, { connection: 'TE , Close', 'content-length': '0' }, '', { keepAlive: false }),
  ],
  [
    'a Connection token that only contains "close" does not end reuse',
    b('HTTP/1.1 200 OK\r\nconnection: x-close-later\r\ncontent-length: 0\r\n\r\n'),
    {},
    read(200, { connection: 'x-close-later', 'content-length': '0' }),
  ],
  [
    'every header node:http keeps once: the first of two wins',
    b(`HTTP/1.1 200 OK\r\n${SINGLE_NAMES.map((n) => `${n}: first\r\n${n}: second\r\n`).join('')}\r\n`),
    { bodyless: true },
    read(200, Object.fromEntries(SINGLE_NAMES.map((n) => [n, 'first']))),
  ],
  // Refused, with llhttp's codes (node:http reports them as `HPE_*`).
  ['not HTTP', b('HTTX/1.1 200 OK\r\n\r\n'), {}, refused('HPE_INVALID_CONSTANT', 'Expected HTTP/')],
  [
    'HTTP/2 on an HTTP/1 connection',
    b('HTTP/2 200\r\n\r\n'),
    {},
    refused('HPE_INVALID_CONSTANT', 'Expected HTTP/'),
  ],
  [
    'text before the version',
    b(' HTTP/1.1 200 OK\r\n\r\n'),
    {},
    refused('HPE_INVALID_CONSTANT', 'Expected HTTP/'),
  ],
  [
    'a four-digit status',
    b('HTTP/1.1 2000 OK\r\n\r\n'),
    {},
    refused('HPE_INVALID_CONSTANT', 'Expected HTTP/'),
  ],
  ['a two-digit status', b('HTTP/1.1 20 OK\r\n\r\n'), {}, refused('HPE_INVALID_CONSTANT', 'Expected HTTP/')],
  [
    'a status under 100',
    b('HTTP/1.1 099 Low\r\n\r\n'),
    {},
    refused('HPE_INVALID_STATUS', 'Invalid status code'),
  ],
  [
    '101 never asked for',
    b('HTTP/1.1 101 Switching\r\n\r\n'),
    {},
    refused('HPE_INVALID_STATUS', 'Unexpected upgrade'),
  ],
  [
    'a header without colon',
    b('HTTP/1.1 200 OK\r\nnocolon\r\n\r\n'),
    {},
    refused('HPE_INVALID_HEADER_TOKEN', 'Invalid header token'),
  ],
  [
    'a space in a header name',
    b('HTTP/1.1 200 OK\r\nbad name: x\r\n\r\n'),
    {},
    refused('HPE_INVALID_HEADER_TOKEN', 'Invalid header token'),
  ],
  [
    'a folded header line',
    b('HTTP/1.1 200 OK\r\na: x\r\n folded\r\n\r\n'),
    {},
    refused('HPE_INVALID_HEADER_TOKEN', 'Invalid header token'),
  ],
  [
    'a control character in a value',
    b('HTTP/1.1 200 OK\r\na: x\x01y\r\n\r\n'),
    {},
    refused('HPE_INVALID_HEADER_VALUE', 'Invalid header value char'),
  ],
  [
    'a content-length that is no number',
    b('HTTP/1.1 200 OK\r\ncontent-length: 1x\r\n\r\n'),
    {},
    refused('HPE_UNEXPECTED_CONTENT_LENGTH', 'Invalid Content-Length'),
  ],
  [
    'a content-length with a sign',
    b('HTTP/1.1 200 OK\r\ncontent-length: +2\r\n\r\nok'),
    {},
    refused('HPE_UNEXPECTED_CONTENT_LENGTH', 'Invalid Content-Length'),
  ],
  [
    'two different content-lengths',
    b('HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-length: 3\r\n\r\nok'),
    {},
    refused('HPE_UNEXPECTED_CONTENT_LENGTH', 'Invalid Content-Length'),
  ],
  [
    'content-length with transfer-encoding',
    b('HTTP/1.1 200 OK\r\ncontent-length: 2\r\ntransfer-encoding: chunked\r\n\r\n'),
    {},
    refused('HPE_UNEXPECTED_CONTENT_LENGTH', 'Content-Length with Transfer-Encoding'),
  ],
  [
    'a chunk size that is no hex',
    b('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n'),
    {},
    refused('HPE_INVALID_CHUNK_SIZE', 'Invalid character in chunk size'),
  ],
  [
    'a chunk size over 13 hex digits',
    b('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n10000000000000\r\n'),
    {},
    refused('HPE_INVALID_CHUNK_SIZE', 'Invalid character in chunk size'),
  ],
  [
    'chunk data longer than its size',
    b('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n'),
    {},
    refused('HPE_STRICT', 'Expected LF after chunk data'),
  ],
];

describe('ResponseParser: the same reading however the bytes arrive', () => {
  it.each(TABLE)('%s', (_name, bytes, feed, expected) => {
    for (const { how, outcome } of everyWay(bytes, feed)) expect(outcome, how).toEqual(expected);
  });
});

describe('the header section is bounded as node:http bounds it (16 KiB)', () => {
  /** A response whose status line and header lines, with the blank line, are exactly `bytes` long. */
  const withSection = (bytes: number, headerName = 'x-pad') => {
    const fixed = `HTTP/1.1 200 OK\r\n${headerName}: \r\n\r\n`.length;
    return b(`HTTP/1.1 200 OK\r\n${headerName}: ${'a'.repeat(bytes - fixed)}\r\n\r\n`);
  };

  it('exactly 16 KiB is read; one byte more → HPE_HEADER_OVERFLOW', () => {
    expect(MAX_HEADER_BYTES).toBe(16 * 1024);
    for (const { how, outcome } of everyWay(withSection(MAX_HEADER_BYTES), { eof: true })) {
      expect(outcome.status, how).toBe(200);
    }
    for (const { how, outcome } of everyWay(withSection(MAX_HEADER_BYTES + 1), { eof: true })) {
      expect(outcome, how).toEqual(refused('HPE_HEADER_OVERFLOW', 'Header overflow'));
    }
  });

  it('a section that never ends is refused once over the bound, without waiting for more', () => {
    const parser = new ResponseParser({
      head: () => undefined,
      body: () => undefined,
      complete: () => undefined,
    });
    parser.write(b('HTTP/1.1 200 OK\r\n'));
    expect(() => parser.write(b('x'.repeat(MAX_HEADER_BYTES)))).toThrow(
      expect.objectContaining({ code: 'HPE_HEADER_OVERFLOW', message: 'Parse Error: Header overflow' }),
    );
  });

  it('each answer after an interim one has its own 16 KiB', () => {
    const interim = b(`HTTP/1.1 103 Early Hints\r\nlink: ${'a'.repeat(MAX_HEADER_BYTES - 100)}\r\n\r\n`);
    const bytes = Buffer.concat([interim, b('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n')]);
    expect(parse([bytes], {}, false)).toMatchObject({ status: 200, complete: true });
  });

  it('a refusal names no byte of the answer', () => {
    const parser = new ResponseParser({
      head: () => undefined,
      body: () => undefined,
      complete: () => undefined,
    });
    expect(() => parser.write(b('HTTP/1.1 200 OK\r\nx-vault-token CANARY\r\n\r\n'))).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('CANARY') }),
    );
  });
});
