import { newTokenId } from './token-store';
import { base62, rfc3339 } from './util';

export interface WrappedResponse {
  /** The full HTTP body that was wrapped (Vault stores the HTTP response JSON in the cubbyhole). */
  body: unknown;
  creationPath: string;
  createdAt: number;
  ttl: number;
  accessor: string;
}

/** Response-wrapping tokens: single use, expiring at their TTL. */
export class WrapStore {
  private readonly byToken = new Map<string, WrappedResponse>();

  wrap(body: unknown, creationPath: string, ttl: number) {
    const token = newTokenId();
    const entry: WrappedResponse = {
      body,
      creationPath,
      createdAt: Date.now(),
      ttl,
      accessor: base62(24),
    };
    this.byToken.set(token, entry);
    return { token, entry };
  }

  get(token: string | undefined): WrappedResponse | undefined {
    if (!token) return undefined;
    const entry = this.byToken.get(token);
    if (!entry) return undefined;
    if (entry.createdAt + entry.ttl * 1000 <= Date.now()) {
      this.byToken.delete(token);
      return undefined;
    }
    return entry;
  }

  /** Returns the wrapped body once; the token is gone afterwards. */
  take(token: string | undefined): WrappedResponse | undefined {
    const entry = this.get(token);
    if (entry) this.byToken.delete(token!);
    return entry;
  }

  has(token: string | undefined): boolean {
    return this.get(token) !== undefined;
  }
}

/** `wrap_info` as http/logical.go respondLogical writes it. */
export function wrapInfo(token: string, entry: WrappedResponse, wrappedAccessor: string) {
  return {
    token,
    accessor: entry.accessor,
    ttl: entry.ttl,
    creation_time: rfc3339(entry.createdAt),
    creation_path: entry.creationPath,
    ...(wrappedAccessor ? { wrapped_accessor: wrappedAccessor } : {}),
  };
}
