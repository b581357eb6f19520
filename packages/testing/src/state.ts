import { randomBytes, randomUUID } from 'node:crypto';
import type { AppRoleConfig, DatabaseRoleConfig, KubernetesRoleConfig } from './types';
import { noopDatabaseBackend, type DatabaseBackend } from './database';
import { JwtSigner } from './jwt';
import { KvV2Store, type KvV1Store } from './kv-store';
import { LeaseStore } from './lease-store';
import { Acl, DEFAULT_POLICY, parsePolicy, type PolicyRule } from './policy';
import { TokenStore } from './token-store';
import { WrapStore } from './wrapping';
import { base62 } from './util';

export interface SecretMount {
  /** Without trailing slash, e.g. `kv`. */
  path: string;
  type: 'kv' | 'database';
  version: 1 | 2;
  accessor: string;
  uuid: string;
  description: string;
  store: KvV1Store | KvV2Store | null;
}

export interface KubernetesMount {
  configured: boolean;
  issuer?: string;
  /** The stored `config` fields, as written (read back by `config` reads). */
  config?: KubernetesAuthConfig;
  roles: Map<string, KubernetesRoleConfig>;
  accessor: string;
  uuid: string;
}

export interface AppRoleMount {
  roles: Map<string, { config: AppRoleConfig; roleId: string; secretIds: Set<string> }>;
  accessor: string;
  uuid: string;
}

/** The kubernetes auth `config` as stored. */
export interface KubernetesAuthConfig {
  kubernetes_host: string;
  kubernetes_ca_cert: string;
  pem_keys: string[];
  issuer: string;
  disable_iss_validation: boolean;
  disable_local_ca_jwt: boolean;
  token_reviewer_jwt_set: boolean;
  use_annotations_as_alias_metadata: boolean;
}

const builtinId = (type: string) => ({ accessor: `${type}_${base62(8).toLowerCase()}`, uuid: randomUUID() });

/** Everything the dev server remembers. Routes read and change it; nothing here speaks HTTP. */
export class DevState {
  sealed = false;
  initialized = true;
  /** The single unseal key of this dev server (base64), as `vault server -dev` prints one. */
  readonly unsealKey = randomBytes(32).toString('base64');
  /** Accessors and UUIDs of the mounts every Vault has. */
  readonly builtinIds = {
    sys: builtinId('system'),
    cubbyhole: builtinId('cubbyhole'),
    identity: builtinId('identity'),
    token: builtinId('auth_token'),
  };
  readonly clusterName = `vault-cluster-${base62(8).toLowerCase()}`;
  readonly clusterId = randomUUID();
  readonly mounts = new Map<string, SecretMount>();
  readonly policies = new Map<string, { hcl: string; rules: PolicyRule[] }>();
  readonly tokens = new TokenStore();
  readonly leases = new LeaseStore();
  readonly wraps = new WrapStore();
  readonly kubernetes = new Map<string, KubernetesMount>();
  readonly approle = new Map<string, AppRoleMount>();
  readonly databaseRoles = new Map<string, DatabaseRoleConfig>();
  readonly signer = new JwtSigner();
  /** Stable UIDs per service account (`ns/name`) and entity ids per alias. */
  readonly serviceAccountUids = new Map<string, string>();
  readonly entityIds = new Map<string, string>();

  constructor(public databaseBackend: DatabaseBackend = noopDatabaseBackend) {
    this.writePolicy('default', DEFAULT_POLICY);
  }

  enableKv(path: string, version: 1 | 2): SecretMount {
    const clean = path.replace(/^\/+|\/+$/g, '');
    const mount: SecretMount = {
      path: clean,
      type: 'kv',
      version,
      accessor: `kv_${base62(8).toLowerCase()}`,
      uuid: randomUUID(),
      description: 'key/value secret storage',
      store: version === 2 ? new KvV2Store() : new Map(),
    };
    this.mounts.set(clean, mount);
    return mount;
  }

  enableDatabase(path = 'database'): SecretMount {
    const existing = this.mounts.get(path);
    if (existing) return existing;
    const mount: SecretMount = {
      path,
      type: 'database',
      version: 1,
      accessor: `database_${base62(8).toLowerCase()}`,
      uuid: randomUUID(),
      description: '',
      store: null,
    };
    this.mounts.set(path, mount);
    return mount;
  }

  /** The mount owning `path` (longest prefix wins) and the path inside it. */
  findMount(path: string): { mount: SecretMount; rest: string } | undefined {
    let best: SecretMount | undefined;
    for (const mount of this.mounts.values()) {
      if (path === mount.path || path.startsWith(`${mount.path}/`)) {
        if (!best || mount.path.length > best.path.length) best = mount;
      }
    }
    return best ? { mount: best, rest: path.slice(best.path.length + 1) } : undefined;
  }

  writePolicy(name: string, hcl: string): void {
    this.policies.set(name, { hcl, rules: parsePolicy(hcl) });
  }

  aclFor(policies: string[]): Acl {
    return new Acl(policies.map((p) => this.policies.get(p)?.rules ?? []));
  }

  serviceAccountUid(namespace: string, name: string): string {
    const key = `${namespace}/${name}`;
    let uid = this.serviceAccountUids.get(key);
    if (!uid) this.serviceAccountUids.set(key, (uid = randomUUID()));
    return uid;
  }

  entityId(alias: string): string {
    let id = this.entityIds.get(alias);
    if (!id) this.entityIds.set(alias, (id = randomUUID()));
    return id;
  }

  authMountExists(mount: string): boolean {
    return mount === 'token' || this.kubernetes.has(mount) || this.approle.has(mount);
  }
}
