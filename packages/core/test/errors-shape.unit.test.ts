/**
 * What a VaultError shows when it is logged, serialised or inspected: only the details it was
 * given, as own enumerable fields; the status message and the brand stay out of sight.
 */
import { describe, expect, it } from 'vitest';
import {
  VaultAuthenticationError,
  VaultConfigurationError,
  VaultError,
  VaultSecretError,
  isVaultError,
} from '../src/errors';

describe('VaultError fields', () => {
  it('without details: code only; no cause; the status message is the message', () => {
    const err = new VaultSecretError('VAULT_SECRET_NOT_FOUND', 'no secret at kv/a');
    expect(JSON.parse(JSON.stringify(err))).toEqual({
      name: 'VaultSecretError',
      code: 'VAULT_SECRET_NOT_FOUND',
    });
    expect('cause' in err).toBe(false);
    expect(err.statusMessage).toBe('no secret at kv/a');
  });

  it('with every detail: each a field; cause as Error.cause', () => {
    const cause = new Error('inner');
    const err = new VaultAuthenticationError('VAULT_LOGIN_REJECTED', 'rejected', {
      setting: 'VAULT_ROLE',
      keys: ['A'],
      status: 403,
      path: '/v1/auth/k/login',
      attempts: 2,
      cause,
      statusMessage: 'rejected (HTTP 403)',
    });
    expect(JSON.parse(JSON.stringify(err))).toEqual({
      name: 'VaultAuthenticationError',
      code: 'VAULT_LOGIN_REJECTED',
      setting: 'VAULT_ROLE',
      keys: ['A'],
      status: 403,
      path: '/v1/auth/k/login',
      attempts: 2,
    });
    expect(err).toMatchObject({ setting: 'VAULT_ROLE', keys: ['A'], status: 403, path: '/v1/auth/k/login' });
    expect(err.attempts).toBe(2);
    expect(err.cause).toBe(cause);
    expect(err.statusMessage).toBe('rejected (HTTP 403)');
  });

  it('details given as undefined add no field', () => {
    const err = new VaultConfigurationError('VAULT_TLS', 'tls', {
      setting: undefined,
      keys: undefined,
      status: undefined,
      path: undefined,
      attempts: undefined,
      cause: undefined,
    });
    expect(JSON.parse(JSON.stringify(err))).toEqual({ name: 'VaultConfigurationError', code: 'VAULT_TLS' });
    expect('cause' in err).toBe(false);
    expect(err.statusMessage).toBe('tls');
  });

  it('the status message and the brand are not enumerable: JSON shows the fields only', () => {
    const err = new VaultSecretError('VAULT_ACCESS_DENIED', 'denied (HTTP 403: Vault text)', {
      status: 403,
      statusMessage: 'denied (HTTP 403)',
    });
    expect(JSON.parse(JSON.stringify(err))).toEqual({
      name: 'VaultSecretError',
      code: 'VAULT_ACCESS_DENIED',
      status: 403,
    });
    expect(
      Object.getOwnPropertySymbols(err).every((s) => !Object.getOwnPropertyDescriptor(err, s)?.enumerable),
    ).toBe(true);
  });

  it('the brand names the base class and the own class', () => {
    const brand = Symbol.for('@vault-config/core.VaultError');
    const err = new VaultSecretError('VAULT_UNEXPECTED', 'x') as unknown as Record<symbol, unknown>;
    expect(err[brand]).toEqual(['VaultError', 'VaultSecretError']);
  });

  it('isVaultError and instanceof refuse values without the brand', () => {
    for (const value of [
      null,
      undefined,
      'VaultError',
      42,
      {},
      { [Symbol.for('@vault-config/core.VaultError')]: 'VaultError' },
    ]) {
      expect(isVaultError(value)).toBe(false);
      expect(value instanceof VaultError).toBe(false);
    }
  });
});
