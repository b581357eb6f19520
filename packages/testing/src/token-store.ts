import { randomUUID } from 'node:crypto';
import { base62, goDuration as goDur, rfc3339, SYSTEM_MAX_TTL } from './util';

export interface TokenEntry {
  id: string;
  accessor: string;
  policies: string[];
  meta: Record<string, string> | null;
  displayName: string;
  path: string;
  /** The TTL at creation, seconds; 0 = never expires (root). */
  creationTtl: number;
  /** The TTL of the last grant (creation or renewal): what a renewal without increment asks again. */
  grantedTtl: number;
  /** ms epoch; null = no expiry. */
  expiresAt: number | null;
  /** Hard ceiling (ms epoch) from explicit_max_ttl / the role's max TTL / the system max; null = none. */
  maxExpiresAt: number | null;
  explicitMaxTtl: number;
  renewable: boolean;
  numUses: number;
  orphan: boolean;
  entityId: string;
  createdAt: number;
  lastRenewal: number | null;
  /** The role that issued it, so renewal can re-check it still exists. */
  role?: { mount: string; name: string };
}

export interface NewToken {
  id?: string;
  policies: string[];
  ttl: number;
  maxTtl?: number;
  explicitMaxTtl?: number;
  renewable?: boolean;
  numUses?: number;
  meta?: Record<string, string> | null;
  displayName?: string;
  path?: string;
  orphan?: boolean;
  entityId?: string;
  role?: { mount: string; name: string };
}

/** `policyutil.SanitizePolicies`: trimmed, de-duplicated, sorted, `default` added unless root. */
export function sanitizePolicies(policies: string[], addDefault = true): string[] {
  const set = new Set(policies.map((p) => p.trim()).filter(Boolean));
  if (set.has('root')) return ['root'];
  if (addDefault) set.add('default');
  return [...set].sort();
}

export const newTokenId = (): string => `hvs.${base62(24)}`;

export class TokenStore {
  private readonly byId = new Map<string, TokenEntry>();

  /**
   * The effective max TTL is the least of the system max, the role's max and the explicit max
   * (sdk/framework/lease.go CalculateTTL); a TTL of 0 with neither max set never expires (root).
   */
  create(spec: NewToken): TokenEntry {
    const now = Date.now();
    const limits = [spec.explicitMaxTtl ?? 0, spec.maxTtl ?? 0].filter((v) => v > 0);
    const maxTtl = spec.ttl === 0 && limits.length === 0 ? 0 : Math.min(SYSTEM_MAX_TTL, ...limits);
    // maxTtl is 0 only for a TTL of 0.
    const ttl = Math.min(spec.ttl, maxTtl);
    const entry: TokenEntry = {
      id: spec.id ?? newTokenId(),
      accessor: base62(24),
      policies: spec.policies,
      meta: spec.meta ?? null,
      displayName: spec.displayName ?? 'token',
      path: spec.path ?? 'auth/token/create',
      creationTtl: ttl,
      grantedTtl: ttl,
      expiresAt: ttl > 0 ? now + ttl * 1000 : null,
      maxExpiresAt: maxTtl > 0 ? now + maxTtl * 1000 : null,
      explicitMaxTtl: spec.explicitMaxTtl ?? 0,
      renewable: spec.renewable ?? ttl > 0,
      numUses: spec.numUses ?? 0,
      orphan: spec.orphan ?? false,
      entityId: spec.entityId ?? '',
      createdAt: now,
      lastRenewal: null,
      ...(spec.role ? { role: spec.role } : {}),
    };
    this.byId.set(entry.id, entry);
    return entry;
  }

  /** A live token, or undefined when unknown, revoked or expired (expired ones are dropped). */
  get(id: string | undefined): TokenEntry | undefined {
    // An absent id finds nothing.
    const entry = this.byId.get(id as string);
    if (!entry) return undefined;
    if (entry.expiresAt !== null && entry.expiresAt <= Date.now()) {
      this.byId.delete(entry.id);
      return undefined;
    }
    return entry;
  }

  /** Counts one use of a limited-use token; revokes it when used up. */
  use(entry: TokenEntry): void {
    if (entry.numUses <= 0) return;
    entry.numUses -= 1;
    if (entry.numUses === 0) this.byId.delete(entry.id);
  }

  revoke(id: string): void {
    this.byId.delete(id);
  }

  /**
   * Renews by `increment` seconds; without one, a token of the token store asks its last grant
   * again (the lease entry keeps the renewed auth), one from a login its role's TTL (the plugin's
   * renew callback sets it). What is left before the max TTL is counted in whole seconds from the
   * issue time, both truncated (sdk/framework/lease.go CalculateTTL). Returns the TTL and a cap warning.
   */
  renew(entry: TokenEntry, increment: number | undefined): { ttl: number; warning?: string } {
    const now = Date.now();
    const fallback = entry.path.startsWith('auth/token/') ? entry.grantedTtl : entry.creationTtl;
    const requested = (increment ?? 0) > 0 ? (increment as number) : fallback;
    let ttl = requested;
    let warning: string | undefined;
    if (entry.maxExpiresAt !== null) {
      const maxTtl = (entry.maxExpiresAt - entry.createdAt) / 1000;
      const left = Math.max(0, Math.floor(entry.createdAt / 1000) + maxTtl - Math.floor(now / 1000));
      if (ttl > left) {
        ttl = left;
        warning = `TTL of "${goDur(requested)}" exceeded the effective max_ttl of "${goDur(left)}"; TTL value is capped accordingly`;
      }
    }
    entry.expiresAt = now + ttl * 1000;
    entry.grantedTtl = ttl;
    entry.lastRenewal = now;
    return warning ? { ttl, warning } : { ttl };
  }

  ttlOf(entry: TokenEntry): number {
    // A token that never expires (expiresAt null) reports 0, as Vault's root token does.
    return Math.max(0, Math.round(((entry.expiresAt ?? 0) - Date.now()) / 1000));
  }

  /** The `auth` block of login, create and renew responses. */
  authBlock(entry: TokenEntry, leaseDuration = this.ttlOf(entry)) {
    return {
      client_token: entry.id,
      accessor: entry.accessor,
      policies: entry.policies,
      token_policies: entry.policies,
      metadata: entry.meta,
      lease_duration: leaseDuration,
      renewable: entry.renewable,
      entity_id: entry.entityId,
      token_type: 'service',
      orphan: entry.orphan,
      mfa_requirement: null,
      num_uses: entry.numUses,
    };
  }

  /** The `data` of lookup-self. */
  lookupData(entry: TokenEntry) {
    return {
      accessor: entry.accessor,
      creation_time: Math.floor(entry.createdAt / 1000),
      creation_ttl: entry.creationTtl,
      display_name: entry.displayName,
      entity_id: entry.entityId,
      expire_time: entry.expiresAt === null ? null : rfc3339(entry.expiresAt),
      explicit_max_ttl: entry.explicitMaxTtl,
      id: entry.id,
      issue_time: rfc3339(entry.createdAt),
      ...(entry.lastRenewal !== null
        ? {
            last_renewal: rfc3339(entry.lastRenewal),
            last_renewal_time: Math.floor(entry.lastRenewal / 1000),
          }
        : {}),
      meta: entry.meta,
      num_uses: entry.numUses,
      orphan: entry.orphan,
      path: entry.path,
      policies: entry.policies,
      renewable: entry.renewable,
      ...(entry.role ? { role: entry.role.name } : {}),
      ttl: this.ttlOf(entry),
      type: 'service',
    };
  }
}

export const newEntityId = (): string => randomUUID();
