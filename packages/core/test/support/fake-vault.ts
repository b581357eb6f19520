/**
 * Vault's lease rules on the fake clock, for the supervisor's unit tests: tokens and leases with a
 * TTL and a max TTL, renewals capped by the max TTL, revocation, outages, slow answers. Every call
 * is recorded with the fake time it was made at.
 */
import type { AuthSession } from '../../src/auth';
import type { DynamicSecretSpec } from '../../src/lifecycle/options';
import type { SupervisorOps } from '../../src/lifecycle/supervisor';
import type { DynamicLease } from '../../src/lifecycle/vault-ops';
import type { FakeClock } from './fake-clock';

export interface FakeVaultOptions {
  tokenTtl: number;
  tokenMaxTtl: number;
  tokenRenewable?: boolean;
  leaseTtl: number;
  leaseMaxTtl: number;
  leaseRenewable?: boolean;
  /** Answer for a dynamic path without a lease (static credentials). */
  leaseless?: { ttl?: number };
}

interface Issued {
  id: string;
  issuedAt: number;
  expiresAt: number;
  revoked: boolean;
}

export class VaultDown extends Error {
  readonly status = 503;
  readonly code = 'VAULT_SEALED';
}
class Refused extends Error {
  constructor(readonly status: number) {
    super(`refused ${status}`);
  }
}

export class FakeVault {
  readonly calls: { op: string; at: number }[] = [];
  down = false;
  /** Fake ms a dynamic read takes. */
  readLatencyMs = 0;
  /** Fake ms a KV read takes. */
  kvLatencyMs = 0;
  /** Fake ms a login takes. */
  loginLatencyMs = 0;
  /** Refuse lease renewals with 400 (e.g. the lease was revoked behind our back). */
  refuseLeaseRenewal = false;
  /** Fail lease revocations (Vault down for them only). */
  failRevoke = false;
  kv: Record<string, string> = { API_KEY: 'k1', DATABASE_URL: 'postgres://db' };
  private readonly tokens = new Map<string, Issued>();
  readonly leases = new Map<string, Issued>();
  private seq = 0;

  constructor(
    private readonly clock: FakeClock,
    private readonly o: FakeVaultOptions,
  ) {}

  count(op: string): number {
    return this.calls.filter((c) => c.op === op).length;
  }

  private record(op: string): void {
    this.calls.push({ op, at: this.clock.now() });
    if (this.down) throw new VaultDown('sealed');
  }

  private issue(map: Map<string, Issued>, prefix: string, ttl: number): Issued {
    const now = this.clock.now();
    // A TTL of 0 is Vault's "no expiry" (a root or periodic-less token).
    const expiresAt = ttl > 0 ? now + ttl * 1000 : Number.POSITIVE_INFINITY;
    const issued = { id: `${prefix}${(this.seq += 1)}`, issuedAt: now, expiresAt, revoked: false };
    map.set(issued.id, issued);
    return issued;
  }

  private live(entry: Issued | undefined): entry is Issued {
    return entry !== undefined && !entry.revoked && entry.expiresAt > this.clock.now();
  }

  private renew(entry: Issued, increment: number, maxTtl: number): number {
    const now = this.clock.now();
    const cap = entry.issuedAt + maxTtl * 1000;
    entry.expiresAt = Math.min(cap, now + increment * 1000);
    return Math.max(0, Math.round((entry.expiresAt - now) / 1000));
  }

  session(): AuthSession {
    const t = this.issue(this.tokens, 'hvs.t', this.o.tokenTtl);
    return {
      token: t.id,
      leaseDuration: this.o.tokenTtl,
      renewable: this.o.tokenRenewable !== false,
      obtainedAt: this.clock.now(),
    };
  }

  lease(spec: DynamicSecretSpec): DynamicLease {
    if (this.o.leaseless) {
      return {
        spec,
        leaseId: '',
        duration: 0,
        renewable: false,
        expiresAt: this.clock.now(),
        values: { DB_USER: `static`, DB_PASSWORD: `p${(this.seq += 1)}` },
        ...(this.o.leaseless.ttl ? { ttlSeconds: this.o.leaseless.ttl } : {}),
      };
    }
    const l = this.issue(this.leases, 'database/creds/app/l', this.o.leaseTtl);
    return {
      spec,
      leaseId: l.id,
      duration: this.o.leaseTtl,
      renewable: this.o.leaseRenewable !== false,
      expiresAt: l.expiresAt,
      values: { DB_USER: `v-${l.id}`, DB_PASSWORD: `p-${l.id}` },
    };
  }

  /** Revokes every token issued so far (an operator's `vault token revoke`): requests get 403. */
  revokeTokens(): void {
    for (const t of this.tokens.values()) t.revoked = true;
  }

  liveLeases(): string[] {
    return [...this.leases.values()].filter((l) => this.live(l)).map((l) => l.id);
  }

  readonly ops: SupervisorOps = {
    login: async () => {
      this.record('login');
      if (this.loginLatencyMs > 0) {
        await new Promise<void>((resolve) => this.clock.setTimer(this.loginLatencyMs, resolve));
      }
      return this.session();
    },
    lookupToken: async (token) => {
      this.record('lookup-self');
      const t = this.tokens.get(token);
      if (!this.live(t)) throw new Refused(403);
      const ttl = Number.isFinite(t.expiresAt) ? Math.round((t.expiresAt - this.clock.now()) / 1000) : 0;
      return {
        token,
        leaseDuration: ttl,
        renewable: this.o.tokenRenewable !== false,
        obtainedAt: this.clock.now(),
      };
    },
    renewToken: async (token, increment) => {
      this.record('renew-self');
      const t = this.tokens.get(token);
      if (!this.live(t)) throw new Refused(403);
      const ttl = this.renew(t, increment, this.o.tokenMaxTtl);
      return { token, leaseDuration: ttl, renewable: true, obtainedAt: this.clock.now() };
    },
    readKv: async (token) => {
      this.record('read-kv');
      // The answer is decided when it is sent: a token revoked meanwhile makes a slow read fail.
      if (this.kvLatencyMs > 0) {
        await new Promise<void>((resolve) => this.clock.setTimer(this.kvLatencyMs, resolve));
      }
      if (!this.live(this.tokens.get(token))) throw new Refused(403);
      return { ...this.kv };
    },
    readDynamic: async (token, spec) => {
      this.record('read-dynamic');
      if (!this.live(this.tokens.get(token))) throw new Refused(403);
      if (this.readLatencyMs > 0) {
        await new Promise<void>((resolve) => this.clock.setTimer(this.readLatencyMs, resolve));
      }
      return this.lease(spec);
    },
    renewLease: async (token, leaseId, increment) => {
      this.record('renew-lease');
      if (!this.live(this.tokens.get(token))) throw new Refused(403);
      const l = this.leases.get(leaseId);
      if (this.refuseLeaseRenewal || !this.live(l)) throw new Refused(400);
      return this.renew(l, increment, this.o.leaseMaxTtl);
    },
    revokeToken: async (token) => {
      this.record(`revoke-self ${token}`);
      if (this.failRevoke) throw new VaultDown('revoke failed');
      const t = this.tokens.get(token);
      if (t) t.revoked = true;
    },
    revokeLease: async (_token, leaseId) => {
      this.record(`revoke ${leaseId}`);
      if (this.failRevoke) throw new VaultDown('revoke failed');
      const l = this.leases.get(leaseId);
      if (l) l.revoked = true;
    },
  };
}
