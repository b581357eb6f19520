import { str, type RequestContext } from '../http/context';
import {
  aclDenied,
  badRequest,
  HttpError,
  notFound,
  permissionDenied,
  unsupportedOperation,
  unsupportedPath,
} from '../http/errors';
import { envelope, noContent, ok, type Reply } from '../http/envelope';
import type { AppRoleMount, KubernetesMount } from '../state';
import { base62 } from '../util';
import { randomUUID } from 'node:crypto';
import { authMountEntries, entryInfo, matchingEntry, secretMountEntries, tuneInfo } from './mount-info';

/**
 * Vault answers these sys paths through `handleLogicalWithInjector` (http/handler.go
 * injectDataIntoTopRoutes): the `data` keys are also written at the top level of the body, before
 * the envelope. `sys/policies/acl` is not one of them.
 */
function injected(data: Record<string, unknown>): Reply {
  return { status: 200, body: { ...data, ...envelope({ data, mount_type: 'system' }) } };
}

function infoMap(entries: Record<string, Parameters<typeof entryInfo>[0]>) {
  const out: Record<string, unknown> = {};
  for (const [path, entry] of Object.entries(entries)) out[path] = entryInfo(entry);
  return out;
}

const clean = (path: string) => path.replace(/^\/+|\/+$/g, '');
const PROTECTED_MOUNTS = new Set(['sys', 'cubbyhole', 'identity', 'auth']);

function enableMount(ctx: RequestContext, path: string): Reply {
  const mount = clean(path);
  if (mount === '') throw badRequest('path must be specified as a string');
  if (ctx.state.mounts.has(mount) || PROTECTED_MOUNTS.has(mount.split('/')[0]!))
    throw badRequest(`path is already in use at ${mount}/`);
  const type = str(ctx.body, 'type');
  const options = (ctx.body.options ?? {}) as Record<string, unknown>;
  if (!type) throw badRequest('backend type must be specified as a string');
  if (type === 'kv' || type === 'kv-v2' || type === 'kv-v1' || type === 'generic') {
    const version = type === 'kv-v2' || (type !== 'kv-v1' && String(options.version ?? '1') === '2') ? 2 : 1;
    ctx.state.enableKv(mount, version);
  } else if (type === 'database') {
    ctx.state.enableDatabase(mount);
  } else {
    throw badRequest(`plugin not found in the catalog: ${type}`);
  }
  return noContent();
}

/** `sys/mounts/<path>` and `sys/mounts/<path>/tune`. */
function mountsPath(ctx: RequestContext, rest: string): Reply {
  const tune = /^(.*?)\/tune\/?$/.exec(rest);
  if (tune) {
    // Tune writes are not emulated: answered as a path the dev server does not serve.
    if (ctx.operation !== 'read') throw unsupportedPath();
    const found = matchingEntry(secretMountEntries(ctx.state), clean(tune[1]!));
    // vault/logical_system.go handleTuneReadCommon: no mount → handleError → 400.
    if (!found) throw badRequest(`cannot fetch sysview for path "${clean(tune[1]!)}/"`);
    return injected(tuneInfo(found.entry, false));
  }
  if (ctx.operation === 'update') return enableMount(ctx, rest);
  if (ctx.operation === 'delete') {
    // handleUnmount: success whether or not the mount existed; built-ins cannot be unmounted.
    const mount = clean(rest);
    if (PROTECTED_MOUNTS.has(mount)) throw badRequest(`cannot unmount "${mount}/"`);
    ctx.state.mounts.delete(mount);
    return noContent();
  }
  if (ctx.operation === 'read') {
    // handleReadMount: MatchingMountEntry, so any path under a mount finds it; none → 400.
    const found = matchingEntry(secretMountEntries(ctx.state), clean(rest));
    if (!found) throw badRequest(`No secret engine mount at ${clean(rest)}/`);
    return injected(entryInfo(found.entry));
  }
  throw unsupportedOperation();
}

const randomAccessor = (type: string) => `auth_${type}_${base62(8).toLowerCase()}`;
export const newK8sMount = (): KubernetesMount => ({
  configured: false,
  roles: new Map(),
  accessor: randomAccessor('kubernetes'),
  uuid: randomUUID(),
});
export const newAppRoleMount = (): AppRoleMount => ({
  roles: new Map(),
  accessor: randomAccessor('approle'),
  uuid: randomUUID(),
});

/** `sys/auth/<path>` (enable, read, disable) and `sys/auth/<path>/tune`. */
function authPath(ctx: RequestContext, rest: string): Reply {
  const { state } = ctx;
  const tune = /^(.*?)\/tune\/?$/.exec(rest);
  if (tune) {
    // Tune writes are not emulated: answered as a path the dev server does not serve.
    if (ctx.operation !== 'read') throw unsupportedPath();
    const found = matchingEntry(authMountEntries(state), clean(tune[1]!));
    if (!found) throw badRequest(`cannot fetch sysview for path "auth/${clean(tune[1]!)}/"`);
    return injected(tuneInfo(found.entry, true));
  }
  const mount = clean(rest);
  if (ctx.operation === 'read') {
    const entry = authMountEntries(state)[`${mount}/`];
    if (!entry) throw badRequest(`No auth engine at ${mount}/`);
    return injected(entryInfo(entry));
  }
  if (ctx.operation === 'delete') {
    // handleDisableAuth: 204 whether or not it existed; the token store cannot be disabled.
    if (mount === 'token') throw badRequest('token credential backend cannot be disabled');
    state.kubernetes.delete(mount);
    state.approle.delete(mount);
    return noContent();
  }
  if (ctx.operation !== 'update') throw unsupportedOperation();
  if (state.authMountExists(mount)) throw badRequest(`path is already in use at auth/${mount}/`);
  const type = str(ctx.body, 'type');
  if (!type) throw badRequest('backend type must be specified as a string');
  if (type === 'kubernetes') state.kubernetes.set(mount, newK8sMount());
  else if (type === 'approle') state.approle.set(mount, newAppRoleMount());
  else throw badRequest(`plugin not found in the catalog: ${type}`);
  return noContent();
}

/**
 * `sys/policy/<name>` answers `rules`; `sys/policies/acl/<name>` answers `policy` and is not
 * copied to the top level (vault/logical_system.go handlePoliciesRead, policyKey per path).
 */
function policy(ctx: RequestContext, rawName: string, key: 'rules' | 'policy'): Reply {
  const { state } = ctx;
  // The policy store lowercases and trims names.
  const name = rawName.trim().toLowerCase();
  if (ctx.operation === 'read') {
    const p = state.policies.get(name) ?? (name === 'root' ? { hcl: '' } : undefined);
    if (!p) throw notFound();
    const data = { name, [key]: p.hcl };
    return key === 'rules' ? injected(data) : ok({ data, mount_type: 'system' });
  }
  if (ctx.operation === 'update' || ctx.operation === 'create') {
    // handlePoliciesSet: `policy`; on sys/policy a `rules` field still works, with a deprecation warning.
    let raw = str(ctx.body, 'policy') ?? '';
    const warnings: string[] = [];
    if (raw === '' && key === 'rules') {
      raw = str(ctx.body, 'rules') ?? '';
      if (raw !== '') warnings.push("'rules' is deprecated, please use 'policy' instead");
    }
    if (raw === '') throw badRequest("'policy' parameter not supplied or empty");
    // A base64-encoded policy is decoded first.
    if (/^[A-Za-z0-9+/]+={0,2}$/.test(raw) && raw.length % 4 === 0)
      raw = Buffer.from(raw, 'base64').toString('utf8');
    if (name === 'root') throw badRequest('cannot update "root" policy');
    try {
      state.writePolicy(name, raw);
    } catch (err) {
      throw badRequest(`failed to parse policy: ${(err as Error).message}`);
    }
    if (warnings.length > 0) return ok({ warnings, mount_type: 'system' });
    return noContent();
  }
  if (ctx.operation === 'delete') {
    if (name === 'default' || name === 'root') throw badRequest(`cannot delete "${name}" policy`);
    state.policies.delete(name);
    return noContent();
  }
  throw unsupportedOperation();
}

function policyList(ctx: RequestContext, injectIt: boolean): Reply {
  const keys = [...ctx.state.policies.keys(), 'root'].sort();
  const data = { keys, policies: keys };
  return injectIt ? injected(data) : ok({ data, mount_type: 'system' });
}

/** `sys/internal/ui/mounts/<path>`: KV version detection. Needs a token with access under the mount. */
export function internalUiMounts(ctx: RequestContext, path: string): Reply {
  const token = ctx.state.tokens.get(ctx.rawToken);
  if (path.replace(/\/+$/, '') === '') return internalUiMountList(ctx);
  if (!token) throw permissionDenied();
  const found = ctx.state.findMount(path.replace(/\/+$/, ''));
  const isRoot = token.policies.includes('root');
  if (!found || (!isRoot && !ctx.state.aclFor(token.policies).allowsAnyUnder(`${found.mount.path}/`))) {
    throw new HttpError(403, [
      `preflight capability check returned 403, please ensure client's policies grant access to path "${path.replace(/\/+$/, '')}/"`,
    ]);
  }
  const entry = secretMountEntries(ctx.state)[`${found.mount.path}/`]!;
  return ok({ data: { ...entryInfo(entry), path: `${found.mount.path}/` }, mount_type: 'system' });
}

/**
 * `sys/internal/ui/mounts`: `{secret: {...}, auth: {...}}` of the mounts the caller may use
 * (handleInternalUIMountsRead: with no token only `listing_visibility=unauth` mounts, which the dev
 * server never sets, so both maps are empty).
 */
function internalUiMountList(ctx: RequestContext): Reply {
  const token = ctx.state.tokens.get(ctx.rawToken);
  const secret: Record<string, unknown> = {};
  const auth: Record<string, unknown> = {};
  if (token) {
    const isRoot = token.policies.includes('root');
    const acl = ctx.state.aclFor(token.policies);
    for (const [path, entry] of Object.entries(secretMountEntries(ctx.state)))
      if (isRoot || acl.allowsAnyUnder(path)) secret[path] = entryInfo(entry);
    for (const [path, entry] of Object.entries(authMountEntries(ctx.state)))
      if (isRoot || acl.allowsAnyUnder(`auth/${path}`)) auth[path] = entryInfo(entry);
  }
  return ok({ data: { auth, secret }, mount_type: 'system' });
}

/** Authenticated `sys/` endpoints other than leases. */
export function sysRoute(ctx: RequestContext): Reply {
  const p = ctx.path;
  if (p === 'sys/mounts' || p === 'sys/mounts/') {
    if (ctx.operation !== 'read') throw unsupportedOperation();
    return injected(infoMap(secretMountEntries(ctx.state)));
  }
  if (p.startsWith('sys/mounts/')) return mountsPath(ctx, p.slice('sys/mounts/'.length));
  if (p === 'sys/auth' || p === 'sys/auth/') {
    if (ctx.operation !== 'read') throw unsupportedOperation();
    return injected(infoMap(authMountEntries(ctx.state)));
  }
  if (p.startsWith('sys/auth/')) return authPath(ctx, p.slice('sys/auth/'.length));
  const policyMatch = /^sys\/(policy|policies\/acl)\/(.*[^/])$/.exec(p);
  if (policyMatch && ctx.operation !== 'list')
    return policy(ctx, policyMatch[2]!, policyMatch[1] === 'policy' ? 'rules' : 'policy');
  if (/^sys\/policy\/?$/.test(p) && (ctx.operation === 'read' || ctx.operation === 'list'))
    return policyList(ctx, true);
  if (/^sys\/policies\/acl\/?$/.test(p) && ctx.operation === 'list') return policyList(ctx, false);
  if (p === 'sys/seal') {
    if (ctx.operation !== 'update') throw unsupportedOperation();
    // Sealing needs sudo on sys/seal (vault/request_handling.go RootPrivsRequired).
    const token = ctx.token!;
    if (!token.policies.includes('root') && !ctx.state.aclFor(token.policies).allows('sys/seal', 'sudo'))
      throw aclDenied();
    ctx.state.sealed = true;
    return noContent();
  }
  throw unsupportedPath();
}
