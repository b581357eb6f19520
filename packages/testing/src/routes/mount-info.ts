import type { DevState, SecretMount } from '../state';
import { SYSTEM_MAX_TTL } from '../util';

/**
 * Mount-table entries as `vault/logical_system.go` mountInfo builds them: the built-in mounts every
 * Vault has (`sys/`, `cubbyhole/`, `identity/`) plus the enabled secret engines, and the auth table
 * (`token/` plus kubernetes/AppRole mounts). Accessors and UUIDs are stable per server.
 */

interface MountEntry {
  type: string;
  description: string;
  accessor: string;
  uuid: string;
  local: boolean;
  options: Record<string, string> | null;
  runningVersion: string;
  config: Record<string, unknown>;
}

const baseConfig = () => ({ default_lease_ttl: 0, force_no_cache: false, max_lease_ttl: 0 });

export function entryInfo(entry: MountEntry) {
  return {
    accessor: entry.accessor,
    config: entry.config,
    description: entry.description,
    external_entropy_access: false,
    local: entry.local,
    options: entry.options,
    plugin_version: '',
    running_plugin_version: entry.runningVersion,
    running_sha256: '',
    seal_wrap: false,
    type: entry.type,
    uuid: entry.uuid,
  };
}

function secretEntry(mount: SecretMount): MountEntry {
  return {
    type: mount.type,
    description: mount.description,
    accessor: mount.accessor,
    uuid: mount.uuid,
    local: false,
    options: mount.type === 'kv' ? { version: String(mount.version) } : null,
    runningVersion: mount.type === 'kv' ? 'v0.21.0+builtin' : 'v1.19.0+builtin.vault',
    config: baseConfig(),
  };
}

/** The built-in secret mounts a dev Vault lists, by path with trailing slash. */
function builtinSecretEntries(state: DevState): Record<string, MountEntry> {
  const ids = state.builtinIds;
  return {
    'cubbyhole/': {
      type: 'cubbyhole',
      description: 'per-token private secret storage',
      accessor: ids.cubbyhole.accessor,
      uuid: ids.cubbyhole.uuid,
      local: true,
      options: null,
      runningVersion: 'v1.19.0+builtin.vault',
      config: baseConfig(),
    },
    'identity/': {
      type: 'identity',
      description: 'identity store',
      accessor: ids.identity.accessor,
      uuid: ids.identity.uuid,
      local: false,
      options: null,
      runningVersion: 'v1.19.0+builtin.vault',
      config: { ...baseConfig(), passthrough_request_headers: ['Authorization'] },
    },
    'sys/': {
      type: 'system',
      description: 'system endpoints used for control, policy and debugging',
      accessor: ids.sys.accessor,
      uuid: ids.sys.uuid,
      local: false,
      options: null,
      runningVersion: 'v1.19.0+builtin.vault',
      config: { ...baseConfig(), passthrough_request_headers: ['Accept'] },
    },
  };
}

/** Every secret mount entry, keyed `path/`. */
export function secretMountEntries(state: DevState): Record<string, MountEntry> {
  const out: Record<string, MountEntry> = {};
  for (const mount of state.mounts.values()) out[`${mount.path}/`] = secretEntry(mount);
  return { ...out, ...builtinSecretEntries(state) };
}

/** Every auth mount entry, keyed `path/` (without the `auth/` prefix, as sys/auth lists them). */
export function authMountEntries(state: DevState): Record<string, MountEntry> {
  const config = () => ({ ...baseConfig(), token_type: 'default-service' });
  const out: Record<string, MountEntry> = {
    'token/': {
      type: 'token',
      description: 'token based credentials',
      accessor: state.builtinIds.token.accessor,
      uuid: state.builtinIds.token.uuid,
      local: false,
      options: null,
      runningVersion: 'v1.19.0+builtin.vault',
      config: config(),
    },
  };
  const add = (path: string, type: string, accessor: string, uuid: string) => {
    out[`${path}/`] = {
      type,
      description: '',
      accessor,
      uuid,
      local: false,
      options: {},
      runningVersion: type === 'kubernetes' ? 'v0.21.0+builtin' : 'v1.19.0+builtin.vault',
      config: config(),
    };
  };
  for (const [path, m] of state.kubernetes) add(path, 'kubernetes', m.accessor, m.uuid);
  for (const [path, m] of state.approle) add(path, 'approle', m.accessor, m.uuid);
  return out;
}

/** The entry owning `path` (longest prefix), as the router's MatchingMountEntry finds it. */
export function matchingEntry(
  entries: Record<string, MountEntry>,
  path: string,
): { path: string; entry: MountEntry } | undefined {
  const wanted = path.endsWith('/') ? path : `${path}/`;
  let best: string | undefined;
  for (const key of Object.keys(entries)) {
    if (wanted.startsWith(key) && (!best || key.length > best.length)) best = key;
  }
  return best ? { path: best, entry: entries[best]! } : undefined;
}

/** The tune view of a mount (`handleTuneReadCommon`): system TTLs unless tuned. */
export function tuneInfo(entry: MountEntry, auth: boolean) {
  return {
    description: entry.description,
    default_lease_ttl: SYSTEM_MAX_TTL,
    max_lease_ttl: SYSTEM_MAX_TTL,
    force_no_cache: false,
    ...(auth ? { token_type: 'default-service' } : {}),
    ...(entry.options && Object.keys(entry.options).length > 0 ? { options: entry.options } : {}),
  };
}
