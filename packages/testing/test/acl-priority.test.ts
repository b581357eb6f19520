/**
 * Which rule governs a path, as vault/acl.go decides it: an exact rule first (AllowOperation, and
 * for a list the path without its trailing slash); otherwise among the matching globs the one that
 * CheckAllowedFromNonExactPaths' `less` ranks highest — later first `+`/`*`; then non-prefix over
 * `*`; then fewer `+` segments; then longer; then lexicographically greater. `+` is exactly one
 * segment; `*` is a glob only at the end. Capabilities on the same pattern merge across policies and
 * a deny there wins. Each row names the rule expected to win (or none); negative rows beside positive.
 */
import { describe, expect, it } from 'vitest';
import { Acl, parsePolicy, type Capability } from '../src/policy';

function aclOf(...patterns: [string, Capability[]][]): Acl {
  return new Acl([patterns.map(([path, capabilities]) => ({ path, capabilities }))]);
}

/** Each rule grants a distinct capability set tagged by the pattern, so we can see which one won. */
function winner(patterns: string[], path: string, list = false): string | undefined {
  const caps = ['create', 'read', 'update', 'patch', 'delete', 'list', 'sudo'] as Capability[];
  const acl = new Acl(patterns.map((p, i) => [{ path: p, capabilities: [caps[i % caps.length]!] }]));
  const got = [...acl.capabilities(path, list)];
  if (got.length === 0) return undefined;
  return patterns[caps.indexOf(got[0]!)];
}

describe('rule priority (vault/acl.go)', () => {
  const rows: [string, string[], string, string | undefined][] = [
    // [why, rules, request path, winner]
    ['exact beats any glob', ['secret/foo', 'secret/*', 'secret/+'], 'secret/foo', 'secret/foo'],
    ['exact does not match a longer path', ['secret/foo'], 'secret/foo/bar', undefined],
    ['exact does not match a shorter path', ['secret/foo/bar'], 'secret/foo', undefined],
    ['longest * prefix wins', ['secret/*', 'secret/foo/*'], 'secret/foo/bar', 'secret/foo/*'],
    [
      'a shorter * prefix still covers what the longer does not',
      ['secret/*', 'secret/foo/*'],
      'secret/fox',
      'secret/*',
    ],
    ['* is a prefix glob, not a segment glob', ['secret/fo*'], 'secret/foo/bar', 'secret/fo*'],
    ['* in the middle is literal', ['secret/*/bar'], 'secret/foo/bar', undefined],
    ['+ matches exactly one segment', ['secret/+/bar'], 'secret/foo/bar', 'secret/+/bar'],
    ['+ does not match two segments', ['secret/+/bar'], 'secret/a/b/bar', undefined],
    ['+ does not match zero segments', ['secret/+/bar'], 'secret/bar', undefined],
    ['+ matches an empty segment (acl.go splits on /)', ['secret/+/bar'], 'secret//bar', 'secret/+/bar'],
    ['a non-prefix + rule needs the same number of segments', ['secret/+'], 'secret/foo/bar', undefined],
    ['prefer foo/a* over foo/+ (later first wildcard)', ['foo/+', 'foo/a*'], 'foo/abc', 'foo/a*'],
    [
      'prefer foo/bar/+/baz over foo/+/bar/baz',
      ['foo/+/bar/baz', 'foo/bar/+/baz'],
      'foo/bar/bar/baz',
      'foo/bar/+/baz',
    ],
    ['prefer foo/+/bar over foo/+/ba* (non-prefix)', ['foo/+/ba*', 'foo/+/bar'], 'foo/x/bar', 'foo/+/bar'],
    ['prefer foo/+ over foo/* (non-prefix at the same position)', ['foo/*', 'foo/+'], 'foo/x', 'foo/+'],
    [
      'the first wildcard position decides before the + count',
      ['foo/+/+/baz', 'foo/bar/+/baz'],
      'foo/bar/x/baz',
      'foo/bar/+/baz',
    ],
    [
      'fewer + segments win at the same first position',
      ['foo/+/+/baz*', 'foo/+/bar/baz*'],
      'foo/x/bar/bazz',
      'foo/+/bar/baz*',
    ],
    [
      'longer wins when all else ties (foo/+/bar/ba* over foo/+/bar/b*)',
      ['foo/+/bar/b*', 'foo/+/bar/ba*'],
      'foo/x/bar/bax',
      'foo/+/bar/ba*',
    ],
    ['no rule matches a sibling mount', ['secret/*'], 'secretx/foo', undefined],
  ];

  it.each(rows)('%s', (_why, rules, path, expected) => {
    expect(winner(rules, path)).toBe(expected);
  });

  // Priority is a ranking, not the order the rules were written in (acl.go sorts the matches).
  it.each(rows.filter(([, rules]) => rules.length > 1))(
    '%s, with the rules written the other way round',
    (_why, rules, path, expected) => {
      expect(winner([...rules].reverse(), path)).toBe(expected);
    },
  );

  it('a list of path/ is governed by an exact rule on path (AllowOperation, ListOperation)', () => {
    expect(winner(['secret/foo'], 'secret/foo/', true)).toBe('secret/foo');
    expect(winner(['secret/foo'], 'secret/foo/', false)).toBeUndefined();
  });

  it('capabilities on the same pattern merge across policies; deny on it wins; deny elsewhere does not', () => {
    const merged = new Acl([
      [{ path: 'kv/*', capabilities: ['read'] }],
      [{ path: 'kv/*', capabilities: ['list'] }],
    ]);
    expect([...merged.capabilities('kv/a', false)].sort()).toEqual(['list', 'read']);
    const denied = new Acl([
      [{ path: 'kv/*', capabilities: ['read'] }],
      [{ path: 'kv/*', capabilities: ['deny'] }],
    ]);
    expect(denied.capabilities('kv/a', false).size).toBe(0);
    // A deny on a lower-priority rule does not reach a path a higher-priority rule governs.
    const lower = aclOf(['kv/*', ['deny']], ['kv/app/*', ['read']]);
    expect(lower.allows('kv/app/x', 'read')).toBe(true);
    expect(lower.allows('kv/other', 'read')).toBe(false);
  });
});

describe('parameter and wrapping constraints (vault/acl.go AllowOperation)', () => {
  const acl = (hcl: string) => new Acl([parsePolicy(hcl)]);

  it('required_parameters: every one must be present', () => {
    const a = acl('path "p" { capabilities = ["update"]\n required_parameters = ["a", "b"] }');
    expect(a.allowsRequest('p', 'update', { a: 1, b: 2 }, 0)).toBe(true);
    expect(a.allowsRequest('p', 'update', { a: 1 }, 0)).toBe(false);
  });

  it('denied_parameters: a listed value or any value for an empty list; "*" denies all', () => {
    const a = acl(
      'path "p" { capabilities = ["update"]\n denied_parameters = { "x" = ["bad", "wor*"], "y" = [] } }',
    );
    expect(a.allowsRequest('p', 'update', { x: 'good' }, 0)).toBe(true);
    expect(a.allowsRequest('p', 'update', { x: 'bad' }, 0)).toBe(false);
    expect(a.allowsRequest('p', 'update', { x: 'worse' }, 0)).toBe(false);
    expect(a.allowsRequest('p', 'update', { y: 'anything' }, 0)).toBe(false);
    const all = acl('path "p" { capabilities = ["update"]\n denied_parameters = { "*" = [] } }');
    expect(all.allowsRequest('p', 'update', { z: 1 }, 0)).toBe(false);
    expect(all.allowsRequest('p', 'update', {}, 0)).toBe(true);
  });

  it('allowed_parameters: only listed keys (and values); "*" admits other keys', () => {
    const a = acl(
      'path "p" { capabilities = ["update"]\n allowed_parameters = { "x" = ["a", "b"], "y" = [] } }',
    );
    expect(a.allowsRequest('p', 'update', { x: 'a', y: 'any' }, 0)).toBe(true);
    expect(a.allowsRequest('p', 'update', { x: 'c' }, 0)).toBe(false);
    expect(a.allowsRequest('p', 'update', { z: 1 }, 0)).toBe(false);
    const star = acl(
      'path "p" { capabilities = ["update"]\n allowed_parameters = { "*" = [], "x" = ["a"] } }',
    );
    expect(star.allowsRequest('p', 'update', { z: 1, x: 'a' }, 0)).toBe(true);
    expect(star.allowsRequest('p', 'update', { x: 'b' }, 0)).toBe(false);
  });

  it('min/max_wrapping_ttl: the request must be wrapped within the bounds', () => {
    const a = acl('path "p" { capabilities = ["read"]\n min_wrapping_ttl = "1m"\n max_wrapping_ttl = 300 }');
    expect(a.allowsRequest('p', 'read', {}, 0)).toBe(false);
    expect(a.allowsRequest('p', 'read', {}, 30)).toBe(false);
    expect(a.allowsRequest('p', 'read', {}, 120)).toBe(true);
    expect(a.allowsRequest('p', 'read', {}, 600)).toBe(false);
  });
});
