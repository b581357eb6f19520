import type { RequestContext } from './http/context';
import type { Capability } from './policy';
import { aclDenied, invalidToken, noHandler, permissionDenied, sealed } from './http/errors';
import type { Reply } from './http/envelope';
import { approleRoute } from './routes/approle';
import { databaseRoute } from './routes/database';
import { kubernetesRoute } from './routes/kubernetes';
import { kvExists, kvRoute } from './routes/kv';
import { leasesRoute } from './routes/leases';
import { internalUiMounts, sysRoute } from './routes/sys';
import { sysStatusRoute } from './routes/sys-status';
import { tokenRoute } from './routes/token';
import { help } from './routes/help';
import { unwrap, wrappingLookup, wrapReply } from './routes/wrapping';

const LOGIN = /^auth\/(.+)\/login$/;

/** Vault's request flow: status endpoints → seal check → login paths → token → ACL → backend → wrapping. */
export async function route(ctx: RequestContext): Promise<Reply> {
  const status = sysStatusRoute(ctx);
  if (status) return status;
  if (ctx.state.sealed || !ctx.state.initialized) throw sealed();
  const reply = await routeUnsealed(ctx);
  return ctx.wrapTtl > 0 ? wrapReply(ctx, reply, ctx.wrapTtl) : reply;
}

async function routeUnsealed(ctx: RequestContext): Promise<Reply> {
  const { state } = ctx;
  if (ctx.query.has('help') && ctx.query.get('help') !== '') return help(ctx);
  if (ctx.path === 'sys/wrapping/lookup') return wrappingLookup(ctx);
  // Without `token` in the body, the client token is the wrapping token (vault/wrapping.go
  // ValidateWrappingToken); a used, expired or ordinary token is 400, not a token error.
  if (ctx.path === 'sys/wrapping/unwrap' && !ctx.body.token && ctx.rawToken) return unwrap(ctx);

  const login = LOGIN.exec(ctx.path);
  if (login) {
    const mount = login[1]!;
    const k8s = state.kubernetes.get(mount);
    if (k8s) return kubernetesRoute(ctx, mount, k8s, 'login');
    const approle = state.approle.get(mount);
    if (approle) return approleRoute(ctx, mount, approle, 'login');
    if (mount !== 'token') throw noHandler(ctx.path);
  }
  if (ctx.path === 'sys/internal/ui/mounts' || ctx.path.startsWith('sys/internal/ui/mounts/'))
    return internalUiMounts(ctx, ctx.path.slice('sys/internal/ui/mounts/'.length));

  if (!ctx.rawToken) throw permissionDenied();
  const token = state.tokens.get(ctx.rawToken);
  if (!token) throw invalidToken();
  ctx.token = token;
  authorize(ctx);
  state.tokens.use(token);
  return dispatch(ctx);
}

/** The ACL check; a write needs `create` when the target does not exist yet, else `update`. */
function authorize(ctx: RequestContext): void {
  const token = ctx.token!;
  if (token.policies.includes('root')) return;
  const acl = ctx.state.aclFor(token.policies);
  let needed: string = ctx.operation;
  if (ctx.operation === 'update') {
    const found = ctx.state.findMount(ctx.path);
    if (found?.mount.type === 'kv' && !kvExists(found.mount, found.rest)) needed = 'create';
  }
  // GET carries its query as request data (http/logical.go parseQuery); writes carry the body.
  const data =
    ctx.operation === 'read'
      ? Object.fromEntries([...ctx.query.entries()].filter(([k]) => k !== 'list' && k !== 'help'))
      : ctx.body;
  if (!acl.allowsRequest(ctx.path, needed as Capability, data, ctx.wrapTtl)) throw aclDenied();
}

async function dispatch(ctx: RequestContext): Promise<Reply> {
  const { state, path } = ctx;
  if (/^sys\/(leases\/)?(renew|revoke|lookup)(\/|$)/.test(path)) return leasesRoute(ctx);
  if (path === 'sys/wrapping/unwrap') return unwrap(ctx);
  if (path.startsWith('sys/')) return sysRoute(ctx);
  if (path.startsWith('auth/token/')) return tokenRoute(ctx);
  const auth = /^auth\/([^/]+)\/(.+)$/.exec(path);
  if (auth) {
    const [, mount, rest] = auth as unknown as [string, string, string];
    const k8s = state.kubernetes.get(mount);
    if (k8s) return kubernetesRoute(ctx, mount, k8s, rest);
    const approle = state.approle.get(mount);
    if (approle) return approleRoute(ctx, mount, approle, rest);
    throw noHandler(path);
  }
  const found = state.findMount(path);
  if (!found) throw noHandler(path);
  if (found.mount.type === 'database') return databaseRoute(ctx, found.mount, found.rest);
  return kvRoute(ctx, found.mount, found.rest);
}
