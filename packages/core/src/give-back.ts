/**
 * Giving back what was obtained from Vault: each dynamic lease, and the token when it was logged in
 * for (a token the user handed over, token auth, is theirs). Used when a start-up fails and at
 * close(); every call is one attempt, and a failure only means the thing expires on its own.
 */
import type { RetryPolicy } from './http/retry';
import type { DynamicLease, VaultOps } from './lifecycle/vault-ops';
import type { AuthMethodName } from './types';
import { toLastError } from './status';

export async function giveBack(
  ops: VaultOps,
  token: string,
  leases: readonly DynamicLease[],
  authMethod: AuthMethodName | null,
  policy: RetryPolicy,
  warn?: (message: string) => void,
): Promise<void> {
  await Promise.all(
    leases
      .filter((l) => l.leaseId !== '')
      .map((l) =>
        ops
          .revokeLease(token, l.leaseId, policy)
          .catch((error: unknown) =>
            warn?.(
              `could not revoke a lease of ${l.spec.path} (${toLastError(error).code}); it expires on its own`,
            ),
          ),
      ),
  );
  if (authMethod !== 'token') await ops.revokeSelf(token, policy).catch(() => undefined);
}
