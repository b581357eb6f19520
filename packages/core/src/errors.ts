/**
 * Typed errors. Every error carries a stable `code` and a message that says what to check.
 * Messages never contain a secret value, a Vault token or a service-account JWT.
 *
 * A package loaded both as CJS and ESM exists twice in memory, so plain `instanceof` would fail
 * across the copies. Each class brands its instances with a `Symbol.for` key and checks the brand in
 * `Symbol.hasInstance` (undici does the same).
 */

const BRAND = Symbol.for('@vault-config/core.VaultError');

export type VaultErrorKind =
  'VaultError' | 'VaultConfigurationError' | 'VaultAuthenticationError' | 'VaultSecretError';

export type VaultErrorCode =
  // VaultConfigurationError
  | 'VAULT_CONFIG_INVALID'
  | 'VAULT_UNREACHABLE'
  | 'VAULT_SEALED'
  | 'VAULT_UNINITIALIZED'
  | 'VAULT_STANDBY'
  | 'VAULT_TLS'
  | 'VAULT_NOT_INITIALIZED'
  | 'VAULT_CLOSED'
  // VaultAuthenticationError
  | 'VAULT_TOKEN_FILE_MISSING'
  | 'VAULT_TOKEN_FILE_EMPTY'
  | 'VAULT_TOKEN_FILE_UNREADABLE'
  | 'VAULT_LOGIN_REJECTED'
  | 'VAULT_AUTH_MOUNT_NOT_FOUND'
  | 'VAULT_AUTH_RESPONSE_INVALID'
  | 'VAULT_TOKEN_EXPIRED'
  // VaultSecretError
  | 'VAULT_SECRET_NOT_FOUND'
  | 'VAULT_ACCESS_DENIED'
  | 'VAULT_REQUIRED_KEYS_MISSING'
  | 'VAULT_INVALID_KEY'
  | 'VAULT_INVALID_VALUE'
  | 'VAULT_RESPONSE_INVALID'
  | 'VAULT_RETRIES_EXHAUSTED'
  | 'VAULT_DEADLINE_EXCEEDED'
  | 'VAULT_LEASE_FAILED'
  // Reported by a consumer of rotated credentials (e.g. @vault-config/pg)
  | 'VAULT_POOL_CHECK_FAILED';

export interface VaultErrorDetails {
  /** The option or environment variable at fault, e.g. `VAULT_TIMEOUT`. */
  setting?: string;
  /** Key names involved (never values). */
  keys?: string[];
  /** HTTP status Vault answered with, when there was one. */
  status?: number;
  /** The Vault API path (without query) involved, when there was one. */
  path?: string;
  /** Attempts made before giving up. */
  attempts?: number;
  /** The underlying error; must itself be secret-free. */
  cause?: unknown;
  /**
   * The message as status surfaces show it (`last_error`, health bodies): without Vault's own
   * response text. Default: the message.
   */
  statusMessage?: string;
}

function hasBrand(value: unknown, kind: VaultErrorKind): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const kinds = (value as Record<symbol, unknown>)[BRAND];
  return Array.isArray(kinds) && kinds.includes(kind);
}

export class VaultError extends Error {
  readonly code: VaultErrorCode;
  readonly setting?: string;
  readonly keys?: string[];
  readonly status?: number;
  readonly path?: string;
  readonly attempts?: number;
  /** The message without Vault's response text, for status surfaces. */
  declare readonly statusMessage: string;

  constructor(code: VaultErrorCode, message: string, details: VaultErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.code = code;
    if (details.setting !== undefined) this.setting = details.setting;
    if (details.keys !== undefined) this.keys = details.keys;
    if (details.status !== undefined) this.status = details.status;
    if (details.path !== undefined) this.path = details.path;
    if (details.attempts !== undefined) this.attempts = details.attempts;
    Object.defineProperty(this, 'statusMessage', {
      value: details.statusMessage ?? message,
      enumerable: false,
    });
    const kinds: VaultErrorKind[] = ['VaultError'];
    if (new.target.name !== 'VaultError') kinds.push(new.target.name as VaultErrorKind);
    Object.defineProperty(this, BRAND, { value: kinds, enumerable: false });
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasBrand(value, this.name as VaultErrorKind);
  }

  /** One line for a start-up failure: class, code, what to check. */
  toLogLine(): string {
    return `${this.name} [${this.code}]: ${this.message}`;
  }
}

/** Bad options or environment, Vault unreachable, sealed or uninitialized, TLS trouble. */
export class VaultConfigurationError extends VaultError {}

/** Token file missing or empty, login rejected, malformed auth response. */
export class VaultAuthenticationError extends VaultError {}

/** Path not found, access denied, required keys missing, retries exhausted. */
export class VaultSecretError extends VaultError {}

export function isVaultError(value: unknown): value is VaultError {
  return hasBrand(value, 'VaultError');
}

/**
 * The one line an app prints when start-up fails: `Class [CODE]: what to check` for a VaultError,
 * `Name: message` otherwise. Never a stack trace.
 */
export function startupErrorLine(error: unknown): string {
  if (isVaultError(error)) return error.toLogLine();
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return `Error: ${String(error)}`;
}
