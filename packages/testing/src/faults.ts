import type { FaultMatch, FaultSpec } from './types';

interface ActiveFault {
  spec: FaultSpec;
  match: FaultMatch;
  remaining: number;
}

export interface FaultDecision {
  /** Total extra latency from latency faults that matched. */
  latencyMs: number;
  /** The first non-latency fault that matched, if any. */
  fault?: FaultSpec;
}

function pathMatches(pattern: FaultMatch['path'], path: string): boolean {
  if (pattern === undefined) return true;
  if (pattern instanceof RegExp) return pattern.test(path);
  if (pattern.endsWith('*')) return path.startsWith(pattern.slice(0, -1));
  return path === pattern;
}

/** Injected faults, checked in the order they were added. */
export class FaultRegistry {
  private faults: ActiveFault[] = [];

  add(spec: FaultSpec, match: FaultMatch = {}): () => void {
    const fault: ActiveFault = { spec, match, remaining: match.times ?? Infinity };
    this.faults.push(fault);
    return () => {
      this.faults = this.faults.filter((f) => f !== fault);
    };
  }

  clear(): void {
    this.faults = [];
  }

  /** Decides what happens to one request, counting down `times` on every fault that applies. */
  take(method: string, path: string): FaultDecision {
    const decision: FaultDecision = { latencyMs: 0 };
    for (const f of [...this.faults]) {
      if (f.match.method && f.match.method.toUpperCase() !== method) continue;
      if (!pathMatches(f.match.path, path)) continue;
      if (f.spec.type === 'latency') decision.latencyMs += f.spec.ms;
      else if (decision.fault) continue;
      else decision.fault = f.spec;
      f.remaining -= 1;
      if (f.remaining <= 0) this.faults = this.faults.filter((x) => x !== f);
    }
    return decision;
  }
}

export interface RateLimitOptions {
  /** The quota's `interval`: how often each client's tokens come back in full. Default 1 s. */
  intervalMs?: number;
  /**
   * `enable_rate_limit_response_headers` of `sys/quotas/config`: send `X-Ratelimit-*` on every
   * limited path and `Retry-After` on a 429. Off by default, as in Vault: a 429 then has no headers.
   */
  responseHeaders?: boolean;
}

export interface RateLimitDecision {
  allowed: boolean;
  /** What Vault adds to the answer (empty unless response headers are on). */
  headers: Record<string, string>;
}

interface Bucket {
  start: number;
  lastTick: number;
  available: number;
}

/**
 * Vault's rate-limit quota (vault/quotas/quotas_rate_limit.go on sethvargo/go-limiter's memorystore):
 * one bucket per client address, created full at the client's first request and refilled in full at
 * every whole interval since then — a fixed window per client, not a sliding one. `X-Ratelimit-Reset`
 * and `Retry-After` are the whole seconds (truncated) until that client's next refill, so often "0".
 */
export class RateLimiter {
  private tokens = 0;
  private intervalMs = 1000;
  private responseHeaders = false;
  private readonly buckets = new Map<string, Bucket>();

  /** `rate` requests per interval (rounded, as Vault does); 0 turns the quota off. */
  set(rate: number, options: RateLimitOptions = {}): void {
    this.tokens = Number.isFinite(rate) && rate > 0 ? Math.round(rate) : 0;
    this.intervalMs =
      options.intervalMs !== undefined && Number.isFinite(options.intervalMs) && options.intervalMs > 0
        ? options.intervalMs
        : 1000;
    this.responseHeaders = options.responseHeaders === true;
    this.buckets.clear();
  }

  /** Takes a token for `client`; undefined while the quota is off. */
  take(client: string, now: number): RateLimitDecision | undefined {
    if (this.tokens <= 0) return undefined;
    let bucket = this.buckets.get(client);
    if (!bucket) {
      bucket = { start: now, lastTick: 0, available: this.tokens };
      this.buckets.set(client, bucket);
    }
    const tick = Math.floor((now - bucket.start) / this.intervalMs);
    const reset = bucket.start + (tick + 1) * this.intervalMs;
    if (bucket.lastTick < tick) {
      bucket.available = this.tokens;
      bucket.lastTick = tick;
    }
    const allowed = bucket.available > 0;
    if (allowed) bucket.available -= 1;
    if (!this.responseHeaders) return { allowed, headers: {} };
    const resetSeconds = String(Math.trunc((reset - now) / 1000));
    return {
      allowed,
      headers: {
        'X-Ratelimit-Limit': String(this.tokens),
        'X-Ratelimit-Remaining': String(allowed ? bucket.available : 0),
        'X-Ratelimit-Reset': resetSeconds,
        ...(allowed ? {} : { 'Retry-After': resetSeconds }),
      },
    };
  }
}

/** What an nginx in front of Vault answers when Vault is down. */
export function proxyErrorPage(status: number): string {
  const text = status === 502 ? 'Bad Gateway' : status === 504 ? 'Gateway Time-out' : 'Service Unavailable';
  return `<html>\r\n<head><title>${status} ${text}</title></head>\r\n<body>\r\n<center><h1>${status} ${text}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
}
