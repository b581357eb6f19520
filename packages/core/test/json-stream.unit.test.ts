/**
 * The chunk-by-chunk body parser against what the transport did before it parsed while reading:
 * decode the whole body as UTF-8, a blank body (String#trim) is "no body", else parseJson, and any
 * failure is "malformed". Every body is fed whole, one byte at a time and cut at every offset.
 */
import { LosslessNumber } from 'lossless-json';
import { describe, expect, it } from 'vitest';
import { JsonStreamParser } from '../src/http/json-stream';
import { parseJson } from '../src/http/json';
import { toEnvValue } from '../src/values';

interface Outcome {
  body: unknown;
  malformed: boolean;
}

const MALFORMED: Outcome = { body: undefined, malformed: true };
const BLANK: Outcome = { body: undefined, malformed: false };
const ok = (body: unknown): Outcome => ({ body, malformed: false });

/** The transport's answer before: the whole text, then JSON.parse (or lossless-json). */
function wholeText(bytes: Buffer): Outcome {
  const raw = bytes.toString('utf8');
  if (raw.trim() === '') return BLANK;
  try {
    return ok(parseJson(raw));
  } catch {
    return MALFORMED;
  }
}

function streamed(bytes: Buffer, cuts: number[]): Outcome {
  const parser = new JsonStreamParser();
  try {
    let from = 0;
    for (const at of [...cuts, bytes.length]) {
      parser.write(bytes.subarray(from, at));
      from = at;
    }
    return ok(parser.end());
  } catch {
    return MALFORMED;
  }
}

/**
 * Fed as a socket reading into one kept buffer delivers it: every part copied into the same memory,
 * overwritten once the parser has it. Parts of `size` bytes go in as that very Buffer object, the
 * last shorter one as a view of it.
 */
function reusedBuffer(bytes: Buffer, size: number): Outcome {
  const parser = new JsonStreamParser();
  const shared = Buffer.alloc(size);
  try {
    for (let from = 0; from < bytes.length; from += size) {
      const n = bytes.copy(shared, 0, from, from + size);
      parser.write(n === size ? shared : shared.subarray(0, n));
      shared.fill('z');
    }
    return ok(parser.end());
  } catch {
    return MALFORMED;
  }
}

/** Whole, byte by byte, and cut once at every offset. */
function everyCut(bytes: Buffer): { how: string; outcome: Outcome }[] {
  const runs = [
    { how: 'whole', outcome: streamed(bytes, []) },
    { how: 'byte by byte', outcome: streamed(bytes, [...bytes.keys()].slice(1)) },
  ];
  for (let at = 1; at < bytes.length; at++)
    runs.push({ how: `cut at ${at}`, outcome: streamed(bytes, [at]) });
  return runs;
}

const u = (text: string) => Buffer.from(text, 'utf8');

const TABLE: [string, Buffer, Outcome][] = [
  // Vault's shapes
  [
    'a KV v2 answer',
    u('{"request_id":"r","data":{"data":{"K":"v"},"metadata":{"version":3}},"warnings":null}\n'),
    ok({ request_id: 'r', data: { data: { K: 'v' }, metadata: { version: 3 } }, warnings: null }),
  ],
  [
    'every kind of value',
    u(' {"a" : [1, 2.5, -3, true, false, null, "x", {}, []]} '),
    ok({ a: [1, 2.5, -3, true, false, null, 'x', {}, []] }),
  ],
  ['nesting', u('[[[{"a":[{}]}]]]'), ok([[[{ a: [{}] }]]])],
  ['top-level scalars', u('"x"'), ok('x')],
  ['a top-level number ends with the body', u('42'), ok(42)],
  ['a top-level literal ends with the body', u('null'), ok(null)],
  ['empty strings', u('{"":""}'), ok({ '': '' })],
  // strings
  ['escaped quote', u('"a\\"b"'), ok('a"b')],
  ['escaped backslash before the closing quote', u('"x\\\\"'), ok('x\\')],
  ['three backslashes and a quote', u('"\\\\\\""'), ok('\\"')],
  ['every short escape', u('"\\/\\b\\f\\n\\r\\t"'), ok('/\b\f\n\r\t')],
  ['\\u escapes', u('"\\u00e9\\u20AC"'), ok('é€')],
  ['a surrogate pair', u('"\\ud83d\\ude00"'), ok('😀')],
  ['a lone surrogate, kept as JSON.parse keeps it', u('"\\ud800"'), ok('\ud800')],
  ['UTF-8 of 2, 3 and 4 bytes', u('{"é":"€😀"}'), ok({ é: '€😀' })],
  ['an invalid UTF-8 byte becomes U+FFFD', Buffer.from([0x22, 0xff, 0x22]), ok('\ufffd')],
  ['a truncated UTF-8 sequence becomes U+FFFD', Buffer.from([0x22, 0xe2, 0x82, 0x22]), ok('\ufffd')],
  ['DEL is allowed raw', u('"a\u007fb"'), ok('a\u007fb')],
  // numbers, as parseJson keeps them
  ['exact numbers are numbers', u('[0,42,0.5,-7,1e-7,1e+21]'), ok([0, 42, 0.5, -7, 1e-7, 1e21])],
  [
    'other numbers keep their text',
    u('{"n":12345678901234567890,"l":[1.10,2],"z":-0,"big":1e400,"e":1E5,"f":-12.5e+3}'),
    ok({
      n: new LosslessNumber('12345678901234567890'),
      l: [new LosslessNumber('1.10'), 2],
      z: new LosslessNumber('-0'),
      big: new LosslessNumber('1e400'),
      e: new LosslessNumber('1E5'),
      f: new LosslessNumber('-12.5e+3'),
    }),
  ],
  // keys
  ['the last of duplicate keys wins', u('{"a":1,"a":2}'), ok({ a: 2 })],
  [
    'equal duplicates beside a kept number',
    u('{"a":{"b":1.10},"a":{"b":1.10},"n":1.10}'),
    ok({ a: { b: new LosslessNumber('1.10') }, n: new LosslessNumber('1.10') }),
  ],
  [
    'differing duplicates beside a kept number: lossless-json refuses them',
    u('{"a":[1],"a":[2],"n":1.10}'),
    MALFORMED,
  ],
  // blank bodies
  ['empty', u(''), BLANK],
  ['JSON whitespace', u(' \n\t\r '), BLANK],
  ['a byte-order mark alone', u('\ufeff'), BLANK],
  ['a no-break space and U+2028', u(' \u00a0\u2028 '), BLANK],
  // malformed
  ['a byte-order mark before JSON', u('\ufeff{}'), MALFORMED],
  ['an HTML page', u('<html><body>502 Bad Gateway</body></html>'), MALFORMED],
  ['an invalid byte alone', Buffer.from([0xff]), MALFORMED],
  ['a cut UTF-8 sequence alone', Buffer.from([0x20, 0xc2]), MALFORMED],
  ['an unclosed object', u('{"a":1'), MALFORMED],
  ['an unclosed string', u('"abc'), MALFORMED],
  ['an escaped closing quote', u('"\\"'), MALFORMED],
  ['a missing value', u('{"a":}'), MALFORMED],
  ['a missing colon', u('{"a" 1}'), MALFORMED],
  ['a missing comma', u('{"a":1 "b":2}'), MALFORMED],
  ['a trailing comma in an object', u('{"a":1,}'), MALFORMED],
  ['a trailing comma in an array', u('[1,]'), MALFORMED],
  ['a bare comma', u('[,]'), MALFORMED],
  ['a number key', u('{1:2}'), MALFORMED],
  ['single quotes', u("{'a':1}"), MALFORMED],
  ['a wrong closing bracket', u('[1}'), MALFORMED],
  ['a leading zero', u('01'), MALFORMED],
  ['a bare dot', u('1.'), MALFORMED],
  ['no integer part', u('.5'), MALFORMED],
  ['a bare minus', u('[-]'), MALFORMED],
  ['a plus sign', u('+1'), MALFORMED],
  ['an empty exponent', u('1e+'), MALFORMED],
  ['two dots', u('[1.2.3]'), MALFORMED],
  ['NaN and Infinity', u('[NaN,Infinity]'), MALFORMED],
  ['a cut literal', u('tru'), MALFORMED],
  ['a capitalised literal', u('True'), MALFORMED],
  ['literals run together', u('truefalse'), MALFORMED],
  ['an unknown escape', u('"\\x"'), MALFORMED],
  ['a short \\u escape', u('"\\u12"'), MALFORMED],
  ['a \\u escape with a non-hex digit', u('"\\u12G4"'), MALFORMED],
  ['a raw newline in a string', u('"a\nb"'), MALFORMED],
  ['a raw NUL in a key', u('{"a\u0000":1}'), MALFORMED],
  ['text after the value', u('{"a":1}x'), MALFORMED],
  ['two values', u('{} {}'), MALFORMED],
  // Read 7 bytes at a time into one buffer, the escape sits past where the first part had none.
  ['an escape after a string without', u('["a",    "\\n"]'), ok(['a', '\n'])],
];

describe('JsonStreamParser: the same outcome as parsing the whole text, however the body is cut', () => {
  it.each(TABLE)('%s', (_name, bytes, expected) => {
    expect(wholeText(bytes)).toEqual(expected);
    for (const { how, outcome } of everyCut(bytes)) expect(outcome, how).toEqual(expected);
  });

  it.each(TABLE)(
    '%s, read into one reused buffer: nothing kept is a view of it',
    (_name, bytes, expected) => {
      for (let size = 1; size <= Math.min(bytes.length, 9); size++) {
        expect(reusedBuffer(bytes, size), `parts of ${size}`).toEqual(expected);
      }
    },
  );

  it('a large answer cut at uneven places: escapes, multi-byte characters and numbers on every edge', () => {
    const data: Record<string, string> = {};
    for (let k = 0; k < 300; k++) data[`KEY_${k}`] = 'v\\"\u00e9😀\n'.repeat(k % 7) + 'x'.repeat(k);
    const bytes = u(JSON.stringify({ data: { data, metadata: { version: 2, n: 1.5 } }, lease: 1.1e-7 }));
    const expected = wholeText(bytes);
    expect(expected.malformed).toBe(false);
    let x = 7;
    const next = () => (x = (x * 1103515245 + 12345) % 2147483648);
    for (let run = 0; run < 50; run++) {
      const cuts: number[] = [];
      for (let at = (next() % 97) + 1; at < bytes.length; at += (next() % 97) + 1) cuts.push(at);
      expect(streamed(bytes, cuts)).toEqual(expected);
    }
  });

  it('a __proto__ key is an own property and Object.prototype is left alone', () => {
    for (const { outcome } of everyCut(u('{"__proto__":{"polluted":"yes"}}'))) {
      const body = outcome.body as Record<string, unknown>;
      expect(Object.keys(body)).toEqual(['__proto__']);
      expect(Object.getPrototypeOf(body)).toBe(Object.prototype);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    }
  });

  it('a kept number converts to the text Vault stored', () => {
    for (const { outcome } of everyCut(u('{"port":1.10,"id":12345678901234567890}'))) {
      const body = outcome.body as Record<string, unknown>;
      expect(toEnvValue(body.port)).toBe('1.10');
      expect(toEnvValue(body.id)).toBe('12345678901234567890');
    }
  });

  it('an error names the byte offset, never the body', () => {
    const parser = new JsonStreamParser();
    parser.write(u('{"password":"CANARY-secret"'));
    expect(() => parser.write(u(' CANARY-2}'))).toThrow(new SyntaxError('invalid JSON at byte 28'));
    const cut = new JsonStreamParser();
    cut.write(u('{"password":"CANARY-secret'));
    expect(() => cut.end()).toThrow(new SyntaxError('unexpected end of JSON at byte 26'));
  });
});
