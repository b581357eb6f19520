/**
 * Token auth (VAULT_TOKEN; the docker-compose dev-mode setup). No round trip: the token is used as
 * is; its TTL is unknown until asked (the lifecycle looks it up once after start-up).
 */
import type { AuthMethod } from './types';

export function tokenAuth(token: string): AuthMethod {
  return {
    name: 'token',
    loginHint: 'VAULT_TOKEN is valid, not expired or revoked',
    usesNetwork: false,
    async login() {
      return { token, leaseDuration: 0, renewable: false, obtainedAt: Date.now() };
    },
    sensitiveValues: () => [token],
  };
}
