import { randomUUID } from 'node:crypto';
import { list, str, type RequestContext } from '../http/context';
import { badRequest, notFound, unsupportedOperation, unsupportedPath } from '../http/errors';
import { ok, noContent, type Reply } from '../http/envelope';
import type { AppRoleMount } from '../state';
import { sanitizePolicies } from '../token-store';
import type { AppRoleConfig } from '../types';
import { parseDuration } from '../util';

function login(ctx: RequestContext, mountName: string, mount: AppRoleMount): Reply {
  const roleId = str(ctx.body, 'role_id');
  if (!roleId) throw badRequest('missing role_id');
  const found = [...mount.roles.entries()].find(([, r]) => r.roleId === roleId);
  const secretId = str(ctx.body, 'secret_id');
  if (!secretId) throw badRequest('missing secret_id');
  if (!found || !found[1].secretIds.has(secretId)) throw badRequest('invalid role or secret ID');
  const [name, role] = found;
  const entry = ctx.state.tokens.create({
    policies: sanitizePolicies(role.config.token_policies ?? []),
    ttl: role.config.token_ttl ?? 3600,
    maxTtl: role.config.token_max_ttl ?? 0,
    meta: { role_name: name },
    displayName: mountName,
    path: `auth/${mountName}/login`,
    orphan: true,
    renewable: true,
    entityId: ctx.state.entityId(`${mountName}:${roleId}`),
  });
  return ok({ auth: ctx.state.tokens.authBlock(entry, entry.creationTtl), mount_type: 'approle' });
}

/** Creates or replaces a role, keeping its role_id; returns the role record. */
export function writeAppRole(mount: AppRoleMount, name: string, config: AppRoleConfig) {
  const existing = mount.roles.get(name);
  const role = existing ?? { config, roleId: randomUUID(), secretIds: new Set<string>() };
  role.config = config;
  mount.roles.set(name, role);
  return role;
}

/** The AppRole auth method: `login`, `role/<name>`, `role/<name>/role-id`, `role/<name>/secret-id`. */
export function approleRoute(
  ctx: RequestContext,
  mountName: string,
  mount: AppRoleMount,
  rest: string,
): Reply {
  if (rest === 'login') {
    if (ctx.operation !== 'update') throw unsupportedOperation();
    return login(ctx, mountName, mount);
  }
  const m = /^role\/([^/]+)(?:\/(role-id|secret-id))?$/.exec(rest);
  if (!m) throw unsupportedPath();
  const [, name, sub] = m as unknown as [string, string, string | undefined];
  if (!sub && ctx.operation === 'update') {
    const policies = list(ctx.body.token_policies) ?? list(ctx.body.policies);
    const ttl = parseDuration(ctx.body.token_ttl);
    const maxTtl = parseDuration(ctx.body.token_max_ttl);
    writeAppRole(mount, name, {
      ...(policies ? { token_policies: policies } : {}),
      ...(ttl !== undefined ? { token_ttl: ttl } : {}),
      ...(maxTtl !== undefined ? { token_max_ttl: maxTtl } : {}),
    });
    return noContent();
  }
  const role = mount.roles.get(name);
  if (!role) {
    if (sub === 'secret-id') throw badRequest(`role "${name}" does not exist`);
    throw notFound();
  }
  if (!sub && ctx.operation === 'read') return ok({ data: role.config, mount_type: 'approle' });
  if (!sub && ctx.operation === 'delete') {
    mount.roles.delete(name);
    return noContent();
  }
  if (sub === 'role-id' && ctx.operation === 'read')
    return ok({ data: { role_id: role.roleId }, mount_type: 'approle' });
  if (sub === 'secret-id' && ctx.operation === 'update') {
    const secretId = randomUUID();
    role.secretIds.add(secretId);
    return ok({
      data: {
        secret_id: secretId,
        secret_id_accessor: randomUUID(),
        secret_id_num_uses: 0,
        secret_id_ttl: 0,
      },
      mount_type: 'approle',
    });
  }
  throw unsupportedOperation();
}
