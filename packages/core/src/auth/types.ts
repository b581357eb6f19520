/** The one small interface every auth method implements. */
import { VaultAuthenticationError } from '../errors';
import type { NodeVaultClient } from '../http/client';
import type { AuthMethodName } from '../types';

/** A Vault token and what Vault said about it. The token never leaves the manager. */
export interface AuthSession {
  token: string;
  /** Seconds; 0 means unknown or no expiry. */
  leaseDuration: number;
  renewable: boolean;
  /** Epoch ms when the token was obtained. */
  obtainedAt: number;
}

export interface AuthMethod {
  readonly name: AuthMethodName;
  /** What to check when Vault rejects the login (names settings, never values). */
  readonly loginHint: string;
  /** The setting naming the auth mount, for a "no handler for route" answer. */
  readonly authMountSetting?: string;
  /** Whether login() talks to Vault (token auth does not). */
  readonly usesNetwork: boolean;
  /** One login attempt. Retries are the caller's. Sets nothing on the client. */
  login(client: NodeVaultClient, requestOptions: Record<string, unknown>): Promise<AuthSession>;
  /** Credentials to scrub from any text that is quoted back (read at call time: files rotate). */
  sensitiveValues(): string[];
}

/** Validates a login answer's `auth` block. */
export function sessionFromLogin(body: unknown): AuthSession {
  const auth = (body as { auth?: Record<string, unknown> } | null | undefined)?.auth;
  const token = auth?.client_token;
  if (!auth || typeof token !== 'string' || token === '') {
    throw new VaultAuthenticationError(
      'VAULT_AUTH_RESPONSE_INVALID',
      "Vault's login answer has no auth.client_token: check VAULT_ADDR points at Vault and the auth mount is the right type",
    );
  }
  const lease = typeof auth.lease_duration === 'number' && auth.lease_duration > 0 ? auth.lease_duration : 0;
  return { token, leaseDuration: lease, renewable: auth.renewable === true, obtainedAt: Date.now() };
}
