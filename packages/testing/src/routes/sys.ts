import { str, type RequestContext } from '../http/context';
import {
  badRequest,
  HttpError,
  notFound,
  permissionDenied,
  unsupportedOperation,
  unsupportedPath,
} from '../http/errors';
import { noContent, ok, type Reply } from '../http/envelope';
import type { KubernetesMount, SecretMount } from '../state';
import { base62, SYSTEM_MAX_TTL } from '../util';

function mountInfo(mount: SecretMount) {
  return {
    accessor: mount.accessor,
    config: { default_lease_ttl: 0, force_no_cache: false, max_lease_ttl: 0 },
    description: mount.description,
    external_entropy_access: false,
    local: false,
    options: mount.type === 'kv' ? { version: String(mount.version) } : null,
    plugin_version: '',
    running_plugin_version: mount.type === 'kv' ? 'v0.21.0+builtin' : 'v1.19.0+builtin.vault',
    running_sha256: '',
    seal_wrap: false,
    type: mount.type,
    uuid: mount.uuid,
  };
}

function listMounts(ctx: RequestContext): Reply {
  const data: Record<string, unknown> = {};
  for (const mount of ctx.state.mounts.values()) data[`${mount.path}/`] = mountInfo(mount);
  // Like Vault, the mounts are also repeated at the top level for old clients.
  return { status: 200, body: { ...data, ...ok({ data, mount_type: 'system' }).body! } };
}

function enableMount(ctx: RequestContext, path: string): Reply {
  const clean = path.replace(/\/+$/, '');
  if (ctx.state.mounts.has(clean)) throw badRequest(`path is already in use at ${clean}/`);
  const type = str(ctx.body, 'type');
  const options = (ctx.body.options ?? {}) as Record<string, unknown>;
  if (type === 'kv' || type === 'kv-v2' || type === 'generic') {
    const version = type === 'kv-v2' || String(options.version ?? '1') === '2' ? 2 : 1;
    ctx.state.enableKv(clean, version);
  } else if (type === 'database') {
    ctx.state.enableDatabase(clean);
  } else {
    throw badRequest(`plugin not found in the catalog: ${type ?? ''}`);
  }
  return noContent();
}

function enableAuth(ctx: RequestContext, path: string): Reply {
  const mount = path.replace(/\/+$/, '');
  if (ctx.state.authMountExists(mount)) throw badRequest(`path is already in use at auth/${mount}/`);
  const type = str(ctx.body, 'type');
  if (type === 'kubernetes') ctx.state.kubernetes.set(mount, newK8sMount());
  else if (type === 'approle')
    ctx.state.approle.set(mount, { roles: new Map(), accessor: randomAccessor('approle') });
  else throw badRequest(`plugin not found in the catalog: ${type ?? ''}`);
  return noContent();
}

const randomAccessor = (type: string) => `auth_${type}_${base62(8).toLowerCase()}`;
export const newK8sMount = (): KubernetesMount => ({
  configured: false,
  roles: new Map(),
  accessor: randomAccessor('kubernetes'),
});

function policy(ctx: RequestContext, name: string): Reply {
  const { state } = ctx;
  if (ctx.operation === 'read') {
    const p = state.policies.get(name);
    if (!p) throw notFound();
    return ok({ data: { name, rules: p.hcl, policy: p.hcl }, mount_type: 'system' });
  }
  if (ctx.operation === 'update') {
    const hcl = str(ctx.body, 'policy') ?? str(ctx.body, 'rules');
    if (!hcl) throw badRequest("'policy' parameter not supplied or empty");
    try {
      state.writePolicy(name, hcl);
    } catch (err) {
      throw badRequest(`failed to parse policy: ${(err as Error).message}`);
    }
    return noContent();
  }
  if (ctx.operation === 'delete') {
    if (name === 'default' || name === 'root') throw badRequest(`cannot delete "${name}" policy`);
    state.policies.delete(name);
    return noContent();
  }
  throw unsupportedOperation();
}

/** `sys/internal/ui/mounts/<path>`: KV version detection. Needs a token with access under the mount. */
export function internalUiMounts(ctx: RequestContext, path: string): Reply {
  const token = ctx.state.tokens.get(ctx.rawToken);
  if (!token) throw permissionDenied();
  const found = ctx.state.findMount(path.replace(/\/+$/, ''));
  const isRoot = token.policies.includes('root');
  if (!found || (!isRoot && !ctx.state.aclFor(token.policies).allowsAnyUnder(`${found.mount.path}/`))) {
    throw new HttpError(403, [
      `preflight capability check returned 403, please ensure client's policies grant access to path "${path.replace(/\/+$/, '')}/"`,
    ]);
  }
  const info = mountInfo(found.mount);
  return ok({ data: { ...info, path: `${found.mount.path}/` }, mount_type: 'system' });
}

/** Authenticated `sys/` endpoints other than leases. */
export function sysRoute(ctx: RequestContext): Reply {
  const p = ctx.path;
  if (p === 'sys/mounts' && ctx.operation === 'read') return listMounts(ctx);
  if (p.startsWith('sys/mounts/')) {
    const path = p.slice('sys/mounts/'.length);
    if (ctx.operation === 'update') return enableMount(ctx, path);
    if (ctx.operation === 'delete') {
      ctx.state.mounts.delete(path.replace(/\/+$/, ''));
      return noContent();
    }
    if (ctx.operation === 'read') {
      const mount = ctx.state.mounts.get(path.replace(/\/+$/, ''));
      if (!mount) throw badRequest(`no mount entry found for path ${path}`);
      return ok({
        data: { default_lease_ttl: SYSTEM_MAX_TTL, force_no_cache: false, max_lease_ttl: SYSTEM_MAX_TTL },
        mount_type: 'system',
      });
    }
  }
  if (p.startsWith('sys/auth/') && ctx.operation === 'update')
    return enableAuth(ctx, p.slice('sys/auth/'.length));
  if (p === 'sys/auth' && ctx.operation === 'read') {
    const data: Record<string, unknown> = { 'token/': { type: 'token' } };
    for (const m of ctx.state.kubernetes.keys()) data[`${m}/`] = { type: 'kubernetes' };
    for (const m of ctx.state.approle.keys()) data[`${m}/`] = { type: 'approle' };
    return ok({ data, mount_type: 'system' });
  }
  const policyMatch = /^sys\/(?:policy|policies\/acl)\/(.+)$/.exec(p);
  if (policyMatch) return policy(ctx, policyMatch[1]!);
  if (
    (p === 'sys/policy' || p === 'sys/policies/acl') &&
    (ctx.operation === 'read' || ctx.operation === 'list')
  ) {
    const keys = [...ctx.state.policies.keys(), 'root'].sort();
    return ok({ data: { keys, policies: keys }, mount_type: 'system' });
  }
  throw unsupportedPath();
}
