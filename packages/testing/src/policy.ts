/** Vault's ACL policy language and its matching rules (vault/policy.go, vault/acl.go). */
import { parseHcl, type HclObject, type HclValue } from './hcl';
import { parseDuration } from './util';

export type Capability = 'create' | 'read' | 'update' | 'patch' | 'delete' | 'list' | 'sudo' | 'deny';
const CAPABILITIES = new Set<Capability>([
  'create',
  'read',
  'update',
  'patch',
  'delete',
  'list',
  'sudo',
  'deny',
]);
/** The old `policy = "…"` shorthand (vault/policy.go parsePaths): it never grants `patch`. */
const SHORTHAND: Record<string, Capability[]> = {
  deny: ['deny'],
  read: ['read', 'list'],
  write: ['create', 'read', 'update', 'delete', 'list'],
  sudo: ['create', 'read', 'update', 'delete', 'list', 'sudo'],
};

export interface PolicyRule {
  path: string;
  capabilities: Capability[];
  /** Parameter constraints (vault/policy.go Permissions), enforced as vault/acl.go AllowOperation does. */
  allowedParameters?: Record<string, unknown[]>;
  deniedParameters?: Record<string, unknown[]>;
  requiredParameters?: string[];
  /** Seconds; a request must be wrapped within [min, max] (X-Vault-Wrap-TTL). */
  minWrappingTtl?: number;
  maxWrappingTtl?: number;
}

/** Vault's built-in `default` policy, the parts a token needs for itself. */
export const DEFAULT_POLICY = `
path "auth/token/lookup-self" { capabilities = ["read"] }
path "auth/token/renew-self" { capabilities = ["update"] }
path "auth/token/revoke-self" { capabilities = ["update"] }
path "sys/capabilities-self" { capabilities = ["update"] }
path "sys/leases/renew" { capabilities = ["update"] }
path "sys/leases/lookup" { capabilities = ["update"] }
path "sys/renew" { capabilities = ["update"] }
path "cubbyhole/*" { capabilities = ["create", "read", "update", "delete", "list"] }
path "sys/wrapping/wrap" { capabilities = ["update"] }
path "sys/wrapping/lookup" { capabilities = ["update"] }
path "sys/wrapping/unwrap" { capabilities = ["update"] }
`;

/** vault/policy.go: the keys a `path` block may hold. */
const PATH_KEYS = new Set([
  'comment',
  'policy',
  'capabilities',
  'allowed_parameters',
  'denied_parameters',
  'required_parameters',
  'min_wrapping_ttl',
  'max_wrapping_ttl',
  'mfa_methods',
  'control_group',
  'subscribe_event_types',
]);

const first = (v: HclValue[] | undefined): HclValue | undefined => v?.[v.length - 1];

function stringList(value: HclValue | undefined, what: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new Error(`${what}: expected a list`);
  return value.map((v) => String(v));
}

/** `allowed_parameters = { "key" = ["v", …] }`: keys lowercased as vault/policy.go does. */
function parameterMap(value: HclValue | undefined, what: string): Record<string, unknown[]> | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw new Error(`${what}: expected a map`);
  const out: Record<string, unknown[]> = {};
  for (const [k, v] of Object.entries(value)) {
    // HCL gives every key at least one value; a single value is a one-element list.
    const list = first(v)!;
    out[k.toLowerCase()] = Array.isArray(list) ? list : [list];
  }
  return out;
}

function wrappingTtl(value: HclValue | undefined, what: string): number {
  try {
    return parseDuration(value) ?? 0;
  } catch {
    throw new Error(`error parsing ${what}: ${JSON.stringify(value)}`);
  }
}

/**
 * Parses Vault's ACL policy language (vault/policy.go ParseACLPolicy, parsePaths): HCL or JSON,
 * `name`, `path` blocks with every key Vault allows. Throws Vault's messages on bad input.
 */
export function parsePolicy(text: string): PolicyRule[] {
  const root = parseHcl(text);
  for (const key of Object.keys(root))
    if (key !== 'name' && key !== 'path') throw new Error(`invalid key "${key}"`);
  const rules: PolicyRule[] = [];
  for (const block of root.path ?? []) {
    if (typeof block !== 'object' || Array.isArray(block)) throw new Error('path: expected a block');
    for (const [rawPath, bodies] of Object.entries(block) as [string, HclValue[]][]) {
      for (const body of bodies) {
        if (typeof body !== 'object' || Array.isArray(body))
          throw new Error(`path "${rawPath}": expected a block`);
        rules.push(parsePathBlock(rawPath, body));
      }
    }
  }
  return rules;
}

/** One `path "…" { … }` block, checked in parsePaths' order. */
function parsePathBlock(rawPath: string, body: HclObject): PolicyRule {
  for (const key of Object.keys(body))
    if (!PATH_KEYS.has(key)) throw new Error(`path "${rawPath}": invalid key "${key}"`);
  const path = rawPath.replace(/^\//, '');
  if (path.includes('+*')) throw new Error(`path "${path}": invalid use of wildcards ('+*' is forbidden)`);
  let listed = stringList(first(body.capabilities), `path "${rawPath}": capabilities`);
  const shorthand = first(body.policy);
  if (shorthand !== undefined && shorthand !== '') {
    const expanded = SHORTHAND[String(shorthand)];
    if (!expanded) throw new Error(`path "${rawPath}": invalid policy "${String(shorthand)}"`);
    listed = shorthand === 'deny' ? ['deny'] : [...listed, ...expanded];
  }
  const capabilities: Capability[] = [];
  for (const c of listed) {
    // Names are case-sensitive; a deny ends the block: nothing after it is read or checked.
    if (c === 'deny') return { path, capabilities: ['deny'] };
    if (!CAPABILITIES.has(c as Capability)) throw new Error(`path "${rawPath}": invalid capability "${c}"`);
    if (!capabilities.includes(c as Capability)) capabilities.push(c as Capability);
  }
  const allowed = parameterMap(first(body.allowed_parameters), `path "${rawPath}": allowed_parameters`);
  const denied = parameterMap(first(body.denied_parameters), `path "${rawPath}": denied_parameters`);
  const min = wrappingTtl(first(body.min_wrapping_ttl), 'min_wrapping_ttl');
  const max = wrappingTtl(first(body.max_wrapping_ttl), 'max_wrapping_ttl');
  if (min && max && max < min) throw new Error('max_wrapping_ttl cannot be less than min_wrapping_ttl');
  const required = stringList(first(body.required_parameters), `path "${rawPath}": required_parameters`);
  return {
    path,
    capabilities,
    ...(allowed ? { allowedParameters: allowed } : {}),
    ...(denied ? { deniedParameters: denied } : {}),
    ...(required.length ? { requiredParameters: required } : {}),
    ...(min ? { minWrappingTtl: min } : {}),
    ...(max ? { maxWrappingTtl: max } : {}),
  };
}

interface MergedRule {
  pattern: string;
  /** The pattern without a trailing `*` (vault/acl.go wcPathDescr.wcPath). */
  base: string;
  /** A prefix (`*` at the end) or segment-wildcard rule; any other rule matches only its exact path. */
  glob: boolean;
  isPrefix: boolean;
  /** vault/policy.go HasSegmentWildcards: `+` alone, or a `+` right after a `/` or before the first `/`. */
  segmentWildcards: boolean;
  regex: RegExp;
  capabilities: Set<Capability>;
  allowedParameters?: Record<string, unknown[]>;
  deniedParameters?: Record<string, unknown[]>;
  requiredParameters: Set<string>;
  minWrappingTtl: number;
  maxWrappingTtl: number;
}

const hasSegmentWildcards = (path: string): boolean =>
  path === '+' || path.includes('/+') || path.startsWith('+/');

/**
 * vault/acl.go CheckAllowedFromNonExactPaths as a regular expression: a trailing `*` matches any
 * suffix; a segment that is exactly `+` matches one segment, which may be empty (acl.go splits on
 * `/`); every other character, `+` and `*` inside a segment included, is literal.
 */
function toRegex(base: string, isPrefix: boolean): RegExp {
  const body = base
    .split('/')
    .map((seg) => (seg === '+' ? '[^/]*' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${body}${isPrefix ? '.*' : ''}$`, 's');
}

/**
 * vault/acl.go CheckAllowedFromNonExactPaths `less`: true when `a` is lower priority than `b`.
 * Earlier first `+`/`*` loses; a prefix (`*`) loses to a non-prefix; more `+` segments lose; a
 * shorter path loses; then lexicographically smaller loses.
 */
export function lowerPriority(a: MergedRule, b: MergedRule): boolean {
  // A plain prefix rule counts from its length; a segment-wildcard rule from its first `+`.
  const firstWild = (r: MergedRule) => (r.segmentWildcards ? r.pattern.indexOf('+') : r.base.length);
  if (firstWild(a) !== firstWild(b)) return firstWild(a) < firstWild(b);
  if (a.isPrefix !== b.isPrefix) return a.isPrefix;
  const plus = (r: MergedRule) => r.base.split('/').filter((seg) => seg === '+').length;
  if (plus(a) !== plus(b)) return plus(a) > plus(b);
  if (a.base.length !== b.base.length) return a.base.length < b.base.length;
  return a.base < b.base;
}

function mergeParams(
  into: Record<string, unknown[]> | undefined,
  from: Record<string, unknown[]> | undefined,
): Record<string, unknown[]> | undefined {
  if (!from) return into;
  const out = { ...(into ?? {}) };
  for (const [k, v] of Object.entries(from)) {
    const existing = out[k];
    // An empty list means "any value"; merging with it stays "any value".
    out[k] =
      existing === undefined ? [...v] : existing.length === 0 || v.length === 0 ? [] : [...existing, ...v];
  }
  return out;
}

/**
 * go-secure-stdlib strutil.GlobbedStringsMatch: a leading and/or trailing `*` in the listed value
 * is a glob; a value shorter than two bytes (a lone `*` too) only matches itself.
 */
function globbedMatch(item: string, value: string): boolean {
  if (Buffer.byteLength(item) < 2) return item === value;
  const pre = item.startsWith('*');
  const suf = item.endsWith('*');
  const core = item.slice(pre ? 1 : 0, suf ? -1 : undefined);
  if (pre && suf) return value.includes(core);
  if (pre) return value.endsWith(core);
  if (suf) return value.startsWith(core);
  return item === value;
}

/** acl.go valueInParameterList: a string entry globs against a string value; others compare deeply. */
function valueInList(value: unknown, list: unknown[]): boolean {
  return list.some((el) => {
    if (typeof el === 'string') return typeof value === 'string' && globbedMatch(el, value);
    return JSON.stringify(el) === JSON.stringify(value);
  });
}

/** parseutil.ParseCommaStringSlice on a string: split on `,`, each part trimmed; "" is no parts. */
const commaParts = (value: string): string[] => (value === '' ? [] : value.split(',').map((v) => v.trim()));

/**
 * acl.go valueInAllowedParameterList: an empty list allows anything; else the whole value, or every
 * element of a list value, or every part of a comma-separated string must be listed.
 */
function allowedValue(value: unknown, list: unknown[]): boolean {
  if (list.length === 0 || valueInList(value, list)) return true;
  const parts = Array.isArray(value) ? value : typeof value === 'string' ? commaParts(value) : undefined;
  return parts !== undefined && parts.every((v: unknown) => valueInList(v, list));
}

/**
 * acl.go valueInDeniedParameterList: an empty list denies anything; else the whole value, or any
 * element of a list value, or any part of a comma-separated string being listed denies.
 */
function deniedValue(value: unknown, list: unknown[]): boolean {
  if (list.length === 0 || valueInList(value, list)) return true;
  const parts = Array.isArray(value) ? value : typeof value === 'string' ? commaParts(value) : [];
  return parts.some((v: unknown) => valueInList(v, list));
}

/** A parameter's list; a request key such as `constructor` must not reach Object.prototype. */
const own = (map: Record<string, unknown[]>, key: string): unknown[] | undefined =>
  Object.hasOwn(map, key) ? map[key] : undefined;

/** The merged rules of a set of policies: capabilities and constraints on the same pattern are merged. */
export class Acl {
  private readonly rules = new Map<string, MergedRule>();

  constructor(policies: PolicyRule[][]) {
    for (const rule of policies.flat()) {
      let merged = this.rules.get(rule.path);
      if (!merged) {
        const isPrefix = rule.path.endsWith('*');
        const segmentWildcards = hasSegmentWildcards(rule.path);
        const base = isPrefix ? rule.path.slice(0, -1) : rule.path;
        merged = {
          pattern: rule.path,
          base,
          glob: isPrefix || segmentWildcards,
          isPrefix,
          segmentWildcards,
          regex: toRegex(base, isPrefix),
          capabilities: new Set(),
          requiredParameters: new Set(),
          minWrappingTtl: 0,
          maxWrappingTtl: 0,
        };
        this.rules.set(rule.path, merged);
      }
      for (const c of rule.capabilities) merged.capabilities.add(c);
      merged.allowedParameters = mergeParams(merged.allowedParameters, rule.allowedParameters);
      merged.deniedParameters = mergeParams(merged.deniedParameters, rule.deniedParameters);
      for (const r of rule.requiredParameters ?? []) merged.requiredParameters.add(r);
      const min = rule.minWrappingTtl ?? 0;
      if (min && (!merged.minWrappingTtl || min < merged.minWrappingTtl)) merged.minWrappingTtl = min;
      // acl.go NewACL keeps the lesser of two max wrapping TTLs as it does for the min ones.
      const max = rule.maxWrappingTtl ?? 0;
      if (max && (!merged.maxWrappingTtl || max < merged.maxWrappingTtl)) merged.maxWrappingTtl = max;
    }
  }

  /**
   * The rule that governs `path` (vault/acl.go AllowOperation): an exact rule (for a list, also the
   * path without its trailing `/`), else the highest-priority matching glob; a list of `foo/` asks
   * the globs about `foo` first.
   */
  private ruleFor(path: string, list: boolean): MergedRule | undefined {
    const exact = this.rules.get(path);
    if (exact && !exact.glob) return exact;
    if (list && path.endsWith('/')) {
      const bare = this.rules.get(path.slice(0, -1));
      if (bare && !bare.glob) return bare;
      const globbed = this.bestGlob(path.slice(0, -1));
      if (globbed) return globbed;
    }
    return this.bestGlob(path);
  }

  /** acl.go CheckAllowedFromNonExactPaths: the matching glob its `less` ranks highest. */
  private bestGlob(path: string): MergedRule | undefined {
    let best: MergedRule | undefined;
    for (const rule of this.rules.values()) {
      if (!rule.glob || !rule.regex.test(path)) continue;
      if (!best || lowerPriority(best, rule)) best = rule;
    }
    return best;
  }

  /** Capabilities granted on `path`; a deny on the governing rule grants nothing. */
  capabilities(path: string, list: boolean): Set<Capability> {
    const best = this.ruleFor(path, list);
    if (!best || best.capabilities.has('deny')) return new Set();
    return best.capabilities;
  }

  allows(path: string, capability: Capability): boolean {
    return this.capabilities(path, capability === 'list').has(capability);
  }

  /**
   * The whole check of vault/acl.go AllowOperation after the capability: wrapping TTL bounds, then
   * (for read, create, update, patch) required, denied and allowed parameters against `data`.
   */
  allowsRequest(
    path: string,
    capability: Capability,
    data: Record<string, unknown>,
    wrapTtl: number,
  ): boolean {
    const rule = this.ruleFor(path, capability === 'list');
    if (!rule || rule.capabilities.has('deny') || !rule.capabilities.has(capability)) return false;
    if (rule.maxWrappingTtl > 0 && (wrapTtl === 0 || wrapTtl > rule.maxWrappingTtl)) return false;
    // An unwrapped request (TTL 0) is below any min.
    if (rule.minWrappingTtl > 0 && wrapTtl < rule.minWrappingTtl) return false;
    // Bounds merged from two policies can cross (min > max): no TTL passes both checks, as in acl.go.
    if (!['read', 'create', 'update', 'patch'].includes(capability)) return true;
    // acl.go looks a required parameter up lowercased among the request's keys as sent.
    for (const r of rule.requiredParameters) if (!Object.hasOwn(data, r.toLowerCase())) return false;
    const entries = Object.entries(data).map(([k, v]) => [k.toLowerCase(), v] as const);
    if (entries.length === 0) return true;
    const denied = rule.deniedParameters;
    if (denied) {
      if (denied['*']) return false;
      for (const [k, v] of entries) {
        const list = own(denied, k);
        if (list && deniedValue(v, list)) return false;
      }
    }
    const allowed = rule.allowedParameters;
    if (!allowed || Object.keys(allowed).length === 0) return true;
    // With "*" any key passes; only the listed keys' values are checked.
    const allowAll = allowed['*'] !== undefined;
    for (const [k, v] of entries) {
      const list = own(allowed, k);
      if (!list && !allowAll) return false;
      if (list && !allowedValue(v, list)) return false;
    }
    return true;
  }

  /** True when any rule could grant something at or below `prefix` (for sys/internal/ui/mounts). */
  allowsAnyUnder(prefix: string): boolean {
    for (const rule of this.rules.values()) {
      if (rule.capabilities.has('deny') || rule.capabilities.size === 0) continue;
      const literal = rule.pattern.split(/[+*]/)[0]!;
      if (literal.startsWith(prefix) || prefix.startsWith(literal)) return true;
    }
    return false;
  }
}
