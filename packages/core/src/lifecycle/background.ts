/**
 * What runs after start-up, by option: token renewal (re-login when it cannot be renewed), periodic
 * refresh, and dynamic-secret leases (renew at 2/3, rotate before max TTL, revoke the old lease).
 * Every timer is unref'ed and keeps scheduling with bounded backoff on errors; none of them can
 * crash the process. `stop()` clears them all.
 */
import type { AuthSession } from '../auth';
import type { KvSecret } from '../kv';
import type { CoreLogger } from '../logger';
import type { RetryPolicy } from '../retry';
import { toLastError } from '../status';
import type { VaultLastError } from '../types';
import type { DynamicLease, VaultOps } from './vault-ops';

export interface BackgroundHost {
  ops: VaultOps;
  log: CoreLogger;
  kvVersion: 1 | 2;
  refreshIntervalMs: number | null;
  timeoutMs: number;
  retryDelayMs: number;
  session(): AuthSession;
  setSession(session: AuthSession): void;
  /** New KV reads from a refresh. */
  applyKv(reads: KvSecret[]): void;
  /** New values of one dynamic secret (a rotation). */
  applyDynamic(lease: DynamicLease): void;
  /** A background step failed; secrets stay as they are. */
  degraded(error: VaultLastError): void;
  /** A background step succeeded after failures. */
  recovered(): void;
  /** A dynamic secret expired with no replacement: readiness must go down. */
  expired(error: VaultLastError): void;
}

const RENEW_AT = 2 / 3;

/** One attempt bounded by the request timeout: background timers retry with their own backoff. */
export function singleAttemptPolicy(timeoutMs: number): RetryPolicy {
  return {
    maxRetries: 0,
    baseDelayMs: 0,
    maxDelayMs: 0,
    deadline: Date.now() + timeoutMs + 1000,
    attemptTimeoutMs: timeoutMs,
  };
}
const MAX_BACKOFF_MS = 60_000;

export class Background {
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private readonly leases = new Map<string, DynamicLease>();
  private stopped = false;
  private failures = 0;

  constructor(private readonly host: BackgroundHost) {}

  start(leases: DynamicLease[]): void {
    this.scheduleTokenRenewal();
    if (this.host.refreshIntervalMs !== null) this.at(this.host.refreshIntervalMs, () => this.refresh());
    for (const lease of leases) this.track(lease);
  }

  /** Leases still held, for revocation on close. */
  heldLeases(): DynamicLease[] {
    return [...this.leases.values()];
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private at(ms: number, fn: () => Promise<void>): void {
    if (this.stopped) return;
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        if (!this.stopped)
          fn().catch((error: unknown) =>
            this.host.log.warn(`background step failed: ${toLastError(error).code}`),
          );
      },
      Math.max(0, ms),
    );
    timer.unref();
    this.timers.add(timer);
  }

  private policy(): RetryPolicy {
    return singleAttemptPolicy(this.host.timeoutMs);
  }

  private backoff(limitMs = MAX_BACKOFF_MS): number {
    const base = Math.max(this.host.retryDelayMs, 100) * 2 ** Math.min(this.failures, 10);
    return Math.min(limitMs, base) * (0.5 + Math.random() / 2);
  }

  private fail(error: unknown): void {
    this.failures += 1;
    const last = toLastError(error);
    this.host.log.warn(`background step failed (${last.code}); last good secrets kept, retrying`);
    this.host.degraded(last);
  }

  private succeed(): void {
    if (this.failures > 0) this.host.recovered();
    this.failures = 0;
  }

  // --- token ---------------------------------------------------------------------------------

  private scheduleTokenRenewal(): void {
    const { leaseDuration } = this.host.session();
    if (leaseDuration > 0) this.at(leaseDuration * 1000 * RENEW_AT, () => this.renewToken());
  }

  private async renewToken(): Promise<void> {
    const current = this.host.session();
    try {
      if (!current.renewable) throw new Error('not renewable');
      const renewed = await this.host.ops.renewSelf(current.token, current.leaseDuration, this.policy());
      // Capped by the max TTL: renewing again soon would not help, so log in again instead.
      if (renewed.leaseDuration < current.leaseDuration * RENEW_AT) await this.relogin();
      else this.host.setSession({ ...renewed, leaseDuration: renewed.leaseDuration });
      this.scheduleTokenRenewal();
    } catch {
      await this.relogin().then(
        () => this.scheduleTokenRenewal(),
        (error: unknown) => {
          this.fail(error);
          this.at(this.backoff(), () => this.renewToken());
        },
      );
    }
  }

  /** Logs in again; the auth method re-reads the service-account token file (the kubelet rotates it). */
  private async relogin(): Promise<void> {
    const session = await this.host.ops.login(this.policy());
    this.host.setSession(session);
    this.host.log.info('logged in to Vault again (token could not be renewed)');
    this.succeed();
  }

  // --- refresh -------------------------------------------------------------------------------

  private async refresh(): Promise<void> {
    const interval = this.host.refreshIntervalMs as number;
    try {
      const reads = await this.readKv();
      this.host.applyKv(reads);
      this.succeed();
      this.at(interval, () => this.refresh());
    } catch (error) {
      this.fail(error);
      this.at(this.backoff(interval), () => this.refresh());
    }
  }

  private async readKv(): Promise<KvSecret[]> {
    const read = () => this.host.ops.readKvAll(this.host.session().token, this.host.kvVersion, this.policy());
    try {
      return await read();
    } catch (error) {
      // A revoked or expired token reads as 403: log in again once, then read again.
      if ((error as { status?: number }).status !== 403) throw error;
      await this.relogin();
      return read();
    }
  }

  // --- dynamic leases ------------------------------------------------------------------------

  private track(lease: DynamicLease): void {
    this.leases.set(lease.spec.path, lease);
    const remaining = lease.expiresAt - Date.now();
    if (lease.renewable) this.at(remaining * RENEW_AT, () => this.renewLease(lease));
    else this.at(remaining * RENEW_AT, () => this.rotate(lease));
    this.watchExpiry(lease);
  }

  /** Readiness goes down only if this lease really expires with nothing in its place. */
  private watchExpiry(lease: DynamicLease): void {
    this.at(lease.expiresAt - Date.now(), async () => {
      if (this.leases.get(lease.spec.path) !== lease) return;
      // Renewed since this timer was set: watch the new expiry instead.
      if (lease.expiresAt > Date.now()) return this.watchExpiry(lease);
      this.host.expired({
        name: 'VaultSecretError',
        code: 'VAULT_LEASE_FAILED',
        message: `the lease of ${lease.spec.path} expired and no new credentials could be fetched`,
        at: new Date().toISOString(),
      });
    });
  }

  private async renewLease(lease: DynamicLease): Promise<void> {
    if (this.leases.get(lease.spec.path) !== lease) return;
    const remaining = lease.expiresAt - Date.now();
    try {
      const granted = await this.host.ops.renewLease(
        this.host.session().token,
        lease.leaseId,
        lease.duration,
        this.policy(),
      );
      lease.expiresAt = Date.now() + granted * 1000;
      this.succeed();
      // Capped by the role's max TTL: fetch new credentials ahead of expiry instead of renewing.
      if (granted < lease.duration) this.at(granted * 1000 * RENEW_AT, () => this.rotate(lease));
      else this.at(granted * 1000 * RENEW_AT, () => this.renewLease(lease));
    } catch (error) {
      if ((error as { status?: number }).status === 400) return this.rotate(lease);
      this.fail(error);
      this.at(Math.min(this.backoff(), remaining / 3), () => this.renewLease(lease));
    }
  }

  private async rotate(old: DynamicLease): Promise<void> {
    if (this.leases.get(old.spec.path) !== old) return;
    try {
      const fresh = await this.host.ops.readDynamic(this.host.session().token, old.spec, this.policy());
      this.succeed();
      this.host.applyDynamic(fresh);
      this.track(fresh);
      // The app swaps to the new credentials on the rotation event; give in-flight work a moment.
      const graceMs = Math.min(10_000, Math.max(0, (old.expiresAt - Date.now()) / 2));
      this.at(graceMs, () => this.revokeLease(old));
    } catch (error) {
      this.fail(error);
      const remaining = old.expiresAt - Date.now();
      if (remaining > 0) this.at(Math.min(this.backoff(), remaining / 3), () => this.rotate(old));
    }
  }

  async revokeLease(lease: DynamicLease): Promise<void> {
    try {
      await this.host.ops.revokeLease(this.host.session().token, lease.leaseId, this.policy());
    } catch (error) {
      this.host.log.warn(
        `could not revoke a lease of ${lease.spec.path} (${toLastError(error).code}); it expires on its own`,
      );
    }
  }
}
