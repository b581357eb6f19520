import { VaultError } from '@vault-config/core';

/**
 * New credentials failed the pool check: the pool keeps serving with the previous ones and retries.
 * The message names the Vault path, the key names and the driver's SQLSTATE, never the role name or
 * the password (a driver message can contain the role name, so it is not copied).
 */
export class VaultPoolError extends VaultError {
  /** SQLSTATE of the failure (`28P01` bad password, `57014` timeout…) when the server sent one. */
  readonly sqlState?: string;

  constructor(
    message: string,
    details: { path: string; keys: string[]; sqlState?: string; attempts: number },
  ) {
    super('VAULT_POOL_CHECK_FAILED', message, {
      path: details.path,
      keys: details.keys,
      attempts: details.attempts,
    });
    if (details.sqlState !== undefined) this.sqlState = details.sqlState;
  }
}

/** The SQLSTATE of a pg error, or the error's class name: safe to show, unlike the message. */
export function describeDriverError(error: unknown): { label: string; sqlState?: string } {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code))
    return { label: `SQLSTATE ${code}`, sqlState: code };
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return { label: code };
  return { label: error instanceof Error ? error.name : 'Error' };
}
