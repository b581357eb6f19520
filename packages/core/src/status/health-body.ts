/**
 * What a health route or indicator serves. `full`: the status object (key count, path, role, Vault's
 * address, the last error's code and message). `minimal`: the state only, for health routes reachable
 * from outside the cluster, where the rest would map the deployment for a stranger.
 */
import type { HealthBody } from '../options';
import type { VaultState, VaultStatus } from '../types';

export function healthBody(status: VaultStatus, mode: HealthBody): VaultStatus | { state: VaultState } {
  return mode === 'minimal' ? { state: status.state } : status;
}
