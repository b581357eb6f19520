/**
 * Credentials Vault (or a proxy) echoes back in an error are scrubbed because the manager knows
 * them, not only because of their shape: an AppRole secret_id and role_id are plain UUIDs, and a
 * token handed to us may be any string. No JWT or hvs. pattern would catch these.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { VaultSecretManager, type VaultError } from '../src/index';
import { PATH, startHarness, type Harness } from './support/dev-vault';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  h.server.enableAppRole('approle');
});
afterAll(async () => {
  await h.close();
});
beforeEach(() => {
  h.server.clearFaults();
  h.server.clearRequests();
  h.logs.length = 0;
});

/** Starts a manager that must fail; returns every text it produced. */
async function failedTexts(options: ConstructorParameters<typeof VaultSecretManager>[0]) {
  const m = new VaultSecretManager(options);
  const error = (await m.initialize().catch((e: unknown) => e)) as VaultError;
  expect(error.code).toBeDefined();
  const texts = [error.message, error.stack ?? '', JSON.stringify(m.getStatus()), ...h.logs];
  await m.close();
  return { error, all: texts.join('\n') };
}

describe('known credentials are scrubbed from quoted Vault text', () => {
  it('an AppRole login rejection that echoes the secret_id and role_id', async () => {
    const { roleId, secretId } = h.server.writeAppRole('approle', 'scrub', { token_policies: [] });
    expect(secretId).toMatch(UUID);
    // vault: approle-login-rejection
    // Real Vault answers "invalid role or secret ID" (builtin/credential/approle/path_login.go);
    // a proxy or plugin that quotes its input is what this guards against.
    h.server.addFault(
      { type: 'status', status: 400, body: { errors: [`bad secret_id "${secretId}" for ${roleId}`] } },
      { path: '/v1/auth/approle/login' },
    );
    const { error, all } = await failedTexts({
      env: {
        VAULT_ADDR: h.server.address,
        VAULT_ROLE_ID: roleId,
        VAULT_SECRET_ID: secretId,
        VAULT_PATH: PATH,
      },
      logger: h.logger,
      revokeToken: false,
    });
    expect(error.code).toBe('VAULT_LOGIN_REJECTED');
    expect(error.message).toContain('bad secret_id "[redacted]" for [redacted]');
    expect(all).not.toContain(secretId);
    expect(all).not.toContain(roleId);
  });

  it('a denied read that echoes a token handed to us (a UUID, not hvs.-shaped)', async () => {
    const token = '7d3c9a1e-5b2f-4c8d-9e0a-1f2b3c4d5e6f';
    h.server.addFault(
      { type: 'status', status: 403, body: { errors: [`permission denied for token ${token}`] } },
      { path: `/v1/kv/data/${PATH}` },
    );
    const { error, all } = await failedTexts(h.options({ authMethod: 'token', token }));
    // vault: permission-denied
    expect(error.code).toBe('VAULT_ACCESS_DENIED');
    expect(error.message).toContain('permission denied for token [redacted]');
    expect(all).not.toContain(token);
  });
});
