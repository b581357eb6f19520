import { randomUUID } from 'node:crypto';
import { list, str, type RequestContext } from '../http/context';
import { badRequest, notFound, unsupportedOperation, unsupportedPath } from '../http/errors';
import { ok, noContent, type Reply } from '../http/envelope';
import type { AppRoleMount } from '../state';
import { sanitizePolicies } from '../token-store';
import type { AppRoleConfig } from '../types';
import { parseDuration } from '../util';
import { parseTokenFields, tokenData } from './role-fields';

function login(ctx: RequestContext, mountName: string, mount: AppRoleMount): Reply {
  const roleId = str(ctx.body, 'role_id');
  if (!roleId) throw badRequest('missing role_id');
  const found = [...mount.roles.entries()].find(([, r]) => r.roleId === roleId);
  if (found?.[1].config.bind_secret_id !== false) {
    const secretId = str(ctx.body, 'secret_id');
    if (!secretId) throw badRequest('missing secret_id');
    if (!found || !found[1].secretIds.has(secretId)) throw badRequest('invalid role or secret ID');
  }
  if (!found) throw badRequest('invalid role or secret ID');
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

/** path_role.go pathRoleRead (approle): every field, defaults included. */
function roleData(config: AppRoleConfig): Record<string, unknown> {
  return {
    bind_secret_id: config.bind_secret_id ?? true,
    local_secret_ids: false,
    secret_id_bound_cidrs: config.secret_id_bound_cidrs ?? [],
    secret_id_num_uses: config.secret_id_num_uses ?? 0,
    secret_id_ttl: config.secret_id_ttl ?? 0,
    ...tokenData(config),
  };
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
  if (rest === 'role/' && ctx.operation === 'list') {
    if (mount.roles.size === 0) throw notFound();
    return ok({ data: { keys: [...mount.roles.keys()].sort() }, mount_type: 'approle' });
  }
  const m = /^role\/([^/]+)(?:\/(role-id|secret-id))?$/.exec(rest);
  if (!m) throw unsupportedPath();
  const [, name, sub] = m as unknown as [string, string, string | undefined];
  if (!sub && (ctx.operation === 'update' || ctx.operation === 'create')) {
    const b = ctx.body;
    let secretIdTtl: number | undefined;
    try {
      secretIdTtl = parseDuration(b.secret_id_ttl);
    } catch (err) {
      throw badRequest((err as Error).message);
    }
    const bindSecretId =
      b.bind_secret_id === undefined ? true : b.bind_secret_id === true || b.bind_secret_id === 'true';
    const cidrs = list(b.secret_id_bound_cidrs ?? b.bound_cidr_list);
    if (!bindSecretId && !cidrs?.length)
      throw badRequest('at least one constraint should be enabled on the role');
    writeAppRole(mount, name, {
      ...parseTokenFields(b),
      bind_secret_id: bindSecretId,
      ...(secretIdTtl !== undefined ? { secret_id_ttl: secretIdTtl } : {}),
      ...(b.secret_id_num_uses !== undefined
        ? { secret_id_num_uses: Math.trunc(Number(b.secret_id_num_uses) || 0) }
        : {}),
      ...(cidrs ? { secret_id_bound_cidrs: cidrs } : {}),
    });
    return noContent();
  }
  const role = mount.roles.get(name);
  if (!role) {
    if (sub === 'secret-id') throw badRequest(`role "${name}" does not exist`);
    throw notFound();
  }
  if (!sub && ctx.operation === 'read') return ok({ data: roleData(role.config), mount_type: 'approle' });
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
