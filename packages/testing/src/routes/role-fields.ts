import { list, str } from '../http/context';
import { badRequest } from '../http/errors';
import { parseDuration } from '../util';

/** The token fields every auth role carries (sdk/helper/tokenutil TokenParams). */
export interface TokenFields {
  token_policies?: string[];
  token_ttl?: number;
  token_max_ttl?: number;
  token_period?: number;
  token_explicit_max_ttl?: number;
  token_bound_cidrs?: string[];
  token_no_default_policy?: boolean;
  token_num_uses?: number;
  token_type?: string;
  legacy?: string[];
}

const TOKEN_TYPES = new Set(['service', 'batch', 'default-service', 'default-batch', 'default']);
/** tokenutil's deprecated names: `policies`, `ttl`, `max_ttl`, `period`, `bound_cidrs`, `num_uses`. */
const LEGACY: [string, keyof TokenFields][] = [
  ['policies', 'token_policies'],
  ['ttl', 'token_ttl'],
  ['max_ttl', 'token_max_ttl'],
  ['period', 'token_period'],
  ['bound_cidrs', 'token_bound_cidrs'],
  ['num_uses', 'token_num_uses'],
];

function seconds(body: Record<string, unknown>, key: string): number | undefined {
  try {
    return parseDuration(body[key]);
  } catch (err) {
    throw badRequest(
      `error converting input ${String(body[key])} for field "${key}": ${(err as Error).message}`,
    );
  }
}

/** tokenutil ParseTokenFields: new names win over the deprecated ones; Vault's validation messages. */
export function parseTokenFields(body: Record<string, unknown>): TokenFields {
  const out: TokenFields = {};
  const legacy: string[] = [];
  const pick = (name: string, old: string) => {
    if (body[name] !== undefined) return name;
    if (body[old] !== undefined) {
      legacy.push(old);
      return old;
    }
    return undefined;
  };
  const policies = pick('token_policies', 'policies');
  if (policies) out.token_policies = list(body[policies]) ?? [];
  for (const [old, name] of [
    ['ttl', 'token_ttl'],
    ['max_ttl', 'token_max_ttl'],
    ['period', 'token_period'],
  ] as const) {
    const key = pick(name, old);
    if (key) out[name] = seconds(body, key);
  }
  if (body.token_explicit_max_ttl !== undefined)
    out.token_explicit_max_ttl = seconds(body, 'token_explicit_max_ttl');
  const cidrs = pick('token_bound_cidrs', 'bound_cidrs');
  if (cidrs) out.token_bound_cidrs = list(body[cidrs]) ?? [];
  if (body.token_no_default_policy !== undefined)
    out.token_no_default_policy =
      body.token_no_default_policy === true || body.token_no_default_policy === 'true';
  const uses = pick('token_num_uses', 'num_uses');
  if (uses) out.token_num_uses = Math.trunc(Number(body[uses]) || 0);
  const type = str(body, 'token_type');
  if (type !== undefined) {
    if (!TOKEN_TYPES.has(type)) throw badRequest(`invalid 'token_type' value "${type}"`);
    out.token_type = type;
  }
  if ((out.token_ttl ?? 0) < 0) throw badRequest("'token_ttl' cannot be negative");
  if (out.token_ttl && out.token_max_ttl && out.token_ttl > out.token_max_ttl)
    throw badRequest("'token_ttl' cannot be greater than 'token_max_ttl'");
  if ((out.token_num_uses ?? 0) < 0) throw badRequest("'token_num_uses' cannot be negative");
  if (legacy.length) out.legacy = legacy;
  return out;
}

/** tokenutil PopulateTokenData plus the deprecated names the role was written with. */
export function tokenData(t: TokenFields): Record<string, unknown> {
  const d: Record<string, unknown> = {
    token_bound_cidrs: t.token_bound_cidrs ?? [],
    token_explicit_max_ttl: t.token_explicit_max_ttl ?? 0,
    token_max_ttl: t.token_max_ttl ?? 0,
    token_no_default_policy: t.token_no_default_policy ?? false,
    token_num_uses: t.token_num_uses ?? 0,
    token_period: t.token_period ?? 0,
    token_policies: t.token_policies ?? [],
    token_ttl: t.token_ttl ?? 0,
    token_type: t.token_type ?? 'default',
  };
  for (const [old, name] of LEGACY) {
    const v = d[name];
    if (t.legacy?.includes(old) && (Array.isArray(v) ? v.length > 0 : Boolean(v))) d[old] = v;
  }
  return d;
}
