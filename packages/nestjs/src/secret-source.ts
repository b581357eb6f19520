import type { VaultSecretManager } from '@vault-config/core';

/**
 * What the module's providers use of a manager: a `VaultSecretManager`, or the fixed secrets of
 * `VaultConfigModule.forTesting()`.
 */
export type VaultSecretSource = Pick<
  VaultSecretManager,
  | 'get'
  | 'getAll'
  | 'getStatus'
  | 'get_status'
  | 'getHealthBody'
  | 'status$'
  | 'changes$'
  | 'rotations$'
  | 'close'
>;

/** Given back by each application that used a manager; the last one closes it. */
export interface ManagerLease {
  release(): Promise<void>;
}
