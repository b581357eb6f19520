import { list, str, type RequestContext } from '../http/context';
import { badRequest, HttpError, unsupportedOperation, unsupportedPath } from '../http/errors';
import { noContent, ok, type Reply } from '../http/envelope';
import { sanitizePolicies, type TokenEntry } from '../token-store';
import { parseDuration } from '../util';

function duration(value: unknown): number | undefined {
  try {
    return parseDuration(value);
  } catch (err) {
    throw badRequest((err as Error).message);
  }
}

function create(ctx: RequestContext, parent: TokenEntry): Reply {
  const b = ctx.body;
  const parentIsRoot = parent.policies.includes('root');
  const requested = list(b.policies) ?? parent.policies;
  const policies = sanitizePolicies(requested, b.no_default_policy !== true);
  if (!parentIsRoot) {
    const allowed = new Set([...parent.policies, 'default']);
    if (policies.some((p) => !allowed.has(p))) throw badRequest('child policies must be subset of parent');
  }
  const isRootToken = policies.includes('root');
  const ttl = duration(b.ttl) ?? (isRootToken ? 0 : 2_764_800);
  const explicitMax = duration(b.explicit_max_ttl) ?? 0;
  const meta = (b.meta ?? null) as Record<string, string> | null;
  const entry = ctx.state.tokens.create({
    ...(str(b, 'id') ? { id: str(b, 'id')! } : {}),
    policies,
    ttl,
    explicitMaxTtl: explicitMax,
    renewable: b.renewable === undefined ? ttl > 0 : b.renewable === true || b.renewable === 'true',
    numUses: Number(b.num_uses ?? 0),
    meta,
    displayName: `token${str(b, 'display_name') ? `-${str(b, 'display_name')}` : ''}`,
    path: 'auth/token/create',
    orphan: b.no_parent === true,
  });
  return ok({ auth: ctx.state.tokens.authBlock(entry, entry.creationTtl), mount_type: 'token' });
}

function renew(ctx: RequestContext, entry: TokenEntry): Reply {
  if (!entry.renewable) throw badRequest('lease is not renewable');
  if (entry.role && !ctx.state.kubernetes.get(entry.role.mount)?.roles.has(entry.role.name))
    throw badRequest(`role ${entry.role.name} does not exist during renewal`);
  const { ttl, warning } = ctx.state.tokens.renew(entry, duration(ctx.body.increment));
  return ok({
    auth: ctx.state.tokens.authBlock(entry, ttl),
    warnings: warning ? [warning] : null,
    mount_type: 'token',
  });
}

/**
 * vault/token_store.go: `lookup` without `token` looks up the caller; an unknown token is 403
 * `bad token`. `renew` needs `token` (400 `missing token ID`); unknown or revoked → 400
 * `token not found`. `revoke` needs `token`; an unknown or already revoked one is 204 (revokeCommon
 * returns nothing when the lookup finds no entry).
 */
function lookupTarget(ctx: RequestContext): TokenEntry {
  const value = str(ctx.body, 'token') ?? ctx.query.get('token') ?? undefined;
  if (!value) return ctx.token!;
  const entry = ctx.state.tokens.get(value);
  if (!entry) throw new HttpError(403, ['bad token']);
  return entry;
}

function renewTarget(ctx: RequestContext): TokenEntry {
  const value = str(ctx.body, 'token');
  if (!value) throw badRequest('missing token ID');
  const entry = ctx.state.tokens.get(value);
  if (!entry) throw badRequest('token not found');
  return entry;
}

function revokeByValue(ctx: RequestContext): Reply {
  const value = str(ctx.body, 'token');
  if (!value) throw badRequest('missing token ID');
  const entry = ctx.state.tokens.get(value);
  if (entry) ctx.state.tokens.revoke(entry.id);
  return noContent();
}

/** `auth/token/*`: create, the self endpoints, and lookup/renew/revoke by value. */
export function tokenRoute(ctx: RequestContext): Reply {
  const token = ctx.token!;
  const { tokens } = ctx.state;
  const action = ctx.path.slice('auth/token/'.length);
  const write = ctx.operation === 'update';
  switch (action) {
    case 'create':
    case 'create-orphan':
      if (!write) throw unsupportedOperation();
      return create(ctx, token);
    case 'lookup-self':
      return ok({ data: tokens.lookupData(token), mount_type: 'token' });
    case 'renew-self':
      if (!write) throw unsupportedOperation();
      return renew(ctx, token);
    case 'revoke-self':
      if (!write) throw unsupportedOperation();
      tokens.revoke(token.id);
      return noContent();
    case 'lookup':
      if (!write && ctx.operation !== 'read') throw unsupportedOperation();
      return ok({ data: tokens.lookupData(lookupTarget(ctx)), mount_type: 'token' });
    case 'renew':
      if (!write) throw unsupportedOperation();
      return renew(ctx, renewTarget(ctx));
    case 'revoke':
      if (!write) throw unsupportedOperation();
      return revokeByValue(ctx);
    default:
      throw unsupportedPath();
  }
}
