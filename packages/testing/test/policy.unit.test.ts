/**
 * The dev server's policy parser and ACL at the edges Vault's source decides: the old `policy`
 * shorthand, capability names, where a deny stops a block, which paths are segment-wildcard rules,
 * the list-without-slash lookup, how two policies on one path merge their wrapping TTLs, and how
 * parameter values (lists, comma-separated strings, globs) are matched. Every row that allows has a
 * row beside it that refuses.
 */
import { describe, expect, it } from 'vitest';
import { Acl, DEFAULT_POLICY, parsePolicy, type Capability, type PolicyRule } from '../src/policy';

const acl = (...policies: string[]) => new Acl(policies.map(parsePolicy));
const caps = (a: Acl, path: string, list = false) => [...a.capabilities(path, list)].sort();

describe('parsePolicy: capabilities', () => {
  // vault: policy-shorthand
  it.each([
    ['deny', ['deny']],
    ['read', ['list', 'read']],
    ['write', ['create', 'delete', 'list', 'read', 'update']],
    ['sudo', ['create', 'delete', 'list', 'read', 'sudo', 'update']],
  ])('policy = "%s" grants %j (never patch)', (shorthand, expected) => {
    const [rule] = parsePolicy(`path "p" { policy = "${shorthand}" }`);
    expect([...rule!.capabilities].sort()).toEqual(expected);
  });

  it('the shorthand adds to a capabilities list; "deny" replaces it; an empty one is ignored', () => {
    // vault: policy-shorthand
    expect(parsePolicy('path "p" { policy = "read"\n capabilities = ["patch"] }')[0]!.capabilities).toEqual([
      'patch',
      'read',
      'list',
    ]);
    expect(parsePolicy('path "p" { policy = "deny"\n capabilities = ["read"] }')[0]!.capabilities).toEqual([
      'deny',
    ]);
    expect(parsePolicy('path "p" { policy = ""\n capabilities = ["read"] }')[0]!.capabilities).toEqual([
      'read',
    ]);
    expect(() => parsePolicy('path "p" { policy = "Write" }')).toThrow('path "p": invalid policy "Write"');
    // The deny shorthand replaces the list, so a bad name in it is never looked at.
    expect(parsePolicy('path "p" { policy = "deny"\n capabilities = ["fly"] }')[0]!.capabilities).toEqual([
      'deny',
    ]);
  });

  it('capability names are case-sensitive; repeats are kept once', () => {
    // vault: policy-capabilities
    expect(() => parsePolicy('path "p" { capabilities = ["READ"] }')).toThrow(
      'path "p": invalid capability "READ"',
    );
    expect(parsePolicy('path "p" { capabilities = ["read", "read", "patch"] }')[0]!.capabilities).toEqual([
      'read',
      'patch',
    ]);
    expect(parsePolicy('path "p" { capabilities = [] }')[0]!.capabilities).toEqual([]);
  });

  it('a deny ends the block: later capabilities and the constraints are not read', () => {
    // vault: policy-capabilities
    expect(
      parsePolicy(
        'path "p" { capabilities = ["deny", "fly"]\n allowed_parameters = { "a" = [] }\n min_wrapping_ttl = "x" }',
      ),
    ).toEqual([{ path: 'p', capabilities: ['deny'] }]);
    // Before the deny a bad name is still an error.
    expect(() => parsePolicy('path "p" { capabilities = ["fly", "deny"] }')).toThrow(
      'path "p": invalid capability "fly"',
    );
    expect(() => parsePolicy('path "p" { capabilities = ["read"]\n min_wrapping_ttl = "x" }')).toThrow(
      'error parsing min_wrapping_ttl',
    );
  });
});

describe('parsePolicy: paths and constraints', () => {
  it('+* is refused, naming the path without its leading /', () => {
    // vault: policy-wildcards
    expect(() => parsePolicy('path "/kv/+*" { capabilities = ["read"] }')).toThrow(
      `path "kv/+*": invalid use of wildcards ('+*' is forbidden)`,
    );
    expect(parsePolicy('path "kv/+/*" { capabilities = ["read"] }')[0]!.path).toBe('kv/+/*');
  });

  it('a policy with only a name, or nothing, has no rules', () => {
    expect(parsePolicy('name = "x"')).toEqual([]);
    expect(parsePolicy('')).toEqual([]);
  });

  it('keeps every constraint; parameter names lowercased, required ones as written', () => {
    const [rule] = parsePolicy(`path "p" {
      capabilities = ["update"]
      allowed_parameters = { "Name" = ["a"], "single" = "b", "any" = [] }
      denied_parameters = { "X" = [] }
      required_parameters = ["Name"]
      min_wrapping_ttl = 30
      max_wrapping_ttl = "2m"
    }`);
    expect(rule).toEqual({
      path: 'p',
      capabilities: ['update'],
      allowedParameters: { name: ['a'], single: ['b'], any: [] },
      deniedParameters: { x: [] },
      requiredParameters: ['Name'],
      minWrappingTtl: 30,
      maxWrappingTtl: 120,
    } satisfies PolicyRule);
    // Without them, none of the keys is present.
    expect(parsePolicy('path "p" { capabilities = ["read"] }')).toEqual([
      { path: 'p', capabilities: ['read'] },
    ]);
  });

  it.each([
    [
      'capabilities not a list',
      'path "p" { capabilities = "read" }',
      'path "p": capabilities: expected a list',
    ],
    [
      'allowed_parameters not a map',
      'path "p" { capabilities = ["read"]\n allowed_parameters = ["a"] }',
      'path "p": allowed_parameters: expected a map',
    ],
    [
      'denied_parameters not a map',
      'path "p" { capabilities = ["read"]\n denied_parameters = "a" }',
      'path "p": denied_parameters: expected a map',
    ],
    [
      'required_parameters not a list',
      'path "p" { capabilities = ["read"]\n required_parameters = "a" }',
      'path "p": required_parameters: expected a list',
    ],
    [
      'a bad max_wrapping_ttl',
      'path "p" { capabilities = ["read"]\n max_wrapping_ttl = "soon" }',
      'error parsing max_wrapping_ttl: "soon"',
    ],
    ['a path that is not a block', 'path = "p"', 'path: expected a block'],
    ['a path body that is not a block', '{"path": {"p": "read"}}', 'path "p": expected a block'],
  ])('refuses %s', (_why, text, message) => {
    expect(() => parsePolicy(text)).toThrow(message);
  });

  it('min without max and max without min are each kept; equal bounds are fine', () => {
    expect(parsePolicy('path "p" { capabilities = ["read"]\n min_wrapping_ttl = 5 }')[0]).toEqual({
      path: 'p',
      capabilities: ['read'],
      minWrappingTtl: 5,
    });
    expect(parsePolicy('path "p" { capabilities = ["read"]\n max_wrapping_ttl = 5 }')[0]).toEqual({
      path: 'p',
      capabilities: ['read'],
      maxWrappingTtl: 5,
    });
    expect(
      parsePolicy('path "p" { capabilities = ["read"]\n min_wrapping_ttl = 5\n max_wrapping_ttl = 5 }')[0],
    ).toMatchObject({ minWrappingTtl: 5, maxWrappingTtl: 5 });
  });

  it('the built-in default policy lets a token look up, renew and revoke itself, nothing else', () => {
    const a = acl(DEFAULT_POLICY);
    expect(a.allows('auth/token/lookup-self', 'read')).toBe(true);
    expect(a.allows('auth/token/renew-self', 'update')).toBe(true);
    expect(a.allows('auth/token/revoke-self', 'update')).toBe(true);
    expect(a.allows('cubbyhole/x', 'create')).toBe(true);
    expect(a.allows('auth/token/create', 'update')).toBe(false);
    expect(a.allows('secret/x', 'read')).toBe(false);
  });
});

describe('Acl: which rules are globs', () => {
  it('+ is a wildcard only as a whole segment; inside a segment it is literal', () => {
    // vault: policy-wildcards
    const a = acl('path "kv/a+b" { capabilities = ["read"] }', 'path "kv/+x/y" { capabilities = ["list"] }');
    expect(caps(a, 'kv/a+b')).toEqual(['read']);
    expect(caps(a, 'kv/aZb')).toEqual([]);
    expect(caps(a, 'kv/+x/y')).toEqual(['list']);
    expect(caps(a, 'kv/zx/y')).toEqual([]);
  });

  it('+ alone and a leading +/ are segment wildcards', () => {
    // vault: policy-wildcards
    const a = acl('path "+" { capabilities = ["read"] }', 'path "+/cfg" { capabilities = ["list"] }');
    expect(caps(a, 'kv')).toEqual(['read']);
    expect(caps(a, 'kv/x')).toEqual([]);
    expect(caps(a, 'kv/cfg')).toEqual(['list']);
    expect(caps(a, 'kv/cfgx')).toEqual([]);
  });

  it('when all else ties the lexicographically greater pattern wins, in either order', () => {
    // vault: acl-priority
    const rules = [
      'path "a/+/+/x" { capabilities = ["read"] }',
      'path "a/+/x/+" { capabilities = ["list"] }',
    ];
    expect(caps(acl(...rules), 'a/q/x/x')).toEqual(['list']);
    expect(caps(acl(...[...rules].reverse()), 'a/q/x/x')).toEqual(['list']);
  });

  it('fewer + segments win over a longer pattern', () => {
    // vault: acl-priority
    const rules = [
      'path "f/+/+/bazzzz*" { capabilities = ["read"] }',
      'path "f/+/bar/b*" { capabilities = ["list"] }',
    ];
    expect(caps(acl(...rules), 'f/x/bar/bazzzzq')).toEqual(['list']);
    expect(caps(acl(...[...rules].reverse()), 'f/x/bar/bazzzzq')).toEqual(['list']);
  });

  it('only whole + segments count as wildcards when ranking; a + inside a segment does not', () => {
    // vault: acl-priority
    const rules = [
      'path "q/+/x+y+z/w" { capabilities = ["read"] }',
      'path "q/+/+/w" { capabilities = ["list"] }',
    ];
    expect(caps(acl(...rules), 'q/1/x+y+z/w')).toEqual(['read']);
    expect(caps(acl(...[...rules].reverse()), 'q/1/x+y+z/w')).toEqual(['read']);
  });

  it('a prefix glob matches a path holding a newline, as Vault compares bytes', () => {
    const a = acl('path "kv/*" { capabilities = ["read"] }', 'path "kv/+/x" { capabilities = ["list"] }');
    expect(caps(a, 'kv/a\nb')).toEqual(['read']);
    expect(caps(a, 'kv/a\nb/x')).toEqual(['list']);
  });

  it('a longer pattern wins over a lexicographically greater one when the rest ties', () => {
    // vault: acl-priority
    const rules = [
      'path "a/+/+/yyyy" { capabilities = ["read"] }',
      'path "a/+/x/+" { capabilities = ["list"] }',
    ];
    expect(caps(acl(...rules), 'a/1/x/yyyy')).toEqual(['read']);
    expect(caps(acl(...[...rules].reverse()), 'a/1/x/yyyy')).toEqual(['read']);
  });

  it('a * inside the path is literal and the rule is exact: it beats a glob matching the same path', () => {
    // vault: acl-priority
    const a = acl('path "kv/*/x" { capabilities = ["read"] }', 'path "kv/+/x" { capabilities = ["list"] }');
    expect(caps(a, 'kv/*/x')).toEqual(['read']);
    expect(caps(a, 'kv/y/x')).toEqual(['list']);
  });

  it('a plain prefix ranks by its length even when a later segment holds a literal +', () => {
    // vault: acl-priority
    const a = acl('path "kv/a+b/*" { capabilities = ["read"] }', 'path "kv/+/c" { capabilities = ["list"] }');
    // kv/a+b/* (first wildcard at 7) outranks kv/+/c (first + at 3).
    expect(caps(a, 'kv/a+b/c')).toEqual(['read']);
    expect(caps(a, 'kv/zz/c')).toEqual(['list']);
  });

  it('regular-expression characters in a path are literal', () => {
    const a = acl(
      'path "kv/a.b/*" { capabilities = ["read"] }',
      'path "kv/(x)?" { capabilities = ["list"] }',
    );
    expect(caps(a, 'kv/a.b/c')).toEqual(['read']);
    expect(caps(a, 'kv/aXb/c')).toEqual([]);
    expect(caps(a, 'kv/(x)?')).toEqual(['list']);
    expect(caps(a, 'kv/x')).toEqual([]);
  });
});

describe('Acl: a list of foo/ (AllowOperation, ListOperation)', () => {
  it('asks the globs about foo before foo/', () => {
    // vault: acl-list-trailing-slash
    const a = acl(
      'path "kv/app*" { capabilities = ["list"] }',
      'path "kv/app/*" { capabilities = ["deny"] }',
    );
    expect(a.allows('kv/app/', 'list')).toBe(true);
    // Not for a read, and not for a path without the trailing slash.
    expect(a.allows('kv/app/', 'read')).toBe(false);
    expect(caps(a, 'kv/app/')).toEqual([]);
    expect(caps(a, 'kv/app/x', true)).toEqual([]);
  });

  it('only a path ending in / is looked up without it, and only for a list', () => {
    // vault: acl-list-trailing-slash
    const a = acl('path "kv/ap" { capabilities = ["list", "read"] }');
    expect(caps(a, 'kv/app', true)).toEqual([]);
    expect(caps(a, 'kv/ap/', true)).toEqual(['list', 'read']);
    expect(a.allowsRequest('kv/ap/', 'list', {}, 0)).toBe(true);
    expect(a.allowsRequest('kv/ap/', 'read', {}, 0)).toBe(false);
    expect(a.allowsRequest('kv/ap', 'read', {}, 0)).toBe(true);
    expect(a.allows('kv/ap/', 'read')).toBe(false);
    expect(a.allows('kv/ap/', 'list')).toBe(true);
  });

  it('falls back to foo/ when no glob matches foo', () => {
    // vault: acl-list-trailing-slash
    const a = acl('path "kv/app/*" { capabilities = ["list"] }');
    expect(a.allows('kv/app/', 'list')).toBe(true);
    expect(a.allows('kv/ap/', 'list')).toBe(false);
  });

  it('an exact rule on foo/ itself comes first, a glob rule on foo does not count as exact', () => {
    // vault: acl-list-trailing-slash
    const a = acl('path "kv/app/" { capabilities = ["read"] }', 'path "kv/app" { capabilities = ["list"] }');
    expect(caps(a, 'kv/app/', true)).toEqual(['read']);
    const b = acl('path "kv/+" { capabilities = ["list"] }', 'path "kv/+/" { capabilities = ["read"] }');
    expect(caps(b, 'kv/app/', true)).toEqual(['list']);
    expect(caps(b, 'kv/app/')).toEqual(['read']);
  });
});

describe('Acl: two policies on one path', () => {
  it('keep the lesser max and the lesser min wrapping TTL', () => {
    // vault: acl-merge
    const a = acl(
      'path "p" { capabilities = ["read"]\n max_wrapping_ttl = 300 }',
      'path "p" { capabilities = ["read"]\n max_wrapping_ttl = 60 }',
    );
    expect(a.allowsRequest('p', 'read', {}, 60)).toBe(true);
    expect(a.allowsRequest('p', 'read', {}, 61)).toBe(false);
    const reversed = acl(
      'path "p" { capabilities = ["read"]\n max_wrapping_ttl = 60 }',
      'path "p" { capabilities = ["read"]\n max_wrapping_ttl = 300 }',
    );
    expect(reversed.allowsRequest('p', 'read', {}, 61)).toBe(false);
    const mins = acl(
      'path "p" { capabilities = ["read"]\n min_wrapping_ttl = 60 }',
      'path "p" { capabilities = ["read"]\n min_wrapping_ttl = 30 }',
      'path "p" { capabilities = ["read"]\n min_wrapping_ttl = 45 }',
    );
    expect(mins.allowsRequest('p', 'read', {}, 30)).toBe(true);
    expect(mins.allowsRequest('p', 'read', {}, 29)).toBe(false);
    expect(mins.allowsRequest('p', 'read', {}, 0)).toBe(false);
    expect(mins.allowsRequest('p', 'read', {}, 3600)).toBe(true);
    // A policy without bounds does not lift the other's.
    const one = acl(
      'path "p" { capabilities = ["read"] }',
      'path "p" { capabilities = ["read"]\n min_wrapping_ttl = 30\n max_wrapping_ttl = 60 }',
    );
    expect(one.allowsRequest('p', 'read', {}, 0)).toBe(false);
    expect(one.allowsRequest('p', 'read', {}, 45)).toBe(true);
  });

  it('crossed bounds (min from one policy above max from another) refuse every request', () => {
    // vault: acl-merge
    const a = acl(
      'path "p" { capabilities = ["read"]\n min_wrapping_ttl = 120 }',
      'path "p" { capabilities = ["read"]\n max_wrapping_ttl = 60 }',
    );
    for (const ttl of [0, 60, 90, 120]) expect(a.allowsRequest('p', 'read', {}, ttl)).toBe(false);
  });

  it('merge parameter lists: values append, an empty list (any value) wins, required ones add up', () => {
    // vault: acl-merge
    const a = acl(
      'path "p" { capabilities = ["update"]\n allowed_parameters = { "x" = ["a"], "y" = [] }\n required_parameters = ["x"] }',
      'path "p" { capabilities = ["update"]\n allowed_parameters = { "x" = ["b"], "y" = ["c"], "z" = ["d"] }\n required_parameters = ["z"] }',
    );
    expect(a.allowsRequest('p', 'update', { x: 'b', y: 'anything', z: 'd' }, 0)).toBe(true);
    expect(a.allowsRequest('p', 'update', { x: 'a', z: 'd' }, 0)).toBe(true);
    expect(a.allowsRequest('p', 'update', { x: 'c', z: 'd' }, 0)).toBe(false);
    expect(a.allowsRequest('p', 'update', { x: 'a' }, 0)).toBe(false);
    // A parameter only the first policy names is kept.
    const firstOnly = acl(
      'path "p" { capabilities = ["update"]\n allowed_parameters = { "w" = ["1"] } }',
      'path "p" { capabilities = ["update"]\n allowed_parameters = { "x" = ["2"] } }',
    );
    expect(firstOnly.allowsRequest('p', 'update', { w: '1', x: '2' }, 0)).toBe(true);
    expect(firstOnly.allowsRequest('p', 'update', { w: '2' }, 0)).toBe(false);
    const denied = acl(
      'path "p" { capabilities = ["update"]\n denied_parameters = { "x" = ["a"] } }',
      'path "p" { capabilities = ["update"]\n denied_parameters = { "x" = ["b"] } }',
      'path "p" { capabilities = ["update"] }',
    );
    expect(denied.allowsRequest('p', 'update', { x: 'a' }, 0)).toBe(false);
    expect(denied.allowsRequest('p', 'update', { x: 'b' }, 0)).toBe(false);
    expect(denied.allowsRequest('p', 'update', { x: 'c' }, 0)).toBe(true);
    const anyLater = acl(
      'path "p" { capabilities = ["update"]\n allowed_parameters = { "y" = ["c"] } }',
      'path "p" { capabilities = ["update"]\n allowed_parameters = { "y" = [] } }',
    );
    expect(anyLater.allowsRequest('p', 'update', { y: 'anything' }, 0)).toBe(true);
    const anyDenied = acl(
      'path "p" { capabilities = ["update"]\n denied_parameters = { "x" = [] } }',
      'path "p" { capabilities = ["update"]\n denied_parameters = { "x" = ["b"] } }',
    );
    expect(anyDenied.allowsRequest('p', 'update', { x: 'c' }, 0)).toBe(false);
  });
});

describe('Acl: request parameters', () => {
  const rule = (body: string) =>
    acl(`path "p" { capabilities = ["create", "read", "update", "patch", "delete", "list"]\n ${body} }`);

  it('a required parameter is looked up lowercased among the keys as sent', () => {
    // vault: acl-parameters
    const a = rule('required_parameters = ["Name"]');
    expect(a.allowsRequest('p', 'update', { name: 1 }, 0)).toBe(true);
    expect(a.allowsRequest('p', 'update', { Name: 1 }, 0)).toBe(false);
    expect(a.allowsRequest('p', 'update', {}, 0)).toBe(false);
    // Only read, create, update and patch carry parameters to check.
    expect(a.allowsRequest('p', 'delete', {}, 0)).toBe(true);
    expect(a.allowsRequest('p', 'list', {}, 0)).toBe(true);
    expect(a.allowsRequest('p', 'read', {}, 0)).toBe(false);
    expect(a.allowsRequest('p', 'create', {}, 0)).toBe(false);
    expect(a.allowsRequest('p', 'patch', {}, 0)).toBe(false);
  });

  it('denied and allowed names match the request keys case-insensitively', () => {
    // vault: acl-parameters
    const a = rule('denied_parameters = { "Secret" = [] }');
    expect(a.allowsRequest('p', 'update', { SECRET: 'x' }, 0)).toBe(false);
    expect(a.allowsRequest('p', 'update', { other: 'x' }, 0)).toBe(true);
    const b = rule('allowed_parameters = { "Name" = ["v"] }');
    expect(b.allowsRequest('p', 'update', { NAME: 'v' }, 0)).toBe(true);
    expect(b.allowsRequest('p', 'update', { NAME: 'w' }, 0)).toBe(false);
  });

  it('allowed values: every element of a list, every part of a comma-separated string', () => {
    // vault: acl-parameter-values
    const a = rule('allowed_parameters = { "p" = ["a", "b*"] }');
    expect(a.allowsRequest('p', 'update', { p: ['a', 'bz'] }, 0)).toBe(true);
    expect(a.allowsRequest('p', 'update', { p: ['a', 'c'] }, 0)).toBe(false);
    expect(a.allowsRequest('p', 'update', { p: 'a, bz' }, 0)).toBe(true);
    expect(a.allowsRequest('p', 'update', { p: 'a,c' }, 0)).toBe(false);
    // An empty string has no parts, so nothing in it is unlisted.
    expect(a.allowsRequest('p', 'update', { p: '' }, 0)).toBe(true);
    expect(a.allowsRequest('p', 'update', { p: [] }, 0)).toBe(true);
    expect(a.allowsRequest('p', 'update', { p: 7 }, 0)).toBe(false);
    // A list value may also match one listed list as a whole.
    const whole = acl('path "p" { capabilities = ["update"]\n allowed_parameters = { "p" = [["x", "y"]] } }');
    expect(whole.allowsRequest('p', 'update', { p: ['x', 'y'] }, 0)).toBe(true);
    expect(whole.allowsRequest('p', 'update', { p: ['y', 'x'] }, 0)).toBe(false);
  });

  it('denied values: any element of a list, any part of a comma-separated string', () => {
    // vault: acl-parameter-values
    const a = rule('denied_parameters = { "p" = ["bad"] }');
    expect(a.allowsRequest('p', 'update', { p: ['ok', 'bad'] }, 0)).toBe(false);
    expect(a.allowsRequest('p', 'update', { p: ['ok', 'fine'] }, 0)).toBe(true);
    expect(a.allowsRequest('p', 'update', { p: 'ok, bad' }, 0)).toBe(false);
    expect(a.allowsRequest('p', 'update', { p: 'ok,badly' }, 0)).toBe(true);
    expect(a.allowsRequest('p', 'update', { p: '' }, 0)).toBe(true);
    expect(a.allowsRequest('p', 'update', { p: 5 }, 0)).toBe(true);
    const num = acl('path "p" { capabilities = ["update"]\n denied_parameters = { "n" = [5] } }');
    expect(num.allowsRequest('p', 'update', { n: 5 }, 0)).toBe(false);
    expect(num.allowsRequest('p', 'update', { n: '5' }, 0)).toBe(true);
  });

  it.each([
    ['*', '*', true],
    ['*', 'anything', false],
    ['a', 'a', true],
    ['a', 'b', false],
    ['**', 'anything', true],
    ['ab*', 'abc', true],
    ['ab*', 'xab', false],
    ['*ab', 'xab', true],
    ['*ab', 'abx', false],
    ['*b*', 'abc', true],
    ['*b*', 'ac', false],
    ['ab', 'ab', true],
    ['a*', 'abc', true],
    ['a*', 'ba', false],
    ['*a', 'ba', true],
    ['*a', 'ab', false],
    ['ab', 'abc', false],
    ['é', 'é', true],
    ['é*', 'éa', true],
  ])('GlobbedStringsMatch(%j, %j) is %s', (item, value, expected) => {
    // vault: acl-parameter-values
    const a = acl(`path "p" { capabilities = ["update"]\n allowed_parameters = { "k" = ["${item}"] } }`);
    expect(a.allowsRequest('p', 'update', { k: value }, 0)).toBe(expected);
  });

  it('a key like constructor is just an unlisted key, never a crash', () => {
    const a = rule('allowed_parameters = { "x" = [] }\n denied_parameters = { "y" = [] }');
    expect(a.allowsRequest('p', 'update', { constructor: 'x' }, 0)).toBe(false);
    expect(a.allowsRequest('p', 'update', { toString: 'x', x: 1 }, 0)).toBe(false);
    expect(a.allowsRequest('p', 'update', { x: 1 }, 0)).toBe(true);
  });

  it('an empty allowed_parameters map allows any parameter; an empty denied one denies none', () => {
    // vault: acl-parameters
    const a = rule('allowed_parameters = {}\n denied_parameters = {}');
    expect(a.allowsRequest('p', 'update', { x: 1 }, 0)).toBe(true);
    const only = rule('allowed_parameters = { "y" = [] }');
    expect(only.allowsRequest('p', 'update', { x: 1 }, 0)).toBe(false);
  });

  it('a deny merged onto a path with other capabilities refuses them all', () => {
    const a = acl('path "p" { capabilities = ["read"] }', 'path "p" { capabilities = ["deny"] }');
    expect(a.allowsRequest('p', 'read', {}, 0)).toBe(false);
    expect(acl('path "p" { capabilities = ["read"] }').allowsRequest('p', 'read', {}, 0)).toBe(true);
  });

  it('a capability the rule lacks, or a deny, refuses before any parameter', () => {
    const a = acl('path "p" { capabilities = ["read"] }', 'path "q" { capabilities = ["deny"] }');
    expect(a.allowsRequest('p', 'read', {}, 0)).toBe(true);
    expect(a.allowsRequest('p', 'update', {}, 0)).toBe(false);
    expect(a.allowsRequest('q', 'read', {}, 0)).toBe(false);
    expect(a.allowsRequest('r', 'read', {}, 0)).toBe(false);
  });
});

describe('Acl.allowsAnyUnder (sys/internal/ui/mounts)', () => {
  const a = new Acl([
    [
      { path: 'kv/data/app/*', capabilities: ['read'] },
      { path: 'db/+/creds', capabilities: ['read'] },
      { path: 'sys/*', capabilities: ['deny'] },
      { path: 'empty/*', capabilities: [] as Capability[] },
    ],
  ]);
  it.each([
    ['kv/', true],
    ['kv/data/app/x/', true],
    ['db/', true],
    ['sys/', false],
    ['empty/', false],
    ['other/', false],
  ])('%s → %s', (prefix, expected) => {
    expect(a.allowsAnyUnder(prefix)).toBe(expected);
  });
});
