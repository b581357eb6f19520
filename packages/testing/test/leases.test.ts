import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVaultDevServer, type DatabaseBackend, type VaultDevServer } from '@vault-config/testing';
import { call } from './helpers';

const created: string[] = [];
const revoked: string[] = [];
const backend: DatabaseBackend = {
  async createUser(username) {
    created.push(username);
  },
  async revokeUser(username) {
    revoked.push(username);
  },
};

let vault: VaultDevServer;
let token: string;
beforeAll(async () => {
  vault = await startVaultDevServer({ databaseBackend: backend });
  vault.configureDatabaseRole('readonly', { default_ttl: 60, max_ttl: 120 });
  vault.configureDatabaseRole('short', { default_ttl: 1, max_ttl: 2 });
  vault.writePolicy('db', 'path "database/creds/readonly" { capabilities = ["read"] }');
  token = vault.createToken({ policies: ['db'] });
});
afterAll(() => vault.close());

describe('database/creds', () => {
  it('issues unique credentials with a lease (default policy allows renew)', async () => {
    const a = await call(vault, 'GET', 'database/creds/readonly', { token });
    const b = await call(vault, 'GET', 'database/creds/readonly', { token });
    expect(a.status).toBe(200);
    expect(a.json).toMatchObject({ renewable: true, lease_duration: 60, mount_type: 'database' });
    expect(a.json.lease_id).toMatch(/^database\/creds\/readonly\/[A-Za-z0-9]{24}$/);
    expect(a.json.data.username).toMatch(/^v-/);
    expect(a.json.data.password.length).toBeGreaterThanOrEqual(20);
    expect(b.json.data.username).not.toBe(a.json.data.username);
    expect(b.json.lease_id).not.toBe(a.json.lease_id);
    expect(created).toContain(a.json.data.username);

    const renewed = await call(vault, 'PUT', 'sys/leases/renew', {
      token,
      body: { lease_id: a.json.lease_id, increment: 30 },
    });
    expect(renewed.status).toBe(200);
    expect(renewed.json).toMatchObject({ lease_id: a.json.lease_id, renewable: true, lease_duration: 30 });
    const capped = await call(vault, 'POST', 'sys/leases/renew', {
      token,
      body: { lease_id: a.json.lease_id, increment: 3600 },
    });
    expect(capped.json.lease_duration).toBeLessThanOrEqual(120);
    expect(capped.json.warnings[0]).toContain('TTL value is capped accordingly');
  });

  it('denies a role the policy does not cover, and 400s an unknown role', async () => {
    expect((await call(vault, 'GET', 'database/creds/short', { token })).status).toBe(403);
    const unknown = await call(vault, 'GET', 'database/creds/nope', { token: vault.rootToken });
    expect(unknown.status).toBe(400);
    expect(unknown.json).toEqual({ errors: ['unknown role: nope'] });
  });

  it('looks up and revokes leases; a revoked lease is not found on renew', async () => {
    const root = vault.rootToken;
    const creds = await call(vault, 'GET', 'database/creds/readonly', { token: root });
    const lookup = await call(vault, 'PUT', 'sys/leases/lookup', {
      token: root,
      body: { lease_id: creds.json.lease_id },
    });
    expect(lookup.json.data).toMatchObject({ id: creds.json.lease_id, renewable: true });
    expect(lookup.json.data.ttl).toBeGreaterThan(55);
    const revoke = await call(vault, 'PUT', 'sys/leases/revoke', {
      token: root,
      body: { lease_id: creds.json.lease_id },
    });
    expect(revoke.status).toBe(204);
    expect(revoked).toContain(creds.json.data.username);
    const renew = await call(vault, 'PUT', 'sys/leases/renew', {
      token: root,
      body: { lease_id: creds.json.lease_id },
    });
    expect(renew.status).toBe(400);
    expect(renew.json).toEqual({ errors: ['lease not found'] });
    const async = await call(vault, 'PUT', 'sys/leases/revoke', {
      token: root,
      body: { lease_id: 'x', sync: false },
    });
    expect(async.status).toBe(202);
    const missing = await call(vault, 'PUT', 'sys/leases/renew', { token: root, body: {} });
    expect(missing.json).toEqual({ errors: ['lease_id must be specified'] });
  });

  it('an expired lease dies: renew is 400 lease not found and the user is revoked', async () => {
    const creds = await call(vault, 'GET', 'database/creds/short', { token: vault.rootToken });
    expect(creds.json.lease_duration).toBe(1);
    await new Promise((r) => setTimeout(r, 1100));
    const renew = await call(vault, 'PUT', 'sys/leases/renew', {
      token: vault.rootToken,
      body: { lease_id: creds.json.lease_id },
    });
    expect(renew.status).toBe(400);
    expect(renew.json).toEqual({ errors: ['lease not found'] });
    expect(revoked).toContain(creds.json.data.username);
  });
});
