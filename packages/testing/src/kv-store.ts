import { rfc3339 } from './util';

/** One version of a KV v2 secret. */
export interface KvVersion {
  data: Record<string, unknown>;
  createdAt: number;
  /** ms epoch, or null when not deleted. */
  deletedAt: number | null;
  destroyed: boolean;
}

/** A KV v2 key: its versions and metadata, as vault-plugin-secrets-kv keeps them. */
export interface KvSecret {
  versions: Map<number, KvVersion>;
  currentVersion: number;
  oldestVersion: number;
  createdAt: number;
  updatedAt: number;
  customMetadata: Record<string, string> | null;
  maxVersions: number;
  casRequired: boolean;
}

/** Version metadata as the data endpoint reports it. */
export function versionMetadata(secret: KvSecret, version: number) {
  const v = secret.versions.get(version);
  return {
    created_time: v ? rfc3339(v.createdAt) : '',
    custom_metadata: secret.customMetadata,
    deletion_time: v?.deletedAt ? rfc3339(v.deletedAt) : '',
    destroyed: v?.destroyed ?? false,
    version,
  };
}

/** KV v2 storage of one mount: path → secret. */
export class KvV2Store {
  readonly secrets = new Map<string, KvSecret>();

  /** Effective max versions: the secret's, else the mount's, else 10 (KeyMetadata.AddVersion). */
  mountMaxVersions = 0;
  mountCasRequired = false;
  /** Stored and read back; versions are not deleted on a timer (not emulated). */
  mountDeleteVersionAfter = '0s';

  /** path_data.go validateCheckAndSetOption: throws Vault's message when the CAS option fails. */
  checkCas(path: string, cas: number | undefined): void {
    const secret = this.secrets.get(path);
    const current = secret?.currentVersion ?? 0;
    if (cas === undefined && (secret?.casRequired || this.mountCasRequired))
      throw new Error('check-and-set parameter required for this call');
    if (cas !== undefined && cas !== current)
      throw new Error('check-and-set parameter did not match the current version');
  }

  /** Writes a new version; throws a message for CAS failures. */
  write(path: string, data: Record<string, unknown>, cas?: number): number {
    this.checkCas(path, cas);
    let secret = this.secrets.get(path);
    const current = secret?.currentVersion ?? 0;
    const now = Date.now();
    if (!secret) {
      secret = {
        versions: new Map(),
        currentVersion: 0,
        oldestVersion: 0,
        createdAt: now,
        updatedAt: now,
        customMetadata: null,
        maxVersions: 0,
        casRequired: false,
      };
      this.secrets.set(path, secret);
    }
    const version = current + 1;
    secret.versions.set(version, {
      data: structuredClone(data),
      createdAt: now,
      deletedAt: null,
      destroyed: false,
    });
    secret.currentVersion = version;
    secret.updatedAt = now;
    if (secret.oldestVersion === 0) secret.oldestVersion = 1;
    const max = secret.maxVersions || this.mountMaxVersions || 10;
    while (secret.versions.size > max) {
      secret.versions.delete(secret.oldestVersion);
      secret.oldestVersion += 1;
    }
    return version;
  }
}

/** KV v1 storage of one mount: path → data. */
export type KvV1Store = Map<string, Record<string, unknown>>;
