/**
 * The auth methods against node-vault's client interface (a recorder standing in for the HTTP
 * client), the bounded token-file reads, and the health body and inspect surfaces.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createAuthMethod, readServiceAccountToken } from '../src/auth';
import { MAX_TOKEN_FILE_BYTES } from '../src/auth/kubernetes';
import { sessionFromLogin } from '../src/auth/types';
import { readBoundedFile, readBoundedFileSync } from '../src/bounded-file';
import { healthBody } from '../src/status/health-body';
import type { NodeVaultClient } from '../src/http/client';
import { resolveOptions } from '../src/options';

const dir = mkdtempSync(join(tmpdir(), 'vault-auth-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln';
// vault: kubernetes-login, approle-login
const LOGIN = { auth: { client_token: 'hvs.abc', lease_duration: 3600, renewable: true } };

function recorder(answer: unknown = LOGIN) {
  const calls: { method: string; args: Record<string, unknown> }[] = [];
  const client = {
    kubernetesLogin: async (args: Record<string, unknown>) => (
      calls.push({ method: 'kubernetesLogin', args }),
      answer
    ),
    approleLogin: async (args: Record<string, unknown>) => (
      calls.push({ method: 'approleLogin', args }),
      answer
    ),
  } as unknown as NodeVaultClient;
  return { client, calls };
}

const base = { VAULT_ADDR: 'http://vault:8200', VAULT_PATH: 'A' };

describe('kubernetes auth', () => {
  it('reads the token file at every login and sends role, jwt and mount; knows the JWT it sent', async () => {
    const path = join(dir, 'token');
    writeFileSync(path, ` ${JWT}\n`);
    const auth = createAuthMethod(
      resolveOptions({
        env: {
          ...base,
          VAULT_ROLE: 'dev-myapp',
          VAULT_K8S_AUTH_MOUNT_POINT: 'k8s-dev',
          VAULT_K8S_TOKEN_PATH: path,
        },
      }),
    );
    expect(auth.sensitiveValues()).toEqual([]);
    const { client, calls } = recorder();
    const session = await auth.login(client, { timeout: 5 });
    expect(calls).toEqual([
      {
        method: 'kubernetesLogin',
        args: { role: 'dev-myapp', jwt: JWT, mount_point: 'k8s-dev', requestOptions: { timeout: 5 } },
      },
    ]);
    expect(session).toMatchObject({ token: 'hvs.abc', leaseDuration: 3600, renewable: true });
    expect(auth.sensitiveValues()).toEqual([JWT]);
    expect(auth).toMatchObject({
      name: 'kubernetes',
      authMountSetting: 'VAULT_K8S_AUTH_MOUNT_POINT',
      usesNetwork: true,
    });
    expect(auth.loginHint).toBe(
      'VAULT_ROLE ("dev-myapp") exists on auth mount "k8s-dev" and binds this pod\'s service-account name and namespace (and audience)',
    );
    writeFileSync(path, `${JWT}x`);
    await auth.login(client, {});
    expect(calls[1]!.args.jwt).toBe(`${JWT}x`);
  });

  it.each([
    [
      'missing',
      'absent',
      'VAULT_TOKEN_FILE_MISSING',
      'does not exist: check the pod mounts a service-account token',
    ],
    [
      'empty',
      'empty',
      'VAULT_TOKEN_FILE_EMPTY',
      'is empty: check the projected token volume and VAULT_K8S_TOKEN_PATH',
    ],
    ['a directory', 'dir', 'VAULT_TOKEN_FILE_UNREADABLE', 'is not a regular file'],
    ['too large', 'big', 'VAULT_TOKEN_FILE_UNREADABLE', `is larger than ${MAX_TOKEN_FILE_BYTES / 1024} KiB`],
  ])('a token file %s: %s', async (_why, name, code, text) => {
    writeFileSync(join(dir, 'empty'), ' \n');
    mkdirSync(join(dir, 'dir'), { recursive: true });
    writeFileSync(join(dir, 'big'), 'x'.repeat(MAX_TOKEN_FILE_BYTES + 1));
    const file = join(dir, name);
    await expect(readServiceAccountToken(file)).rejects.toMatchObject({
      name: 'VaultAuthenticationError',
      code,
      setting: 'VAULT_K8S_TOKEN_PATH',
      message: expect.stringContaining(`service-account token file "${file}" ${text}`),
    });
  });
});

describe('approle and token auth', () => {
  it('approle sends role_id, secret_id and mount; scrubs both', async () => {
    const auth = createAuthMethod(
      resolveOptions({
        env: {
          ...base,
          VAULT_ROLE_ID: 'role-1',
          VAULT_SECRET_ID: 'secret-1',
          VAULT_APPROLE_MOUNT_POINT: 'ar',
        },
      }),
    );
    const { client, calls } = recorder();
    await auth.login(client, {});
    expect(calls[0]).toEqual({
      method: 'approleLogin',
      args: { role_id: 'role-1', secret_id: 'secret-1', mount_point: 'ar', requestOptions: {} },
    });
    expect(auth.sensitiveValues()).toEqual(['role-1', 'secret-1']);
    expect(auth).toMatchObject({
      name: 'approle',
      authMountSetting: 'VAULT_APPROLE_MOUNT_POINT',
      usesNetwork: true,
    });
  });

  it('approle without a secret id (bind_secret_id=false) sends none', async () => {
    const auth = createAuthMethod(resolveOptions({ env: { ...base, VAULT_ROLE_ID: 'role-1' } }));
    const { client, calls } = recorder();
    await auth.login(client, {});
    expect(calls[0]!.args).toEqual({ role_id: 'role-1', mount_point: 'approle', requestOptions: {} });
    expect(auth.sensitiveValues()).toEqual(['role-1']);
  });

  it('token auth makes no request and scrubs the token', async () => {
    const auth = createAuthMethod(resolveOptions({ env: { ...base, VAULT_TOKEN: 'tok-123456' } }));
    const session = await auth.login(recorder().client, {});
    expect(session).toMatchObject({ token: 'tok-123456', leaseDuration: 0, renewable: false });
    expect(auth).toMatchObject({
      name: 'token',
      usesNetwork: false,
      loginHint: 'VAULT_TOKEN is valid, not expired or revoked',
    });
    expect(auth.sensitiveValues()).toEqual(['tok-123456']);
  });

  it('without Vault there is no auth method', () => {
    expect(() => createAuthMethod(resolveOptions({ env: {} }))).toThrow(/without an auth method/);
  });
});

describe('sessionFromLogin', () => {
  it.each([
    [
      { auth: { client_token: 't', lease_duration: 60, renewable: true } },
      { token: 't', leaseDuration: 60, renewable: true },
    ],
    [
      { auth: { client_token: 't', lease_duration: -1, renewable: 'yes' } },
      { token: 't', leaseDuration: 0, renewable: false },
    ],
    [
      { auth: { client_token: 't', lease_duration: '60' } },
      { token: 't', leaseDuration: 0, renewable: false },
    ],
  ])('%j', (body, session) => {
    expect(sessionFromLogin(body)).toMatchObject(session);
  });

  it.each([null, {}, { auth: null }, { auth: { client_token: '' } }, { auth: { client_token: 5 } }])(
    '%j has no token: VAULT_AUTH_RESPONSE_INVALID',
    (body) => {
      expect(() => sessionFromLogin(body)).toThrow(
        expect.objectContaining({
          code: 'VAULT_AUTH_RESPONSE_INVALID',
          message: expect.stringContaining('auth.client_token'),
        }),
      );
    },
  );
});

describe('bounded file reads', () => {
  it('reads up to the bound, exactly; one byte more is EFBIG; a directory is ENOTREG', async () => {
    const file = join(dir, 'ten');
    writeFileSync(file, '0123456789');
    expect((await readBoundedFile(file, 10)).toString()).toBe('0123456789');
    expect(readBoundedFileSync(file, 10).toString()).toBe('0123456789');
    await expect(readBoundedFile(file, 9)).rejects.toMatchObject({ code: 'EFBIG' });
    expect(() => readBoundedFileSync(file, 9)).toThrow(expect.objectContaining({ code: 'EFBIG' }));
    await expect(readBoundedFile(dir, 10)).rejects.toMatchObject({ code: 'ENOTREG' });
    expect(() => readBoundedFileSync(dir, 10)).toThrow(expect.objectContaining({ code: 'ENOTREG' }));
  });
});

describe('what is shown of a manager', () => {
  const status = {
    authenticated: true,
    secrets_loaded: true,
    vault_url: 'http://v',
    vault_path: 'A',
    vault_role: 'r',
    state: 'ready' as const,
    auth_method: 'kubernetes' as const,
    keys: 2,
    loaded_at: null,
    token_expires_at: null,
    last_error: null,
  };

  it('health body: full is the status, minimal only the state', () => {
    expect(healthBody(status, 'full')).toBe(status);
    expect(healthBody(status, 'minimal')).toEqual({ state: 'ready' });
  });
});
