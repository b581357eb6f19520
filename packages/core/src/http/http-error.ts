/** A non-2xx (or unparseable) answer from Vault, with what error mapping and retry need. */
import type { IncomingHttpHeaders } from 'node:http';

export class VaultHttpError extends Error {
  constructor(
    readonly status: number,
    /** Vault's `errors` strings (Vault puts at most one there in practice). */
    readonly errors: string[],
    readonly headers: IncomingHttpHeaders,
    /** API path without query, e.g. `/v1/kv/data/ACME/DEV/MYAPP`. */
    readonly path: string,
    /** The body the answer carried (parsed JSON), for 404s that still carry KV metadata. */
    readonly body: unknown,
    /** True when a 2xx body was not valid JSON. */
    readonly malformed = false,
  ) {
    super(malformed ? `unparseable response (HTTP ${status})` : `HTTP ${status}`);
    this.name = 'VaultHttpError';
  }

  /** Vault's error text, joined; callers redact before putting it in a message. */
  get vaultMessage(): string {
    return this.errors.join('; ');
  }
}
