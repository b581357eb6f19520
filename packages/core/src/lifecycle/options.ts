/** Options of the modes after start-up: revoke, refresh, dynamic secrets. */
import { VaultConfigurationError } from '../errors';
import type { AuthMethodName } from '../types';

/** A dynamic secret: `path` is read as is (e.g. `database/creds/app`); `keys` maps its fields. */
export interface DynamicSecretSpec {
  path: string;
  /** Field → key, e.g. `{ username: 'DB_USER', password: 'DB_PASSWORD' }`. Default: the field names. */
  keys?: Record<string, string>;
}

export interface ResolvedLifecycle {
  refreshIntervalMs: number | null;
  /** Revoke the token once loaded (start-up-only mode). */
  revokeToken: boolean;
  dynamic: DynamicSecretSpec[];
}

function invalidDynamic(problem: string): never {
  throw new VaultConfigurationError('VAULT_CONFIG_INVALID', `VAULT_DYNAMIC (option \`dynamic\`) ${problem}`, {
    setting: 'VAULT_DYNAMIC',
  });
}

/** `VAULT_DYNAMIC` (JSON) or the `dynamic` option, checked entry by entry. */
export function dynamicSpecs(value: unknown): DynamicSecretSpec[] {
  if (value === undefined) return [];
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      invalidDynamic('must be JSON: [{"path":"database/creds/app","keys":{"username":"DB_USER"}}]');
    }
  }
  if (!Array.isArray(parsed)) invalidDynamic('must be an array of { path, keys? }');
  return parsed.map((spec: unknown) => {
    const { path, keys } = (spec ?? {}) as { path?: unknown; keys?: unknown };
    if (typeof path !== 'string' || path.trim() === '') invalidDynamic('entries need a non-empty "path"');
    if (keys !== undefined) {
      const ok =
        typeof keys === 'object' &&
        keys !== null &&
        Object.values(keys).every((k) => typeof k === 'string' && k !== '');
      if (!ok) invalidDynamic(`"keys" of ${path} must map field names to key names`);
    }
    return {
      path: path.replace(/^\/+|\/+$/g, ''),
      ...(keys ? { keys: keys as Record<string, string> } : {}),
    };
  });
}

/** The parsed lifecycle settings (from the settings table) and the rule for revoking the token. */
export function resolveLifecycle(
  settings: {
    refreshInterval: number | undefined;
    revokeToken: boolean | undefined;
    dynamic: DynamicSecretSpec[];
  },
  authMethod: AuthMethodName | null,
): ResolvedLifecycle {
  const keepsToken = settings.refreshInterval !== undefined || settings.dynamic.length > 0;
  return {
    refreshIntervalMs: settings.refreshInterval ?? null,
    // A token we logged in for is ours to revoke; a token the user handed us (token auth) is not,
    // unless they say so. Refresh and dynamic modes need the token, so they keep it.
    revokeToken: !keepsToken && (settings.revokeToken ?? authMethod !== 'token'),
    dynamic: settings.dynamic,
  };
}
