import { list, str, type RequestContext } from '../http/context';
import {
  badRequest,
  HttpError,
  notFound,
  permissionDenied,
  unsupportedOperation,
  unsupportedPath,
} from '../http/errors';
import { parseTokenFields, tokenData } from './role-fields';
import { noContent, ok, type Reply } from '../http/envelope';
import { checkClaims, decodeUnverified } from '../jwt';
import type { KubernetesMount } from '../state';
import { sanitizePolicies } from '../token-store';
import type { KubernetesRoleConfig } from '../types';

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

  // path_login.go parseAndValidateJWT: the claims are read without checking the signature
  // (DontVerifySignature); an unparseable token is "permission denied".
  const claims = decodeUnverified(jwt);
  if (!claims) throw permissionDenied();
  const claimError = checkClaims(
    claims,
    {
      ...(mount.issuer ? { issuer: mount.issuer } : {}),
      ...(role.audience ? { audience: role.audience } : {}),
    },
    // Go compares time.Time to the nanosecond: keep the fraction of the second.
    Date.now() / 1000,
  );
  if (claimError) throw new HttpError(403, [claimError]);
  const sa = serviceAccountOf(claims);
  const names = role.bound_service_account_names;
  if (!(names.length === 1 && names[0] === '*') && (!sa.name || !globContains(names, sa.name)))
    throw new HttpError(403, ['service account name not authorized']);
  const namespaces = role.bound_service_account_namespaces;
  if (!(namespaces[0] === '*' || (sa.namespace && globContains(namespaces, sa.namespace))))
    throw new HttpError(403, ['namespace not authorized']);
  // Then TokenReview (sa.lookup): our key pair stands in for it; a forged token is "permission denied".
  if (!ctx.state.signer.verify(jwt)) throw permissionDenied();
  if (!sa.uid) throw new HttpError(500, ['could not parse UID from claims']);

  const policies = sanitizePolicies(role.token_policies ?? []);
  const entry = ctx.state.tokens.create({
    policies,
    ttl: role.token_ttl ?? 3600,
    maxTtl: role.token_max_ttl ?? 0,
    meta: {
      role: roleName,
      service_account_name: sa.name ?? '',
      service_account_namespace: sa.namespace ?? '',
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

/** path_role.go pathRoleCreateUpdate's checks and messages. */
function roleFromBody(body: Record<string, unknown>): KubernetesRoleConfig {
  const names = list(body.bound_service_account_names) ?? [];
  const namespaces = list(body.bound_service_account_namespaces) ?? [];
  const selector = str(body, 'bound_service_account_namespace_selector') ?? '';
  if (names.length === 0) throw badRequest('"bound_service_account_names" can not be empty');
  if (names.length > 1 && names.includes('*')) throw badRequest('can not mix "*" with values');
  if (namespaces.length === 0 && selector === '')
    throw badRequest(
      '"bound_service_account_namespaces" can not be empty if "bound_service_account_namespace_selector" is not set',
    );
  if (namespaces.length > 1 && namespaces.includes('*')) throw badRequest('can not mix "*" with values');
  const aliasSource = str(body, 'alias_name_source') ?? 'serviceaccount_uid';
  if (aliasSource !== 'serviceaccount_uid' && aliasSource !== 'serviceaccount_name')
    throw badRequest(
      `invalid alias_name_source "${aliasSource}", must be one of: serviceaccount_uid, serviceaccount_name`,
    );
  return {
    bound_service_account_names: names,
    bound_service_account_namespaces: namespaces,
    ...(selector ? { bound_service_account_namespace_selector: selector } : {}),
    ...(str(body, 'audience') ? { audience: str(body, 'audience')! } : {}),
    alias_name_source: aliasSource,
    ...parseTokenFields(body),
  };
}

/** path_role.go pathRoleRead: every field, defaults included, deprecated names only when used. */
function roleData(role: KubernetesRoleConfig): Record<string, unknown> {
  return {
    bound_service_account_names: role.bound_service_account_names,
    bound_service_account_namespaces: role.bound_service_account_namespaces,
    bound_service_account_namespace_selector: role.bound_service_account_namespace_selector ?? '',
    ...(role.audience ? { audience: role.audience } : {}),
    ...tokenData(role),
    alias_name_source: role.alias_name_source ?? 'serviceaccount_uid',
  };
}

/** path_config.go pathConfigWrite: `kubernetes_host` required; stored fields read back (never the reviewer JWT). */
function writeConfig(ctx: RequestContext, mount: KubernetesMount): Reply {
  const b = ctx.body;
  const host = str(b, 'kubernetes_host');
  if (!host) throw badRequest('no host provided');
  const caCert = str(b, 'kubernetes_ca_cert') ?? '';
  if (caCert && !/-----BEGIN [A-Z ]+-----[\s\S]+-----END [A-Z ]+-----/.test(caCert))
    throw badRequest('The provided CA PEM data contains no valid certificates');
  const bool = (key: string) => b[key] === true || b[key] === 'true';
  const issuer = str(b, 'issuer') ?? '';
  // Since plugin v0.13 disable_iss_validation defaults to true.
  const disableIss = b.disable_iss_validation === undefined ? true : bool('disable_iss_validation');
  mount.config = {
    kubernetes_host: host,
    kubernetes_ca_cert: caCert,
    pem_keys: list(b.pem_keys) ?? [],
    issuer,
    disable_iss_validation: disableIss,
    disable_local_ca_jwt: bool('disable_local_ca_jwt'),
    token_reviewer_jwt_set: Boolean(str(b, 'token_reviewer_jwt')),
    use_annotations_as_alias_metadata: bool('use_annotations_as_alias_metadata'),
  };
  mount.configured = true;
  if (issuer && !disableIss) mount.issuer = issuer;
  else delete mount.issuer;
  return noContent();
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
      if (!mount.configured || !mount.config) throw notFound();
      return ok({ data: { ...mount.config }, mount_type: 'kubernetes' });
    }
    if (ctx.operation === 'update' || ctx.operation === 'create') return writeConfig(ctx, mount);
    throw unsupportedOperation();
  }
  const roleMatch = /^role\/([^/]+)$/.exec(rest);
  if (roleMatch) {
    const name = roleMatch[1]!;
    if (ctx.operation === 'read') {
      const role = mount.roles.get(name);
      if (!role) throw notFound();
      return ok({ data: roleData(role), mount_type: 'kubernetes' });
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
  if ((rest === 'role' || rest === 'role/') && ctx.operation === 'list') {
    if (mount.roles.size === 0) throw notFound();
    return ok({ data: { keys: [...mount.roles.keys()].sort() }, mount_type: 'kubernetes' });
  }
  throw unsupportedPath();
}
