/**
 * The package's surface is chosen: adding a name to it is a decision (and a changeset), not a side
 * effect of an `export *`.
 */
import { inspect } from 'node:util';
import { expect, it } from 'vitest';
import * as core from '../src/index';

it('exports exactly the manager, the loader, the errors and the readiness rule', () => {
  expect(Object.keys(core).sort()).toEqual([
    'VaultAuthenticationError',
    'VaultConfigurationError',
    'VaultError',
    'VaultSecretError',
    'VaultSecretManager',
    'isReady',
    'isVaultError',
    'loadVaultSecrets',
    'startupErrorLine',
  ]);
});

it('the manager prints and serialises as its status, from its own class', () => {
  const manager = new core.VaultSecretManager({ env: {}, logger: false });
  expect(Object.getOwnPropertyNames(core.VaultSecretManager.prototype)).toContain('toJSON');
  expect(JSON.parse(JSON.stringify(manager))).toEqual(manager.getStatus());
  expect(inspect(manager)).toBe(`VaultSecretManager ${inspect(manager.getStatus())}`);
});
