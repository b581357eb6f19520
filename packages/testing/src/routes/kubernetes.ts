import { list, str, type RequestContext } from '../http/context';
import { badRequest, HttpError, notFound, permissionDenied, unsupportedPath } from '../http/errors';
import { noContent, ok, type Reply } from '../http/envelope';
import { checkClaims } from '../jwt';
import type { KubernetesMount } from '../state';
import { sanitizePolicies } from '../token-store';
import type { KubernetesRoleConfig } from '../types';
import { nowSeconds, parseDuration } from '../util';

/** `StrListContainsGlob`: `*` anywhere in a bound value is a glob. */
function globContains(patterns: string[], value: string): boolean {
  return patterns.some((p) => {
    if (!p.includes('*')) return p === value;
    const re = new RegExp(
      `^${p
        .split('*')
        .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
    );
    return re.test(value);
  });
}

interface SaClaims {
  namespace?: string;
  name?: string;
  uid?: string;
  secretName?: string;
}

/** Reads the projected (`kubernetes.io`) claims, falling back to the legacy flat ones. */
function serviceAccountOf(claims: Record<string, unknown>): SaClaims {
  const k8s = claims['kubernetes.io'] as
    { namespace?: string; serviceaccount?: { name?: string; uid?: string } } | undefined;
  if (k8s && typeof k8s === 'object') {
    return { namespace: k8s.namespace, name: k8s.serviceaccount?.name, uid: k8s.serviceaccount?.uid };
  }
  const legacy = (k: string) => claims[`kubernetes.io/serviceaccount/${k}`] as string | undefined;
  return {
    namespace: legacy('namespace'),
    name: legacy('service-account.name'),
    uid: legacy('service-account.uid'),
    secretName: legacy('secret.name'),
  };
}

function login(ctx: RequestContext, mountName: string, mount: KubernetesMount): Reply {
  const roleName = str(ctx.body, 'role');
  if (!roleName) throw badRequest('missing role');
  const jwt = str(ctx.body, 'jwt');
  if (!jwt) throw badRequest('missing jwt');
  const role = mount.roles.get(roleName);
  if (!role) throw badRequest(`invalid role name "${roleName}"`);
  if (!mount.configured) throw new HttpError(500, ['could not load backend configuration']);

  // Our key pair stands in for Kubernetes' TokenReview: a forged or unparseable JWT is plain "permission denied".
  const claims = ctx.state.signer.verify(jwt);
  if (!claims) throw permissionDenied();
  const claimError = checkClaims(
    claims,
    {
      ...(mount.issuer ? { issuer: mount.issuer } : {}),
      ...(role.audience ? { audience: role.audience } : {}),
    },
    nowSeconds(),
  );
  if (claimError) throw new HttpError(403, [claimError]);
  const sa = serviceAccountOf(claims);
  if (!sa.name || !globContains(role.bound_service_account_names, sa.name))
    throw new HttpError(403, ['service account name not authorized']);
  if (!sa.namespace || !globContains(role.bound_service_account_namespaces, sa.namespace))
    throw new HttpError(403, ['namespace not authorized']);
  if (!sa.uid) throw new HttpError(500, ['could not parse UID from claims']);

  const policies = sanitizePolicies(role.token_policies ?? []);
  const entry = ctx.state.tokens.create({
    policies,
    ttl: role.token_ttl ?? 3600,
    maxTtl: role.token_max_ttl ?? 0,
    meta: {
      role: roleName,
      service_account_name: sa.name,
      service_account_namespace: sa.namespace,
      service_account_secret_name: sa.secretName ?? '',
      service_account_uid: sa.uid,
    },
    displayName: `${mountName}-${sa.namespace}-${sa.name}`,
    path: `auth/${mountName}/login`,
    orphan: true,
    renewable: true,
    entityId: ctx.state.entityId(`${mountName}:${sa.uid}`),
    role: { mount: mountName, name: roleName },
  });
  return ok({ auth: ctx.state.tokens.authBlock(entry, entry.creationTtl), mount_type: 'kubernetes' });
}

function roleFromBody(body: Record<string, unknown>): KubernetesRoleConfig {
  const names = list(body.bound_service_account_names);
  const namespaces = list(body.bound_service_account_namespaces);
  if (!names?.length) throw badRequest('"bound_service_account_names" can not be empty');
  if (!namespaces?.length)
    throw badRequest(
      'either "bound_service_account_namespaces" or "bound_service_account_namespace_selector" must be set',
    );
  const policies = list(body.token_policies) ?? list(body.policies);
  const ttl = parseDuration(body.token_ttl ?? body.ttl);
  const maxTtl = parseDuration(body.token_max_ttl ?? body.max_ttl);
  return {
    bound_service_account_names: names,
    bound_service_account_namespaces: namespaces,
    ...(str(body, 'audience') ? { audience: str(body, 'audience')! } : {}),
    ...(policies ? { token_policies: policies } : {}),
    ...(ttl !== undefined ? { token_ttl: ttl } : {}),
    ...(maxTtl !== undefined ? { token_max_ttl: maxTtl } : {}),
  };
}

/** The kubernetes auth method: `login` (unauthenticated), `config` and `role/<name>`. */
export function kubernetesRoute(
  ctx: RequestContext,
  mountName: string,
  mount: KubernetesMount,
  rest: string,
): Reply {
  if (rest === 'login') {
    if (ctx.operation !== 'update') throw unsupportedPath();
    return login(ctx, mountName, mount);
  }
  if (rest === 'config') {
    if (ctx.operation === 'read') {
      if (!mount.configured) throw notFound();
      return ok({
        data: { issuer: mount.issuer ?? '', disable_iss_validation: !mount.issuer, kubernetes_host: '' },
        mount_type: 'kubernetes',
      });
    }
    mount.configured = true;
    const issuer = str(ctx.body, 'issuer');
    if (issuer && ctx.body.disable_iss_validation === false) mount.issuer = issuer;
    else delete mount.issuer;
    return noContent();
  }
  const roleMatch = /^role\/([^/]+)$/.exec(rest);
  if (roleMatch) {
    const name = roleMatch[1]!;
    if (ctx.operation === 'read') {
      const role = mount.roles.get(name);
      if (!role) throw notFound();
      return ok({ data: role, mount_type: 'kubernetes' });
    }
    if (ctx.operation === 'update') {
      mount.roles.set(name, roleFromBody(ctx.body));
      return noContent();
    }
    if (ctx.operation === 'delete') {
      mount.roles.delete(name);
      return noContent();
    }
  }
  if (rest === 'role' && ctx.operation === 'list') {
    if (mount.roles.size === 0) throw notFound();
    return ok({ data: { keys: [...mount.roles.keys()].sort() }, mount_type: 'kubernetes' });
  }
  throw unsupportedPath();
}
