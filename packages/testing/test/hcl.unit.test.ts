/**
 * The HCL 1 reader behind the policy parser: what it reads into which values, and the line each
 * error names. Policies are HCL 1 (hashicorp/vault vault/policy.go parses them with hcl.Parse);
 * a JSON text is read as JSON.
 */
import { describe, expect, it } from 'vitest';
import { HclError, parseHcl } from '../src/hcl';

describe('values', () => {
  it('reads strings, numbers, booleans, lists and objects; each key keeps every value in order', () => {
    expect(
      parseHcl(`
        s = "text"
        n = 42
        neg = -1.5
        t = true
        f = false
        l = ["a", 1, [true]]
        o = { k = "v", "quoted key" = 2 }
        s = "again"
      `),
    ).toEqual({
      s: ['text', 'again'],
      n: [42],
      neg: [-1.5],
      t: [true],
      f: [false],
      l: [['a', 1, [true]]],
      o: [{ k: ['v'], 'quoted key': [2] }],
    });
  });

  it('lists: empty, a trailing comma; objects without commas', () => {
    expect(parseHcl('a = []\nb = ["x",]\nc = { x = 1 y = 2 }')).toEqual({
      a: [[]],
      b: [['x']],
      c: [{ x: [1], y: [2] }],
    });
  });

  it('string escapes: \\n, \\t, \\r, an escaped quote and backslash; others keep the character', () => {
    expect(parseHcl(String.raw`s = "a\nb\tc\rd\"e\\f\qg"`)).toEqual({ s: ['a\nb\tc\rd"e\\fqg'] });
  });

  it('quoted text that looks like punctuation is text', () => {
    expect(parseHcl('"}" = 1\n"," = 2\na = ["]", ","]')).toEqual({ '}': [1], ',': [2], a: [[']', ',']] });
  });

  it('identifiers may hold dots, dashes, colons and digits', () => {
    expect(parseHcl('a.b-c:d_1 = 1')).toEqual({ 'a.b-c:d_1': [1] });
  });

  it('blocks with labels nest one object per label; repeated blocks add up', () => {
    expect(parseHcl('path "a" { x = 1 }\npath "b" { x = 2 }\nouter "l1" l2 { y = 3 }')).toEqual({
      path: [{ a: [{ x: [1] }] }, { b: [{ x: [2] }] }],
      outer: [{ l1: [{ l2: [{ y: [3] }] }] }],
    });
    expect(parseHcl('block { }')).toEqual({ block: [{}] });
  });

  it('heredocs keep their lines up to the closing marker', () => {
    expect(parseHcl('h = <<EOT\nline 1\n  line 2\nEOT\nafter = 1')).toEqual({
      h: ['line 1\n  line 2\n'],
      after: [1],
    });
    expect(parseHcl('h = <<EOT\n\nEOT')).toEqual({ h: ['\n'] });
    expect(parseHcl('h = <<EOT\nEOT')).toEqual({ h: [''] });
    // A text that merely starts with the marker does not close it.
    expect(parseHcl('h = <<EOT\nEOTX\nEOT')).toEqual({ h: ['EOTX\n'] });
  });

  it('<<- drops the closing marker’s indentation when every line has it', () => {
    // vault: policy-hcl-heredoc
    expect(parseHcl('h = <<-EOT\n    x\n      y\n    EOT\n')).toEqual({ h: ['x\n  y\n'] });
    expect(parseHcl('h = <<-EOT\n  x\n z\n  EOT\n')).toEqual({ h: ['  x\n z\n'] });
    expect(parseHcl('h = <<-EOT\n  x\nEOT\n')).toEqual({ h: ['  x\n'] });
    expect(parseHcl('h = <<-EOT\n\tx\n\tEOT\n')).toEqual({ h: ['x\n'] });
    expect(parseHcl('h = <<-EOT\ntx\n  EOT\n')).toEqual({ h: ['tx\n'] });
    expect(parseHcl('h = <<-EOT\n  EOT\n')).toEqual({ h: [''] });
    // Plain << keeps the lines as written, whatever the marker's indentation.
    expect(parseHcl('h = <<EOT\n  x\n  EOT\n')).toEqual({ h: ['  x\n'] });
    expect(parseHcl('h = <<EOT\r\nx\nEOT')).toEqual({ h: ['x\n'] });
  });

  it('comments: #, // and /* */, inside and between blocks', () => {
    expect(parseHcl('# one\na = 1 // two\n/* three\n four */ b = 2\n')).toEqual({ a: [1], b: [2] });
    expect(parseHcl('')).toEqual({});
    expect(parseHcl('a = 1 # no newline after')).toEqual({ a: [1] });
    expect(parseHcl('a = 1,\n, b = 2')).toEqual({ a: [1], b: [2] });
  });
});

describe('errors name the line', () => {
  it.each([
    ['an unterminated string at the end', 'a = 1\nb = "x', 'At 2: literal not terminated'],
    ['a newline inside a string', 'a = "x\ny"', 'At 1: literal not terminated'],
    ['an unterminated block comment', 'a = 1\n/* x', 'At 2: comment not terminated'],
    ['a bad heredoc opener', 'a = <<\nx', 'At 1: invalid heredoc'],
    ['a heredoc without its marker', 'a = <<EOT\nx\n', 'At 1: heredoc not terminated'],
    ['an illegal character', 'a = 1\nb = @', 'At 2: illegal char "@"'],
    ['a lone slash', 'a = /', 'At 1: illegal char "/"'],
    ['an illegal character before a word', 'a = @b', 'At 1: illegal char "@"'],
    ['a < after a word', 'a = b<', 'At 1: illegal char "<"'],
    [
      'a comment opener that is not closed by its own star',
      'a = 1 /*/ b = 2',
      'At 1: comment not terminated',
    ],
    ['a heredoc opener with a space', 'a = << <<EOT\nx\nEOT', 'At 1: invalid heredoc'],
    ['a quoted "," where a list separator goes', 'a = ["a" ","]', 'At 1: expected "," or "]", got ","'],
    ['a quoted "]" where a list separator goes', 'a = ["a" "]"]', 'At 1: expected "," or "]", got "]"'],
    ['a lone <', 'a = <', 'At 1: illegal char "<"'],
    ['a number as a key', '5 = 1', 'At 1: expected a key, got "5"'],
    ['a block left open', 'p {\n a = 1\n', 'At 3: expected "}", got end of input'],
    ['a } at the top', 'a = 1\n}', 'At 2: expected a key, got "}"'],
    ['a value where a key goes', '= 1', 'At 1: expected a key, got "="'],
    ['a key without = or {', 'a\nb', 'At 2: expected "=" or "{", got end of input'],
    ['a labelled key with =', 'a "l" = 1', 'At 1: expected "{", got "="'],
    ['a bare word as a value', 'a = yes', 'At 1: expected a value, got "yes"'],
    ['a missing value', 'a = ', 'At 1: expected a value, got end of input'],
    ['a list without separators', 'a = [1 2]', 'At 1: expected "," or "]", got "2"'],
    ['a list closed by }', 'a = [1 }', 'At 1: expected "," or "]", got "}"'],
    ['a key followed by }', 'p { a }', 'At 1: expected "=" or "{", got "}"'],
    ['a list left open', 'a = [1,', 'At 1: expected a value, got end of input'],
    ['a number that is not one', 'a = 1.2.3', 'At 1: expected a number, got "1.2.3"'],
    ['a } as a value', 'a = }', 'At 1: expected a value, got "}"'],
  ])('%s', (_why, text, message) => {
    expect(() => parseHcl(text)).toThrow(HclError);
    expect(() => parseHcl(text)).toThrow(message);
  });

  it('counts lines through comments and heredocs', () => {
    expect(() => parseHcl('/* 1\n2\n3 */ a = @')).toThrow('At 3: illegal char "@"');
    expect(() => parseHcl('a = 1\n/* one line */\nb = @')).toThrow('At 3: illegal char "@"');
    expect(() => parseHcl('# 1\n// 2\na = @')).toThrow('At 3: illegal char "@"');
    expect(() => parseHcl('h = <<EOT\n2\n3\nEOT\nb = @')).toThrow('At 5: illegal char "@"');
    expect(() => parseHcl('a = 1\r\n\tb = @')).toThrow('At 2: illegal char "@"');
  });
});

describe('JSON', () => {
  it('a text starting with { is JSON: every value wrapped as HCL decodes it', () => {
    expect(parseHcl('  {"path": {"p": {"capabilities": ["read"], "n": 1, "b": false}}}  ')).toEqual({
      path: [{ p: [{ capabilities: [['read']], n: [1], b: [false] }] }],
    });
  });

  it('bad JSON and null values are HclErrors', () => {
    expect(() => parseHcl('{"a": ')).toThrow(HclError);
    expect(() => parseHcl('{"a": ')).toThrow(/Unexpected end of JSON input/);
    expect(() => parseHcl('{"a": null}')).toThrow('unsupported JSON value');
    expect(() => parseHcl('{"a": [null]}')).toThrow('unsupported JSON value');
  });
});
