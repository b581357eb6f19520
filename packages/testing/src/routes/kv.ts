import type { RequestContext } from '../http/context';
import { badRequest, notFound, unsupportedOperation } from '../http/errors';
import { envelope, noContent, ok, type Reply } from '../http/envelope';
import { versionMetadata, type KvSecret, type KvV1Store, type KvV2Store } from '../kv-store';
import { isObject, mergePatch } from '../merge-patch';
import type { SecretMount } from '../state';
import { goDuration, parseDuration, rfc3339, SYSTEM_MAX_TTL } from '../util';

/** vault-plugin-secrets-kv backend.go pathInvalid: the warning names the CLI subcommand per operation. */
const SUBCOMMAND: Record<string, string> = {
  create: 'put',
  update: 'put',
  patch: 'patch',
  read: 'get',
  list: 'list',
  delete: 'delete',
};
const invalidV2Path = (operation: string) =>
  `Invalid path for a versioned K/V secrets engine. See the API docs for the appropriate API endpoints to use. If using the Vault CLI, use 'vault kv ${SUBCOMMAND[operation] ?? 'get'}' for this operation.`;

/** A 404 with warnings and no `errors` key, as `logical.RespondWithStatusCode` gives. */
const warningNotFound = (warning: string): Reply => ({
  status: 404,
  body: envelope({ warnings: [warning] }),
});

/** path_data.go: `options.cas`, weakly decoded to an integer. */
function casOption(body: Record<string, unknown>): number | undefined {
  const options = body.options;
  if (!isObject(options) || options.cas === undefined) return undefined;
  const cas =
    typeof options.cas === 'string' && /^\d+$/.test(options.cas) ? Number(options.cas) : options.cas;
  if (typeof cas !== 'number' || !Number.isFinite(cas))
    throw badRequest('error parsing check-and-set parameter');
  return Math.trunc(cas);
}

/** Current-version 404 body (deleted or destroyed): the metadata and no `errors`. */
function goneVersion(secret: KvSecret, version: number): Reply | undefined {
  const v = secret.versions.get(version);
  if (!v) return undefined;
  const deleted = v.deletedAt !== null && v.deletedAt <= Date.now();
  if (!deleted && !v.destroyed) return undefined;
  return { status: 404, body: envelope({ data: versionMetadata(secret, version) }) };
}

/** The child names one level below `prefix`: `a`, or `dir/` for deeper keys. */
function listKeys(paths: Iterable<string>, prefix: string): string[] {
  const base = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
  const keys = new Set<string>();
  for (const p of paths) {
    if (!p.startsWith(base)) continue;
    const rest = p.slice(base.length);
    const slash = rest.indexOf('/');
    keys.add(slash === -1 ? rest : rest.slice(0, slash + 1));
  }
  return [...keys].sort();
}

function listReply(keys: string[]): Reply {
  if (keys.length === 0) throw notFound();
  return ok({ data: { keys }, mount_type: 'kv' });
}

/** path_delete.go says `No version number provided`; path_destroy.go says `no version number provided`. */
function versionsOf(body: Record<string, unknown>, action: string): number[] {
  const v = body.versions;
  const arr = Array.isArray(v) ? v : typeof v === 'string' ? v.split(',') : v === undefined ? [] : [v];
  const out = arr.map(Number).filter((n) => Number.isInteger(n) && n > 0);
  if (out.length === 0) throw badRequest(`${action === 'destroy' ? 'n' : 'N'}o version number provided`);
  return out;
}

function dataRoute(ctx: RequestContext, store: KvV2Store, path: string): Reply {
  const secret = store.secrets.get(path);
  if (ctx.operation === 'read') {
    if (!secret) throw notFound();
    const raw = ctx.query.get('version');
    const version = raw && Number(raw) > 0 ? Number(raw) : secret.currentVersion;
    const v = secret.versions.get(version);
    if (!v) throw notFound();
    const metadata = versionMetadata(secret, version);
    const deleted = v.deletedAt !== null && v.deletedAt <= Date.now();
    // Deleted or destroyed: a 404 that still carries the metadata, and no `errors` key.
    if (deleted || v.destroyed) return { status: 404, body: envelope({ data: { data: null, metadata } }) };
    return ok({ data: { data: structuredClone(v.data), metadata }, mount_type: 'kv' });
  }
  if (ctx.operation === 'update' || ctx.operation === 'create') {
    const data = ctx.body.data;
    if (!isObject(data)) throw badRequest('no data provided');
    const cas = casOption(ctx.body);
    let version: number;
    try {
      version = store.write(path, data, cas);
    } catch (err) {
      throw badRequest((err as Error).message);
    }
    return ok({ data: versionMetadata(store.secrets.get(path)!, version), mount_type: 'kv' });
  }
  if (ctx.operation === 'patch') {
    // path_data.go pathDataPatch: data required; no secret → 404; CAS as for writes; a deleted or
    // destroyed current version → 404 with its metadata; else a JSON merge patch as a new version.
    if (ctx.body.data === undefined) throw badRequest('no data provided');
    if (!secret) throw notFound();
    const cas = casOption(ctx.body);
    try {
      store.checkCas(path, cas);
    } catch (err) {
      throw badRequest((err as Error).message);
    }
    const current = secret.versions.get(secret.currentVersion);
    if (!current) throw notFound();
    const gone = goneVersion(secret, secret.currentVersion);
    if (gone) return gone;
    const patched = mergePatch(current.data, ctx.body.data);
    const version = store.write(path, isObject(patched) ? patched : {}, secret.currentVersion);
    return ok({ data: versionMetadata(store.secrets.get(path)!, version), mount_type: 'kv' });
  }
  if (ctx.operation === 'delete') {
    const v = secret?.versions.get(secret.currentVersion);
    if (v && v.deletedAt === null) v.deletedAt = Date.now();
    return noContent();
  }
  throw unsupportedOperation();
}

function metadataRoute(ctx: RequestContext, store: KvV2Store, path: string): Reply {
  if (ctx.operation === 'list') return listReply(listKeys(store.secrets.keys(), path));
  const secret = store.secrets.get(path);
  if (ctx.operation === 'read') {
    if (!secret) throw notFound();
    const versions: Record<string, unknown> = {};
    for (const [n, v] of secret.versions) {
      versions[String(n)] = {
        created_time: rfc3339(v.createdAt),
        deletion_time: v.deletedAt ? rfc3339(v.deletedAt) : '',
        destroyed: v.destroyed,
      };
    }
    return ok({
      data: {
        cas_required: secret.casRequired,
        created_time: rfc3339(secret.createdAt),
        current_version: secret.currentVersion,
        custom_metadata: secret.customMetadata,
        delete_version_after: '0s',
        max_versions: secret.maxVersions,
        oldest_version: secret.oldestVersion,
        updated_time: rfc3339(secret.updatedAt),
        versions,
      },
      mount_type: 'kv',
    });
  }
  if (ctx.operation === 'delete') {
    store.secrets.delete(path);
    return noContent();
  }
  if (ctx.operation === 'update' || ctx.operation === 'create') {
    if (path === '') throw badRequest('missing path');
    if (!secret) {
      store.secrets.set(path, {
        versions: new Map(),
        currentVersion: 0,
        oldestVersion: 0,
        createdAt: Date.now(),
        updatedAt: Date.now(),
        customMetadata: null,
        maxVersions: 0,
        casRequired: false,
      });
    }
    applyMetadata(store.secrets.get(path)!, ctx.body, false);
    return casWarning(store, ctx.body);
  }
  if (ctx.operation === 'patch') {
    // path_metadata.go pathMetadataPatch: the key must exist (404 otherwise); fields merge-patched.
    if (path === '') throw badRequest('missing path');
    if (!secret) throw notFound();
    applyMetadata(secret, ctx.body, true);
    return casWarning(store, ctx.body);
  }
  throw unsupportedOperation();
}

function applyMetadata(secret: KvSecret, body: Record<string, unknown>, patch: boolean): void {
  if (body.max_versions !== undefined)
    secret.maxVersions = Math.max(0, Math.trunc(Number(body.max_versions) || 0));
  if (body.cas_required !== undefined)
    secret.casRequired = body.cas_required === true || body.cas_required === 'true';
  if (body.custom_metadata !== undefined) {
    const cm = body.custom_metadata;
    if (cm !== null && !isObject(cm)) throw badRequest('custom_metadata must be a map of strings');
    const next = patch
      ? (mergePatch(secret.customMetadata ?? {}, cm) as Record<string, unknown>)
      : (cm ?? {});
    secret.customMetadata = Object.fromEntries(Object.entries(next).map(([k, v]) => [k, String(v)]));
  }
}

/** The metadata writes' warning when the mount mandates CAS but the secret asks it off. */
function casWarning(store: KvV2Store, body: Record<string, unknown>): Reply {
  if (store.mountCasRequired && body.cas_required !== undefined && body.cas_required !== true)
    return ok({
      warnings: [
        '"cas_required" set to false, but is mandated by backend config. This value will be ignored.',
      ],
      mount_type: 'kv',
    });
  return noContent();
}

/** `<mount>/subkeys/<path>`: the secret's structure with leaf values replaced by null (path_subkeys.go). */
function subkeysRoute(ctx: RequestContext, store: KvV2Store, path: string): Reply {
  if (ctx.operation !== 'read') throw unsupportedOperation();
  const secret = store.secrets.get(path);
  if (!secret) throw notFound();
  const wanted = Number(ctx.query.get('version') ?? 0);
  const version = Number.isInteger(wanted) && wanted > 0 ? wanted : secret.currentVersion;
  const v = secret.versions.get(version);
  if (!v) throw notFound();
  const metadata = versionMetadata(secret, version);
  const gone = goneVersion(secret, version);
  if (gone) return { status: 404, body: envelope({ data: { subkeys: null, metadata } }) };
  const depth = Math.max(0, Math.trunc(Number(ctx.query.get('depth') ?? 0)) || 0);
  return ok({ data: { subkeys: removeValues(v.data, depth, 1), metadata }, mount_type: 'kv' });
}

function removeValues(
  input: Record<string, unknown>,
  maxDepth: number,
  depth: number,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) {
    const next = depth + 1;
    out[k] =
      isObject(v) && Object.keys(v).length > 0 && (maxDepth === 0 || next <= maxDepth)
        ? removeValues(v, maxDepth, next)
        : null;
  }
  return out;
}

/** `<mount>/config` (path_config.go): stored max_versions, cas_required, delete_version_after. */
function configRoute(ctx: RequestContext, store: KvV2Store): Reply {
  if (ctx.operation === 'read')
    return ok({
      data: {
        cas_required: store.mountCasRequired,
        delete_version_after: store.mountDeleteVersionAfter,
        max_versions: store.mountMaxVersions,
      },
      mount_type: 'kv',
    });
  if (ctx.operation !== 'update' && ctx.operation !== 'create') throw unsupportedOperation();
  const b = ctx.body;
  if (b.max_versions !== undefined)
    store.mountMaxVersions = Math.max(0, Math.trunc(Number(b.max_versions) || 0));
  if (b.cas_required !== undefined)
    store.mountCasRequired = b.cas_required === true || b.cas_required === 'true';
  if (b.delete_version_after !== undefined) {
    let seconds: number | undefined;
    try {
      seconds = parseDuration(b.delete_version_after);
    } catch (err) {
      throw badRequest((err as Error).message);
    }
    store.mountDeleteVersionAfter = seconds && seconds > 0 ? goDuration(seconds) : '0s';
  }
  return noContent();
}

function versionsRoute(ctx: RequestContext, store: KvV2Store, action: string, path: string): Reply {
  if (ctx.operation !== 'update') throw unsupportedOperation();
  const versions = versionsOf(ctx.body, action);
  const secret = store.secrets.get(path);
  for (const n of versions) {
    const v = secret?.versions.get(n);
    if (!v) continue;
    if (action === 'delete' && v.deletedAt === null && !v.destroyed) v.deletedAt = Date.now();
    if (action === 'undelete' && !v.destroyed) v.deletedAt = null;
    if (action === 'destroy') {
      v.destroyed = true;
      v.data = {};
    }
  }
  return noContent();
}

function kvV2(ctx: RequestContext, store: KvV2Store, rest: string): Reply {
  const m = /^(data|metadata|delete|undelete|destroy|subkeys)\/(.*)$/.exec(rest);
  if (m) {
    const [, kind, path = ''] = m;
    if (kind === 'data') return dataRoute(ctx, store, path);
    if (kind === 'metadata') return metadataRoute(ctx, store, path);
    if (kind === 'subkeys') return subkeysRoute(ctx, store, path);
    return versionsRoute(ctx, store, kind!, path);
  }
  if (rest === 'config') return configRoute(ctx, store);
  // backend.go pathInvalid: 404 with a warning and no `errors` key.
  if (['metadata', 'data', 'delete', 'undelete', 'destroy'].includes(rest))
    return warningNotFound('Non-listing operations on the root of a K/V v2 mount are not supported.');
  return warningNotFound(invalidV2Path(ctx.operation));
}

function kvV1(ctx: RequestContext, store: KvV1Store, path: string): Reply {
  switch (ctx.operation) {
    case 'list':
      return listReply(listKeys(store.keys(), path));
    case 'read': {
      const data = store.get(path);
      if (!data) throw notFound();
      const ttl = Number(data.ttl ?? data.lease);
      return ok({
        data: structuredClone(data),
        lease_duration: Number.isFinite(ttl) && ttl > 0 ? ttl : SYSTEM_MAX_TTL,
        mount_type: 'kv',
      });
    }
    case 'create':
    case 'update':
      store.set(path, structuredClone(ctx.body));
      return noContent();
    case 'delete':
      store.delete(path);
      return noContent();
    default:
      throw unsupportedOperation();
  }
}

/** True when the target already exists, so a write needs `update` rather than `create`. */
export function kvExists(mount: SecretMount, rest: string): boolean {
  if (mount.version === 1) return (mount.store as KvV1Store).has(rest);
  const m = /^(?:data|metadata)\/(.*)$/.exec(rest);
  return m ? (mount.store as KvV2Store).secrets.has(m[1]!) : true;
}

export function kvRoute(ctx: RequestContext, mount: SecretMount, rest: string): Reply {
  return mount.version === 2
    ? kvV2(ctx, mount.store as KvV2Store, rest)
    : kvV1(ctx, mount.store as KvV1Store, rest);
}
