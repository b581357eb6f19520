import type { RequestContext } from '../http/context';
import { badRequest, notFound, unsupportedOperation } from '../http/errors';
import { envelope, noContent, ok, type Reply } from '../http/envelope';
import { versionMetadata, type KvV1Store, type KvV2Store } from '../kv-store';
import type { SecretMount } from '../state';
import { rfc3339, SYSTEM_MAX_TTL } from '../util';

const INVALID_V2_PATH =
  "Invalid path for a versioned K/V secrets engine. See the API docs for the appropriate API endpoints to use. If using the Vault CLI, use 'vault kv get' for this operation.";

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

function versionsOf(body: Record<string, unknown>): number[] {
  const v = body.versions;
  const arr = Array.isArray(v) ? v : typeof v === 'string' ? v.split(',') : v === undefined ? [] : [v];
  const out = arr.map(Number).filter((n) => Number.isInteger(n) && n > 0);
  if (out.length === 0) throw badRequest('no version number provided');
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
    if (!data || typeof data !== 'object' || Array.isArray(data)) throw badRequest('no data provided');
    const options = (ctx.body.options ?? {}) as { cas?: unknown };
    const cas = options.cas === undefined ? undefined : Number(options.cas);
    let version: number;
    try {
      version = store.write(path, data as Record<string, unknown>, cas);
    } catch (err) {
      throw badRequest((err as Error).message);
    }
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
  if (ctx.operation === 'update') {
    if (!secret) {
      store.write(path, {});
      const created = store.secrets.get(path)!;
      created.versions.clear();
      created.currentVersion = 0;
      created.oldestVersion = 0;
    }
    const s = store.secrets.get(path)!;
    if (ctx.body.max_versions !== undefined) s.maxVersions = Number(ctx.body.max_versions);
    if (ctx.body.cas_required !== undefined) s.casRequired = ctx.body.cas_required === true;
    if (ctx.body.custom_metadata !== undefined)
      s.customMetadata = ctx.body.custom_metadata as Record<string, string> | null;
    return noContent();
  }
  throw unsupportedOperation();
}

function versionsRoute(ctx: RequestContext, store: KvV2Store, action: string, path: string): Reply {
  if (ctx.operation !== 'update') throw unsupportedOperation();
  const versions = versionsOf(ctx.body);
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
  const m = /^(data|metadata|delete|undelete|destroy)(?:\/(.*))?$/.exec(rest);
  if (m) {
    const [, kind, path = ''] = m;
    if (kind === 'data') return dataRoute(ctx, store, path);
    if (kind === 'metadata') return metadataRoute(ctx, store, path);
    return versionsRoute(ctx, store, kind!, path);
  }
  if (rest === 'config') {
    if (ctx.operation === 'read')
      return ok({
        data: { cas_required: false, delete_version_after: '0s', max_versions: 0 },
        mount_type: 'kv',
      });
    return noContent();
  }
  // A v1-style call on a v2 mount: 404 with a warning and no `errors` key.
  return { status: 404, body: envelope({ warnings: [INVALID_V2_PATH] }) };
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
