/** A subset of Vault's HCL policy language and its ACL matching rules. */

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

function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^"])(#|\/\/).*$/gm, '$1');
}

/** Parses `path "glob" { capabilities = [...] }` blocks; throws with a Vault-like message on bad input. */
export function parsePolicy(hcl: string): PolicyRule[] {
  const text = stripComments(hcl);
  const rules: PolicyRule[] = [];
  const block = /path\s+"([^"]*)"\s*\{([^}]*)\}/g;
  let rest = text;
  for (const m of text.matchAll(block)) {
    rest = rest.replace(m[0], '');
    const body = m[2] ?? '';
    const caps = /capabilities\s*=\s*\[([^\]]*)\]/.exec(body);
    const shorthand = /policy\s*=\s*"([^"]*)"/.exec(body);
    let capabilities: Capability[] = [];
    if (caps) {
      capabilities = [...(caps[1] ?? '').matchAll(/"([^"]*)"/g)].map((c) => {
        const cap = (c[1] ?? '').toLowerCase() as Capability;
        if (!CAPABILITIES.has(cap)) throw new Error(`invalid capability "${c[1]}"`);
        return cap;
      });
    } else if (shorthand) {
      const expanded = SHORTHAND[shorthand[1] ?? ''];
      if (!expanded) throw new Error(`invalid policy "${shorthand[1]}"`);
      capabilities = expanded;
    }
    rules.push({ path: (m[1] ?? '').replace(/^\//, ''), capabilities });
  }
  if (rest.trim() !== '') throw new Error(`failed to parse policy: unexpected "${rest.trim().slice(0, 40)}"`);
  return rules;
}

interface MergedRule {
  pattern: string;
  glob: boolean;
  regex: RegExp;
  capabilities: Set<Capability>;
}

function toRegex(pattern: string): RegExp {
  const glob = pattern.endsWith('*');
  const body = (glob ? pattern.slice(0, -1) : pattern)
    .split('+')
    .map((s) => s.replace(/[.*?^${}()|[\]\\]/g, '\\$&'))
    .join('[^/]+');
  return new RegExp(`^${body}${glob ? '.*' : ''}$`);
}

/** Vault's priority between two matching globs: true when `a` is lower priority than `b`. */
function lowerPriority(a: MergedRule, b: MergedRule): boolean {
  const firstWild = (p: string) => {
    const i = p.search(/[+*]/);
    return i === -1 ? p.length : i;
  };
  if (firstWild(a.pattern) !== firstWild(b.pattern)) return firstWild(a.pattern) < firstWild(b.pattern);
  const aStar = a.pattern.endsWith('*');
  const bStar = b.pattern.endsWith('*');
  if (aStar !== bStar) return aStar;
  const plus = (p: string) => p.split('+').length - 1;
  if (plus(a.pattern) !== plus(b.pattern)) return plus(a.pattern) > plus(b.pattern);
  if (a.pattern.length !== b.pattern.length) return a.pattern.length < b.pattern.length;
  return a.pattern < b.pattern;
}

/** The merged rules of a set of policies: capabilities on the same pattern are unioned. */
export class Acl {
  private readonly rules = new Map<string, MergedRule>();

  constructor(policies: PolicyRule[][]) {
    for (const rule of policies.flat()) {
      let merged = this.rules.get(rule.path);
      if (!merged) {
        merged = {
          pattern: rule.path,
          glob: /[+*]/.test(rule.path),
          regex: toRegex(rule.path),
          capabilities: new Set(),
        };
        this.rules.set(rule.path, merged);
      }
      for (const c of rule.capabilities) merged.capabilities.add(c);
    }
  }

  /** Capabilities granted on `path`: an exact rule wins, then the most specific glob; deny wins over all. */
  capabilities(path: string): Set<Capability> {
    const exact = this.rules.get(path);
    let best: MergedRule | undefined = exact && !exact.glob ? exact : undefined;
    if (!best) {
      for (const rule of this.rules.values()) {
        if (!rule.glob || !rule.regex.test(path)) continue;
        if (!best || lowerPriority(best, rule)) best = rule;
      }
    }
    if (!best || best.capabilities.has('deny')) return new Set();
    return best.capabilities;
  }

  allows(path: string, capability: Capability): boolean {
    return this.capabilities(path).has(capability);
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
