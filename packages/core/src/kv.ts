/**
 * KV reads. v2: GET <mount>/data/<path>[?version=N] → data.data; v1: GET <mount>/<path> → data.
 * `auto` asks sys/internal/ui/mounts once per mount (one extra round trip, documented).
 */
import { VaultSecretError } from './errors';
import type { NodeVaultClient } from './http-client';

export interface KvSecret {
  path: string;
  data: Record<string, unknown>;
  /** KV v2 version read; null for v1. */
  version: number | null;
  /** Present for KV v1 mounts and dynamic engines; kept for the lease it may carry. */
  leaseId: string | null;
  leaseDuration: number;
  renewable: boolean;
}

export function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

export function kvApiPath(mount: string, path: string, kvVersion: 1 | 2, version: number | null): string {
  const base =
    kvVersion === 2
      ? `${encodePath(mount)}/data/${encodePath(path)}`
      : `${encodePath(mount)}/${encodePath(path)}`;
  return version !== null && kvVersion === 2 ? `${base}?version=${version}` : base;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(mount: string, path: string, why: string): VaultSecretError {
  return new VaultSecretError('VAULT_RESPONSE_INVALID', `Vault's answer for ${mount}/${path} ${why}`, {
    path: `/v1/${mount}/${path}`,
  });
}

export async function readKv(
  client: NodeVaultClient,
  target: { mount: string; path: string; kvVersion: 1 | 2; version: number | null },
  requestOptions: Record<string, unknown>,
): Promise<KvSecret> {
  const { mount, path, kvVersion, version } = target;
  const body: unknown = await client.read(kvApiPath(mount, path, kvVersion, version), requestOptions);
  if (!isRecord(body)) throw invalid(mount, path, 'has no body');
  const envelope = body as {
    data?: unknown;
    lease_id?: unknown;
    lease_duration?: unknown;
    renewable?: unknown;
  };
  let data: unknown = envelope.data;
  let readVersion: number | null = null;
  if (kvVersion === 2) {
    if (!isRecord(data) || !('data' in data)) {
      throw invalid(
        mount,
        path,
        'is not a KV v2 answer (no data.data): if the mount is KV v1, set VAULT_KV_VERSION=1',
      );
    }
    const metadata = data.metadata;
    readVersion = isRecord(metadata) && typeof metadata.version === 'number' ? metadata.version : null;
    data = data.data;
  }
  if (!isRecord(data)) throw invalid(mount, path, 'carries no key/value object');
  return {
    path,
    data,
    version: readVersion,
    leaseId: typeof envelope.lease_id === 'string' && envelope.lease_id !== '' ? envelope.lease_id : null,
    leaseDuration: typeof envelope.lease_duration === 'number' ? envelope.lease_duration : 0,
    renewable: envelope.renewable === true,
  };
}

/** KV version of `mount` from sys/internal/ui/mounts (any token may read it for its own paths). */
export async function detectKvVersion(
  client: NodeVaultClient,
  mount: string,
  path: string,
  requestOptions: Record<string, unknown>,
): Promise<1 | 2> {
  const body = (await client.read(
    `sys/internal/ui/mounts/${encodePath(mount)}/${encodePath(path)}`,
    requestOptions,
  )) as {
    data?: { type?: unknown; options?: { version?: unknown } | null };
  } | null;
  const info = body?.data;
  if (!info || (info.type !== 'kv' && info.type !== 'generic')) {
    throw new VaultSecretError(
      'VAULT_RESPONSE_INVALID',
      `mount "${mount}" is not a KV secrets engine: check VAULT_MOUNT_POINT, or set VAULT_KV_VERSION`,
      { setting: 'VAULT_MOUNT_POINT' },
    );
  }
  return String(info.options?.version ?? '1') === '2' ? 2 : 1;
}
