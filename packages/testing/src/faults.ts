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

/** Requests per second beyond which Vault's rate-limit quota answers 429. */
export class RateLimiter {
  private limit = 0;
  private hits: number[] = [];

  set(requestsPerSecond: number): void {
    this.limit = requestsPerSecond;
    this.hits = [];
  }

  /** Seconds to wait when over the limit, else undefined (and the request is counted). */
  check(now: number): number | undefined {
    if (this.limit <= 0) return undefined;
    this.hits = this.hits.filter((t) => now - t < 1000);
    if (this.hits.length >= this.limit) {
      return Math.max(1, Math.ceil((1000 - (now - this.hits[0]!)) / 1000));
    }
    this.hits.push(now);
    return undefined;
  }

  get requestsPerSecond(): number {
    return this.limit;
  }
}

/** What an nginx in front of Vault answers when Vault is down. */
export function proxyErrorPage(status: number): string {
  const text = status === 502 ? 'Bad Gateway' : status === 504 ? 'Gateway Time-out' : 'Service Unavailable';
  return `<html>\r\n<head><title>${status} ${text}</title></head>\r\n<body>\r\n<center><h1>${status} ${text}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
}
