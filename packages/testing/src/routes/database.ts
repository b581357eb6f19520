import { randomBytes } from 'node:crypto';
import type { RequestContext } from '../http/context';
import { badRequest, notFound, unsupportedOperation, unsupportedPath } from '../http/errors';
import { noContent, ok, type Reply } from '../http/envelope';
import type { SecretMount } from '../state';
import { base62, nowSeconds, parseDuration, SYSTEM_MAX_TTL } from '../util';

/** Vault's default username template: `v-<display>-<role>-<random>-<unix>`, at most 63 characters. */
function username(displayName: string, role: string): string {
  const part = (s: string, n: number) => s.replace(/[^A-Za-z0-9_-]/g, '').slice(0, n);
  return `v-${part(displayName, 8)}-${part(role, 8)}-${base62(20)}-${nowSeconds()}`.slice(0, 63);
}

/** Vault's default password policy shape: 20 characters, mixed case and digits, with a `-`. */
const password = (): string => `A1a-${randomBytes(12).toString('base64url').slice(0, 16)}`;

async function creds(ctx: RequestContext, mount: SecretMount, role: string): Promise<Reply> {
  const config = ctx.state.databaseRoles.get(role);
  if (!config) throw badRequest(`unknown role: ${role}`);
  const maxTtl = config.max_ttl || SYSTEM_MAX_TTL;
  const ttl = Math.min(config.default_ttl || SYSTEM_MAX_TTL, maxTtl);
  const user = username(ctx.token?.displayName ?? 'token', role);
  const pass = password();
  const backend = ctx.state.databaseBackend;
  const expiresAt = new Date(Date.now() + ttl * 1000);
  await backend.createUser(user, pass, expiresAt);
  const lease = ctx.state.leases.issue(`${mount.path}/creds/${role}`, ttl, maxTtl, {
    onRevoke: () => backend.revokeUser(user),
    onRenew: (until) => backend.renewUser?.(user, until),
  });
  return ok({
    lease_id: lease.id,
    renewable: true,
    lease_duration: ttl,
    data: { username: user, password: pass },
    mount_type: 'database',
  });
}

/** The database secrets engine stand-in: `creds/<role>` and `roles/<role>`. */
export async function databaseRoute(ctx: RequestContext, mount: SecretMount, rest: string): Promise<Reply> {
  const credsMatch = /^creds\/([^/]+)$/.exec(rest);
  if (credsMatch) {
    if (ctx.operation !== 'read') throw unsupportedOperation();
    return creds(ctx, mount, credsMatch[1]!);
  }
  const roleMatch = /^roles\/([^/]+)$/.exec(rest);
  if (roleMatch) {
    const name = roleMatch[1]!;
    if (ctx.operation === 'read') {
      const role = ctx.state.databaseRoles.get(name);
      if (!role) throw notFound();
      return ok({ data: role, mount_type: 'database' });
    }
    if (ctx.operation === 'update') {
      ctx.state.databaseRoles.set(name, {
        default_ttl: parseDuration(ctx.body.default_ttl) ?? 0,
        max_ttl: parseDuration(ctx.body.max_ttl) ?? 0,
      });
      return noContent();
    }
    if (ctx.operation === 'delete') {
      ctx.state.databaseRoles.delete(name);
      return noContent();
    }
  }
  throw unsupportedPath();
}
