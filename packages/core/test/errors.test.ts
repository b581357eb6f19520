import { describe, expect, it, vi } from 'vitest';
import {
  VaultAuthenticationError,
  VaultConfigurationError,
  VaultError,
  VaultSecretError,
  isVaultError,
  startupErrorLine,
} from '../src/errors';

describe('VaultError classes', () => {
  it('carry name, code and details', () => {
    const err = new VaultConfigurationError('VAULT_CONFIG_INVALID', 'VAULT_TIMEOUT must be a number', {
      setting: 'VAULT_TIMEOUT',
    });
    expect(err.name).toBe('VaultConfigurationError');
    expect(err.code).toBe('VAULT_CONFIG_INVALID');
    expect(err.setting).toBe('VAULT_TIMEOUT');
    expect(err.toLogLine()).toBe(
      'VaultConfigurationError [VAULT_CONFIG_INVALID]: VAULT_TIMEOUT must be a number',
    );
  });

  it('instanceof follows the class tree', () => {
    const err = new VaultSecretError('VAULT_SECRET_NOT_FOUND', 'no secret');
    expect(err).toBeInstanceOf(VaultError);
    expect(err).toBeInstanceOf(VaultSecretError);
    expect(err).not.toBeInstanceOf(VaultAuthenticationError);
    expect(new Error('x')).not.toBeInstanceOf(VaultError);
    expect(isVaultError(err)).toBe(true);
    expect(isVaultError({ code: 'VAULT_SEALED' })).toBe(false);
  });

  it('instanceof works across two loaded copies of the module', async () => {
    vi.resetModules();
    const copy = await import('../src/errors');
    expect(copy.VaultSecretError).not.toBe(VaultSecretError);
    const foreign = new copy.VaultSecretError('VAULT_ACCESS_DENIED', 'denied');
    expect(foreign).toBeInstanceOf(VaultSecretError);
    expect(foreign).toBeInstanceOf(VaultError);
    expect(foreign).not.toBeInstanceOf(VaultConfigurationError);
  });

  it('startupErrorLine: class, code and message for a VaultError; name and message otherwise', () => {
    const err = new VaultSecretError('VAULT_SECRET_NOT_FOUND', 'no secret at kv/X: check VAULT_PATH');
    expect(startupErrorLine(err)).toBe(
      'VaultSecretError [VAULT_SECRET_NOT_FOUND]: no secret at kv/X: check VAULT_PATH',
    );
    expect(startupErrorLine(new TypeError('boom'))).toBe('TypeError: boom');
    expect(startupErrorLine('plain')).toBe('Error: plain');
  });
});
