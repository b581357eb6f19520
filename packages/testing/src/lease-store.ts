import { base62, goDuration, rfc3339 } from './util';

export interface Lease {
  id: string;
  issuedAt: number;
  expiresAt: number;
  /** Absolute ceiling from the role's max TTL (ms epoch). */
  maxExpiresAt: number;
  defaultTtl: number;
  renewable: boolean;
  lastRenewal: number | null;
  /** Called once when the lease is revoked or expires (e.g. drop the database role). */
  onRevoke?: () => Promise<void> | void;
  /** Called after a renewal with the new expiry (e.g. extend the database role's VALID UNTIL). */
  onRenew?: (expiresAt: Date) => Promise<void> | void;
}

/** Dynamic-secret leases: issue, renew (capped at max TTL from issue), revoke, expire. */
export class LeaseStore {
  private readonly leases = new Map<string, Lease>();
  private sweeper: NodeJS.Timeout | undefined;

  constructor() {
    // Expired leases are revoked in the background like Vault's expiration manager does.
    this.sweeper = setInterval(() => this.sweep(), 1000);
    this.sweeper.unref();
  }

  issue(
    requestPath: string,
    ttl: number,
    maxTtl: number,
    hooks: Pick<Lease, 'onRevoke' | 'onRenew'> = {},
  ): Lease {
    const now = Date.now();
    const lease: Lease = {
      id: `${requestPath}/${base62(24)}`,
      issuedAt: now,
      expiresAt: now + Math.min(ttl, maxTtl) * 1000,
      maxExpiresAt: now + maxTtl * 1000,
      defaultTtl: ttl,
      renewable: true,
      lastRenewal: null,
      ...hooks,
    };
    this.leases.set(lease.id, lease);
    return lease;
  }

  /** A live lease; an expired one is revoked and reported as not found. */
  get(id: string): Lease | undefined {
    const lease = this.leases.get(id);
    if (lease && lease.expiresAt <= Date.now()) {
      void this.revoke(id);
      return undefined;
    }
    return lease;
  }

  renew(lease: Lease, increment: number | undefined): { ttl: number; warning?: string } {
    const now = Date.now();
    const requested = increment && increment > 0 ? increment : lease.defaultTtl;
    const left = Math.max(0, Math.floor((lease.maxExpiresAt - now) / 1000));
    const ttl = Math.min(requested, left);
    lease.expiresAt = now + ttl * 1000;
    lease.lastRenewal = now;
    if (ttl < requested) {
      return {
        ttl,
        warning: `TTL of "${goDuration(requested)}" exceeded the effective max_ttl of "${goDuration(left)}"; TTL value is capped accordingly`,
      };
    }
    return { ttl };
  }

  async revoke(id: string): Promise<void> {
    const lease = this.leases.get(id);
    if (!lease) return;
    this.leases.delete(id);
    await lease.onRevoke?.();
  }

  lookupData(lease: Lease) {
    return {
      expire_time: rfc3339(lease.expiresAt),
      id: lease.id,
      issue_time: rfc3339(lease.issuedAt),
      last_renewal: lease.lastRenewal === null ? null : rfc3339(lease.lastRenewal),
      renewable: lease.renewable,
      ttl: Math.max(0, Math.round((lease.expiresAt - Date.now()) / 1000)),
    };
  }

  private sweep(): void {
    const now = Date.now();
    for (const lease of [...this.leases.values()]) {
      if (lease.expiresAt <= now) void this.revoke(lease.id);
    }
  }

  /** Stops the sweeper and revokes every lease (so a real database is left clean). */
  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
    await Promise.allSettled([...this.leases.keys()].map((id) => this.revoke(id)));
  }
}
