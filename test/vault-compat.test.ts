/**
 * The core against "a Vault", set up only through Vault's own HTTP API with a root token, so the
 * same file runs against the dev server (default) or a real Vault:
 *
 *   VAULT_TEST_ADDR=http://127.0.0.1:8200 VAULT_TEST_TOKEN=root pnpm vitest run test/vault-compat.test.ts
 *
 * (for example `vault server -dev -dev-root-token-id=root`). Every mount it creates has a unique name
 * and is removed afterwards. Kubernetes auth needs a real cluster's TokenReview, so it is covered by
 * the dev-server suites only.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VaultSecretError, VaultSecretManager, type VaultOptions } from '@vault-config/core';
import { startVaultDevServer, type VaultDevServer } from '@vault-config/testing';

interface Target {
  address: string;
  rootToken: string;
  close(): Promise<void>;
}

const REAL_ADDR = process.env.VAULT_TEST_ADDR?.replace(/\/+$/, '');
/** Named in the suite's title, so every test line in the report says which Vault it ran against. */
const AGAINST = REAL_ADDR
  ? `the Vault at ${REAL_ADDR} (VAULT_TEST_ADDR)`
  : 'the dev server (VAULT_TEST_ADDR unset)';

async function target(): Promise<Target> {
  const rootToken = process.env.VAULT_TEST_TOKEN;
  if (REAL_ADDR) {
    if (!rootToken) throw new Error('VAULT_TEST_ADDR is set but VAULT_TEST_TOKEN is not: give a root token');
    // sys/health is unauthenticated and carries the server's version (api-docs/system/health).
    const health = await fetch(`${REAL_ADDR}/v1/sys/health`, { signal: AbortSignal.timeout(5_000) });
    const { version } = (await health.json()) as { version?: string };
    process.stdout.write(
      `vault-compat: running against Vault ${version ?? '(version unknown)'} at ${REAL_ADDR}\n`,
    );
    return { address: REAL_ADDR, rootToken, close: async () => {} };
  }
  const dev: VaultDevServer = await startVaultDevServer();
  process.stdout.write(
    `vault-compat: running against the dev server at ${dev.address} (VAULT_TEST_ADDR unset)\n`,
  );
  return { address: dev.address, rootToken: dev.rootToken, close: () => dev.close() };
}

describe(`core against ${AGAINST}, configured over its HTTP API`, () => {
  let vault: Target;
  const id = randomUUID().slice(0, 8);
  const kv2 = `compat-kv2-${id}`;
  const kv1 = `compat-kv1-${id}`;
  const approle = `compat-approle-${id}`;
  const policyName = `compat-read-${id}`;

  async function api(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
    const res = await fetch(`${vault.address}/v1/${path}`, {
      method,
      headers: { 'X-Vault-Token': vault.rootToken, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(5_000),
    });
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${await res.text()}`);
    return res.status === 204 ? {} : ((await res.json()) as Record<string, unknown>);
  }

  async function tokenFor(policies: string[]): Promise<string> {
    const res = await api('POST', 'auth/token/create', { policies, ttl: '10m' });
    return (res.auth as { client_token: string }).client_token;
  }

  function load(options: VaultOptions): Promise<Readonly<Record<string, string>>> {
    const manager = new VaultSecretManager({ address: vault.address, logger: false, env: {}, ...options });
    return manager.initialize().finally(() => manager.close());
  }

  beforeAll(async () => {
    vault = await target();
    await api('POST', `sys/mounts/${kv2}`, { type: 'kv', options: { version: '2' } });
    await api('POST', `sys/mounts/${kv1}`, { type: 'kv', options: { version: '1' } });
    await api('POST', `${kv2}/data/ACME/DEV/MYAPP`, { data: { DATABASE_URL: 'postgres://a', PORT: 5432 } });
    await api('POST', `${kv2}/data/ACME/DEV/SHARED`, {
      data: { DATABASE_URL: 'postgres://b', REGION: 'eu' },
    });
    await api('POST', `${kv2}/data/ACME/DEV/OTHER`, { data: { NOT_YOURS: 'x' } });
    await api('POST', `${kv1}/ACME/DEV/MYAPP`, { API_KEY: 'v1-key' });
    await api('PUT', `sys/policies/acl/${policyName}`, {
      policy: [
        `path "${kv2}/data/ACME/DEV/MYAPP" { capabilities = ["read"] }`,
        `path "${kv2}/data/ACME/DEV/SHARED" { capabilities = ["read"] }`,
        // vault: acl-plus-glob
        `path "${kv1}/ACME/DEV/+" { capabilities = ["read"] }`,
      ].join('\n'),
    });
    await api('POST', `sys/auth/${approle}`, { type: 'approle' });
    await api('POST', `auth/${approle}/role/myapp`, { token_policies: [policyName], token_ttl: '10m' });
  });

  afterAll(async () => {
    if (!vault) return;
    for (const path of [`sys/mounts/${kv2}`, `sys/mounts/${kv1}`, `sys/auth/${approle}`]) {
      await api('DELETE', path).catch(() => undefined);
    }
    await api('DELETE', `sys/policies/acl/${policyName}`).catch(() => undefined);
    await vault.close();
  });

  it('token auth reads KV v2 paths in parallel, later path wins, values as text', async () => {
    const token = await tokenFor([policyName]);
    const secrets = await load({
      authMethod: 'token',
      token,
      mountPoint: kv2,
      path: ['ACME/DEV/MYAPP', 'ACME/DEV/SHARED'],
    });
    // vault: kv2-read
    expect(secrets).toEqual({ DATABASE_URL: 'postgres://b', PORT: '5432', REGION: 'eu' });
  });

  it('reads a KV v1 mount when told, and detects it with kvVersion auto', async () => {
    const token = await tokenFor([policyName]);
    expect(
      // vault: kv1-read
      await load({ authMethod: 'token', token, mountPoint: kv1, kvVersion: 1, path: 'ACME/DEV/MYAPP' }),
    ).toEqual({
      API_KEY: 'v1-key',
    });
    expect(
      // vault: kv-preflight
      await load({ authMethod: 'token', token, mountPoint: kv1, kvVersion: 'auto', path: 'ACME/DEV/MYAPP' }),
    ).toEqual({ API_KEY: 'v1-key' });
  });

  it('AppRole logs in with role_id and secret_id', async () => {
    const roleId = ((await api('GET', `auth/${approle}/role/myapp/role-id`)).data as { role_id: string })
      .role_id;
    const secretId = (
      (await api('POST', `auth/${approle}/role/myapp/secret-id`)).data as { secret_id: string }
    ).secret_id;
    const secrets = await load({
      authMethod: 'approle',
      appRoleMountPoint: approle,
      roleId,
      secretId,
      mountPoint: kv2,
      path: 'ACME/DEV/MYAPP',
    });
    // vault: approle-login
    expect(secrets.DATABASE_URL).toBe('postgres://a');
  });

  it('a path outside the policy is VAULT_ACCESS_DENIED; a missing path is VAULT_SECRET_NOT_FOUND', async () => {
    const token = await tokenFor([policyName]);
    const denied = load({ authMethod: 'token', token, mountPoint: kv2, path: 'ACME/DEV/OTHER' });
    // vault: permission-denied
    await expect(denied).rejects.toBeInstanceOf(VaultSecretError);
    await expect(denied).rejects.toMatchObject({ code: 'VAULT_ACCESS_DENIED' });
    const root = vault.rootToken;
    const missing = load({ authMethod: 'token', token: root, mountPoint: kv2, path: 'ACME/DEV/NOPE' });
    // vault: read-missing-404
    await expect(missing).rejects.toMatchObject({ code: 'VAULT_SECRET_NOT_FOUND' });
  });
  /** Raw HTTP: the answer as a real Vault gives it (status and parsed body). */
  async function raw(
    method: string,
    path: string,
    init: { body?: unknown; token?: string; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; json: Record<string, unknown> | undefined }> {
    const res = await fetch(`${vault.address}/v1/${path}`, {
      method,
      headers: { 'X-Vault-Token': init.token ?? vault.rootToken, ...init.headers },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: AbortSignal.timeout(5_000),
    });
    const text = await res.text();
    return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
  }

  it('LIST and ?list= (strconv.ParseBool) list KV v2 metadata; a bad list value is 400', async () => {
    // http/logical.go buildLogicalRequestNoAuth.
    const viaList = await raw('LIST', `${kv2}/metadata/ACME/DEV`);
    expect(viaList.status).toBe(200);
    expect((viaList.json!.data as { keys: string[] }).keys).toEqual(['MYAPP', 'OTHER', 'SHARED']);
    const viaT = await raw('GET', `${kv2}/metadata/ACME/DEV?list=T`);
    expect(viaT.json!.data).toEqual(viaList.json!.data);
    expect((await raw('GET', `${kv2}/metadata/ACME/DEV?list=yes`)).status).toBe(400);
    expect((await raw('LIST', `${kv2}/metadata/NOPE`)).status).toBe(404);
  });

  it('sys/mounts/<path> answers the mount (type, options) at data and top level; a missing one is 400', async () => {
    const r = await raw('GET', `sys/mounts/${kv2}`);
    expect(r.status).toBe(200);
    expect(r.json!.data).toMatchObject({ type: 'kv', options: { version: '2' } });
    expect(r.json!.type).toBe('kv');
    const missing = await raw('GET', `sys/mounts/compat-missing-${id}`);
    expect(missing.status).toBe(400);
    expect(missing.json!.errors).toEqual([`No secret engine mount at compat-missing-${id}/`]);
  });

  it('PATCH merges into a new KV v2 version; a missing secret is 404', async () => {
    await api('POST', `${kv2}/data/ACME/DEV/PATCHME`, { data: { A: '1', B: '2' } });
    const headers = { 'Content-Type': 'application/merge-patch+json' };
    const r = await raw('PATCH', `${kv2}/data/ACME/DEV/PATCHME`, {
      body: { data: { B: null, C: '3' } },
      headers,
    });
    expect(r.status).toBe(200);
    const read = await raw('GET', `${kv2}/data/ACME/DEV/PATCHME`);
    expect((read.json!.data as { data: unknown }).data).toEqual({ A: '1', C: '3' });
    expect(
      (await raw('PATCH', `${kv2}/data/ACME/DEV/NOPE`, { body: { data: { A: 1 } }, headers })).status,
    ).toBe(404);
  });

  it('revoking an unknown token is 204; renewing it is 400 token not found', async () => {
    const t = await tokenFor(['default']);
    expect((await raw('POST', 'auth/token/revoke', { body: { token: t } })).status).toBe(204);
    expect((await raw('POST', 'auth/token/revoke', { body: { token: t } })).status).toBe(204);
    const renew = await raw('POST', 'auth/token/renew', { body: { token: t } });
    expect(renew.status).toBe(400);
    expect(renew.json!.errors).toEqual(['token not found']);
  });
});
