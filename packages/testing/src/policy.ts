/** Vault's ACL policy language and its matching rules (vault/policy.go, vault/acl.go). */
import { parseHcl, type HclValue } from './hcl';
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
/** The old `policy = "…"` shorthand. */
const SHORTHAND: Record<string, Capability[]> = {
  deny: ['deny'],
  read: ['read', 'list'],
  write: ['create', 'read', 'update', 'patch', 'delete', 'list'],
  sudo: ['create', 'read', 'update', 'patch', 'delete', 'list', 'sudo'],
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
    const list = first(v);
    out[k.toLowerCase()] = Array.isArray(list) ? list : list === undefined ? [] : [list];
  }
  return out;
}

function wrappingTtl(value: HclValue | undefined, what: string): number {
  if (value === undefined) return 0;
  try {
    return parseDuration(value) ?? 0;
  } catch {
    throw new Error(`error parsing ${what}: ${JSON.stringify(value)}`);
  }
}

/**
 * Parses Vault's ACL policy language (vault/policy.go ParseACLPolicy): HCL or JSON, `name`, `path`
 * blocks with every key Vault allows. Throws Vault-like messages on bad input.
 */
export function parsePolicy(text: string): PolicyRule[] {
  const root = parseHcl(text);
  for (const key of Object.keys(root))
    if (key !== 'name' && key !== 'path') throw new Error(`invalid key "${key}"`);
  const rules: PolicyRule[] = [];
  for (const block of root.path ?? []) {
    if (typeof block !== 'object' || Array.isArray(block)) throw new Error('path: expected a block');
    for (const [rawPath, bodies] of Object.entries(block)) {
      for (const body of bodies ?? []) {
        if (typeof body !== 'object' || Array.isArray(body))
          throw new Error(`path "${rawPath}": expected a block`);
        const path = rawPath.replace(/^\//, '');
        for (const key of Object.keys(body))
          if (!PATH_KEYS.has(key)) throw new Error(`path "${rawPath}": invalid key "${key}"`);
        let capabilities: Capability[] = [];
        const shorthand = first(body.policy);
        if (shorthand !== undefined) {
          const expanded = SHORTHAND[String(shorthand)];
          if (!expanded) throw new Error(`path "${rawPath}": invalid policy "${String(shorthand)}"`);
          capabilities = [...expanded];
        }
        for (const c of stringList(first(body.capabilities), `path "${rawPath}": capabilities`)) {
          const cap = c.toLowerCase() as Capability;
          if (!CAPABILITIES.has(cap)) throw new Error(`path "${rawPath}": invalid capability "${c}"`);
          if (!capabilities.includes(cap)) capabilities.push(cap);
        }
        // A deny anywhere in the list makes the rule deny only.
        if (capabilities.includes('deny')) capabilities = ['deny'];
        const min = wrappingTtl(first(body.min_wrapping_ttl), 'min_wrapping_ttl');
        const max = wrappingTtl(first(body.max_wrapping_ttl), 'max_wrapping_ttl');
        if (min && max && max < min)
          throw new Error(`path "${rawPath}": max_wrapping_ttl cannot be less than min_wrapping_ttl`);
        const allowed = parameterMap(first(body.allowed_parameters), `path "${rawPath}": allowed_parameters`);
        const denied = parameterMap(first(body.denied_parameters), `path "${rawPath}": denied_parameters`);
        const required = stringList(
          first(body.required_parameters),
          `path "${rawPath}": required_parameters`,
        );
        rules.push({
          path,
          capabilities,
          ...(allowed ? { allowedParameters: allowed } : {}),
          ...(denied ? { deniedParameters: denied } : {}),
          ...(required.length ? { requiredParameters: required } : {}),
          ...(min ? { minWrappingTtl: min } : {}),
          ...(max ? { maxWrappingTtl: max } : {}),
        });
      }
    }
  }
  return rules;
}

interface MergedRule {
  pattern: string;
  /** The pattern without a trailing `*` (vault/acl.go wcPathDescr.wcPath). */
  base: string;
  glob: boolean;
  isPrefix: boolean;
  regex: RegExp;
  capabilities: Set<Capability>;
  allowedParameters?: Record<string, unknown[]>;
  deniedParameters?: Record<string, unknown[]>;
  requiredParameters: Set<string>;
  minWrappingTtl: number;
  maxWrappingTtl: number;
}

/** `*` only at the end is a glob; `+` is exactly one segment, which may be empty (acl.go splits on `/`). */
function toRegex(pattern: string): RegExp {
  const glob = pattern.endsWith('*');
  const body = (glob ? pattern.slice(0, -1) : pattern)
    .split('+')
    .map((s) => s.replace(/[.*?^${}()|[\]\\]/g, '\\$&'))
    .join('[^/]*');
  return new RegExp(`^${body}${glob ? '.*' : ''}$`, 's');
}

/**
 * vault/acl.go CheckAllowedFromNonExactPaths `less`: true when `a` is lower priority than `b`.
 * Earlier first `+`/`*` loses; a prefix (`*`) loses to a non-prefix; more `+` segments lose; a
 * shorter path loses; then lexicographically smaller loses.
 */
export function lowerPriority(a: MergedRule, b: MergedRule): boolean {
  const firstWild = (r: MergedRule) => {
    const plus = r.pattern.indexOf('+');
    return plus !== -1 ? plus : r.base.length;
  };
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

/** strutil.GlobbedStringsMatch: a leading and/or trailing `*` in the allowed value is a glob. */
function globbedMatch(item: string, value: string): boolean {
  if (item === '*') return true;
  const pre = item.startsWith('*');
  const suf = item.endsWith('*') && item.length > 1;
  const core = item.slice(pre ? 1 : 0, suf ? -1 : undefined);
  if (pre && suf) return value.includes(core);
  if (pre) return value.endsWith(core);
  if (suf) return value.startsWith(core);
  return item === value;
}

/** acl.go valueInParameterList: an empty list matches anything. */
function valueInList(value: unknown, list: unknown[]): boolean {
  if (list.length === 0) return true;
  return list.some((el) => {
    if (typeof el === 'string' && typeof value === 'string') return globbedMatch(el, value);
    return JSON.stringify(el) === JSON.stringify(value);
  });
}

/** The merged rules of a set of policies: capabilities and constraints on the same pattern are merged. */
export class Acl {
  private readonly rules = new Map<string, MergedRule>();

  constructor(policies: PolicyRule[][]) {
    for (const rule of policies.flat()) {
      let merged = this.rules.get(rule.path);
      if (!merged) {
        const isPrefix = rule.path.endsWith('*');
        merged = {
          pattern: rule.path,
          base: isPrefix ? rule.path.slice(0, -1) : rule.path,
          glob: /[+*]/.test(rule.path),
          isPrefix,
          regex: toRegex(rule.path),
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
      const max = rule.maxWrappingTtl ?? 0;
      if (max && max > merged.maxWrappingTtl) merged.maxWrappingTtl = max;
    }
  }

  /**
   * The rule that governs `path` (vault/acl.go AllowOperation): an exact rule (for a list, also the
   * path without its trailing `/`), else the highest-priority matching glob.
   */
  private ruleFor(path: string, list = false): MergedRule | undefined {
    const exact = this.rules.get(path);
    if (exact && !exact.glob) return exact;
    if (list && path.endsWith('/')) {
      const bare = this.rules.get(path.slice(0, -1));
      if (bare && !bare.glob) return bare;
    }
    let best: MergedRule | undefined;
    for (const rule of this.rules.values()) {
      if (!rule.glob || !rule.regex.test(path)) continue;
      if (!best || lowerPriority(best, rule)) best = rule;
    }
    return best;
  }

  /** Capabilities granted on `path`; a deny on the governing rule grants nothing. */
  capabilities(path: string, list = false): Set<Capability> {
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
    if (rule.minWrappingTtl > 0 && (wrapTtl === 0 || wrapTtl < rule.minWrappingTtl)) return false;
    if (!['read', 'create', 'update', 'patch'].includes(capability)) return true;
    const entries = Object.entries(data).map(([k, v]) => [k.toLowerCase(), v] as const);
    for (const r of rule.requiredParameters) if (!entries.some(([k]) => k === r.toLowerCase())) return false;
    if (entries.length === 0) return true;
    const denied = rule.deniedParameters;
    if (denied && Object.keys(denied).length > 0) {
      if (denied['*']) return false;
      for (const [k, v] of entries) if (denied[k] && valueInList(v, denied[k])) return false;
    }
    const allowed = rule.allowedParameters;
    if (!allowed || Object.keys(allowed).length === 0) return true;
    const allowAll = allowed['*'] !== undefined;
    if (allowAll && Object.keys(allowed).length === 1) return true;
    for (const [k, v] of entries) {
      const list = allowed[k];
      if (!list && !allowAll) return false;
      if (list && !valueInList(v, list)) return false;
    }
    return true;
  }

  /** True when any rule could grant something at or below `prefix` (for sys/internal/ui/mounts). */
  allowsAnyUnder(prefix: string): boolean {
    for (const rule of this.rules.values()) {
      if (rule.capabilities.has('deny') || rule.capabilities.size === 0) continue;
      const literal = rule.pattern.split(/[+*]/)[0] ?? '';
      if (literal.startsWith(prefix) || prefix.startsWith(literal)) return true;
    }
    return false;
  }
}
