import type { VaultSecretManager } from '@vault-config/core';
import type { VaultDecorator } from './types';

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/**
 * `app.vault`. Printed or JSON-logged (`app.log.info({ vault: app.vault })`) it shows the status
 * only: `secrets` and `manager` are not enumerable, and toJSON / util.inspect return the status.
 */
export function createVaultDecorator(manager: VaultSecretManager): VaultDecorator {
  const decorator = {
    get: (key: string) => manager.get(key),
    getStatus: () => manager.getStatus(),
    get_status: () => manager.getStatus(),
    status$: manager.status$,
    changes$: manager.changes$,
    rotations$: manager.rotations$,
  };
  Object.defineProperties(decorator, {
    secrets: { get: () => manager.getAll(), enumerable: false },
    manager: { value: manager, enumerable: false },
    toJSON: { value: () => manager.getStatus(), enumerable: false },
    [INSPECT]: {
      value: (_depth: number, options: unknown, inspect?: (v: unknown, o?: unknown) => string) =>
        `VaultDecorator ${inspect ? inspect(manager.getStatus(), options) : JSON.stringify(manager.getStatus())}`,
      enumerable: false,
    },
  });
  return decorator as unknown as VaultDecorator;
}
