/**
 * A small HCL 1 reader for Vault policies: `key = value`, `key "label" { … }` blocks, strings with
 * escapes, numbers, booleans, lists, `{ k = v }` objects, `#`, `//` and `/* … *\/` comments, heredocs.
 * JSON policies are HCL too (a JSON text is read with JSON.parse). Errors name the line.
 */

export type HclValue = string | number | boolean | HclValue[] | HclObject;
/** A body: each key maps to the values it was given, in order (blocks can repeat). */
export interface HclObject {
  [key: string]: HclValue[] | undefined;
}

type Token =
  | { kind: 'string' | 'ident' | 'number'; value: string; line: number }
  | { kind: 'punct'; value: string; line: number }
  | { kind: 'eof'; value: ''; line: number };

export class HclError extends Error {}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\n') {
      line++;
      i++;
    } else if (/\s/.test(c)) i++;
    else if (c === '#' || (c === '/' && text[i + 1] === '/')) {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end === -1) throw new HclError(`At ${line}: comment not terminated`);
      line += text.slice(i, end).split('\n').length - 1;
      i = end + 2;
    } else if (c === '"') {
      let j = i + 1;
      let value = '';
      while (j < text.length && text[j] !== '"') {
        if (text[j] === '\n') throw new HclError(`At ${line}: literal not terminated`);
        if (text[j] === '\\') {
          const e = text[j + 1];
          value += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : (e ?? '');
          j += 2;
        } else value += text[j++];
      }
      if (j >= text.length) throw new HclError(`At ${line}: literal not terminated`);
      tokens.push({ kind: 'string', value, line });
      i = j + 1;
    } else if (c === '<' && text[i + 1] === '<') {
      const m = /^<<-?([A-Za-z_][A-Za-z0-9_]*)\r?\n/.exec(text.slice(i));
      if (!m) throw new HclError(`At ${line}: invalid heredoc`);
      const start = i + m[0].length;
      const end = new RegExp(`^[ \\t]*${m[1]}[ \\t]*\\r?$`, 'm');
      const rest = text.slice(start);
      const found = end.exec(rest);
      if (!found) throw new HclError(`At ${line}: heredoc not terminated`);
      const raw = rest.slice(0, found.index);
      const value = m[0].startsWith('<<-') ? unindent(raw, /^[ \t]*/.exec(found[0])![0]) : raw;
      tokens.push({ kind: 'string', value, line });
      line += value.split('\n').length;
      i = start + found.index + found[0].length;
    } else if ('={}[],'.includes(c)) {
      tokens.push({ kind: 'punct', value: c, line });
      i++;
    } else {
      const m = /^[A-Za-z0-9_.\-:]+/.exec(text.slice(i));
      if (!m) throw new HclError(`At ${line}: illegal char ${JSON.stringify(c)}`);
      tokens.push({ kind: /^-?\d/.test(m[0]) ? 'number' : 'ident', value: m[0], line });
      i += m[0].length;
    }
  }
  tokens.push({ kind: 'eof', value: '', line });
  return tokens;
}

/**
 * hcl/token/token.go unindentHeredoc: a `<<-` heredoc loses the closing marker's indentation from
 * every line, when every line has it; otherwise it is kept as written.
 */
function unindent(value: string, indent: string): string {
  const lines = value.split('\n').slice(0, -1);
  if (!lines.every((l) => l.startsWith(indent))) return value;
  return lines.map((l) => `${l.slice(indent.length)}\n`).join('');
}

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.pos]!;
  }
  private next(): Token {
    return this.tokens[this.pos++]!;
  }
  private fail(t: Token, what: string): never {
    throw new HclError(
      `At ${t.line}: expected ${what}, got ${t.kind === 'eof' ? 'end of input' : JSON.stringify(t.value)}`,
    );
  }

  /** Body until `}` (nested) or end of input (top level). */
  body(nested: boolean): HclObject {
    const out: HclObject = {};
    for (;;) {
      const t = this.peek();
      if (t.kind === 'eof') {
        if (nested) this.fail(t, '"}"');
        return out;
      }
      if (t.kind === 'punct' && t.value === '}') {
        if (!nested) this.fail(t, 'a key');
        this.next();
        return out;
      }
      if (t.kind === 'punct' && t.value === ',') {
        this.next();
        continue;
      }
      if (t.kind !== 'ident' && t.kind !== 'string') this.fail(t, 'a key');
      const key = this.next().value;
      const labels: string[] = [];
      while (this.peek().kind === 'string' || this.peek().kind === 'ident') labels.push(this.next().value);
      const after = this.peek();
      let value: HclValue;
      if (after.kind === 'punct' && after.value === '=') {
        if (labels.length) this.fail(after, '"{"');
        this.next();
        value = this.value();
      } else if (after.kind === 'punct' && after.value === '{') {
        this.next();
        value = this.body(true);
        for (const label of labels.reverse()) value = { [label]: [value] };
      } else this.fail(after, '"=" or "{"');
      (out[key] ??= []).push(value);
    }
  }

  value(): HclValue {
    const t = this.next();
    if (t.kind === 'string') return t.value;
    if (t.kind === 'number') {
      const n = Number(t.value);
      if (!Number.isFinite(n)) this.fail(t, 'a number');
      return n;
    }
    if (t.kind === 'ident') {
      if (t.value === 'true') return true;
      if (t.value === 'false') return false;
      this.fail(t, 'a value');
    }
    if (t.kind === 'punct' && t.value === '[') {
      const items: HclValue[] = [];
      for (;;) {
        const p = this.peek();
        if (p.kind === 'punct' && p.value === ']') {
          this.next();
          return items;
        }
        items.push(this.value());
        const sep = this.peek();
        if (sep.kind === 'punct' && sep.value === ',') this.next();
        else if (!(sep.kind === 'punct' && sep.value === ']')) this.fail(sep, '"," or "]"');
      }
    }
    if (t.kind === 'punct' && t.value === '{') return this.body(true);
    return this.fail(t, 'a value');
  }
}

/** JSON objects as HCL bodies: every value wrapped in a one-element list, as HCL decodes them. */
function fromJson(value: unknown): HclValue {
  if (Array.isArray(value)) return value.map(fromJson);
  if (value && typeof value === 'object') {
    const out: HclObject = {};
    for (const [k, v] of Object.entries(value)) out[k] = [fromJson(v)];
    return out;
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  throw new HclError('unsupported JSON value');
}

export function parseHcl(text: string): HclObject {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch (err) {
      throw new HclError((err as Error).message);
    }
    return fromJson(json) as HclObject;
  }
  return new Parser(tokenize(text)).body(false);
}
