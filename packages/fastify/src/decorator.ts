import type { VaultSecretManager } from '@vault-config/core';
import type { VaultDecorator } from './types';

export function createVaultDecorator(manager: VaultSecretManager): VaultDecorator {
  return {
    get: (key) => manager.get(key),
    get secrets() {
      return manager.getAll();
    },
    getStatus: () => manager.getStatus(),
    get_status: () => manager.getStatus(),
    status$: manager.status$,
    changes$: manager.changes$,
    rotations$: manager.rotations$,
    manager,
  };
}
