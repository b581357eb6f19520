import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVaultDevServer, type VaultDevServer } from '@vault-config/testing';
import { call, ENVELOPE_KEYS } from './helpers';

let vault: VaultDevServer;
let token: string;
beforeAll(async () => {
  vault = await startVaultDevServer();
  token = vault.rootToken;
});
afterAll(() => vault.close());

describe('KV v2', () => {
  it('writes, reads (with the envelope and metadata) and reads an older version', async () => {
    const w1 = await call(vault, 'POST', 'kv/data/app/cfg', { token, body: { data: { A: '1' } } });
    expect(w1.status).toBe(200);
    expect(w1.json.data).toMatchObject({ version: 1, destroyed: false, deletion_time: '' });
    await call(vault, 'PUT', 'kv/data/app/cfg', { token, body: { data: { A: '2' } } });
    const r = await call(vault, 'GET', 'kv/data/app/cfg', { token });
    expect(r.status).toBe(200);
    expect(Object.keys(r.json)).toEqual(ENVELOPE_KEYS);
    expect(r.json).toMatchObject({ lease_id: '', renewable: false, lease_duration: 0, mount_type: 'kv' });
    expect(r.json.data.data).toEqual({ A: '2' });
    expect(r.json.data.metadata).toMatchObject({
      version: 2,
      destroyed: false,
      deletion_time: '',
      custom_metadata: null,
    });
    expect(r.json.data.metadata.created_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
    const old = await call(vault, 'GET', 'kv/data/app/cfg?version=1', { token });
    expect(old.json.data.data).toEqual({ A: '1' });
    expect((await call(vault, 'GET', 'kv/data/app/cfg?version=9', { token })).json).toEqual({ errors: [] });
  });

  it('answers a missing path with 404 {"errors":[]}', async () => {
    const r = await call(vault, 'GET', 'kv/data/none', { token });
    expect(r.status).toBe(404);
    expect(r.json).toEqual({ errors: [] });
  });

  it('enforces check-and-set and rejects a write without data', async () => {
    await call(vault, 'POST', 'kv/data/cas', { token, body: { data: { A: '1' } } });
    const bad = await call(vault, 'POST', 'kv/data/cas', {
      token,
      body: { data: { A: '2' }, options: { cas: 0 } },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.errors[0]).toBe('check-and-set parameter did not match the current version');
    const good = await call(vault, 'POST', 'kv/data/cas', {
      token,
      body: { data: { A: '2' }, options: { cas: 1 } },
    });
    expect(good.json.data.version).toBe(2);
    const none = await call(vault, 'POST', 'kv/data/cas', { token, body: {} });
    expect(none.status).toBe(400);
    expect(none.json.errors[0]).toBe('no data provided');
  });

  it('soft-deletes (404 with metadata, no errors key), undeletes and destroys', async () => {
    await call(vault, 'POST', 'kv/data/del', { token, body: { data: { A: '1' } } });
    expect((await call(vault, 'DELETE', 'kv/data/del', { token })).status).toBe(204);
    const deleted = await call(vault, 'GET', 'kv/data/del', { token });
    expect(deleted.status).toBe(404);
    expect(deleted.json).not.toHaveProperty('errors');
    expect(deleted.json.data.data).toBeNull();
    expect(deleted.json.data.metadata.deletion_time).not.toBe('');
    expect((await call(vault, 'POST', 'kv/undelete/del', { token, body: { versions: [1] } })).status).toBe(
      204,
    );
    expect((await call(vault, 'GET', 'kv/data/del', { token })).json.data.data).toEqual({ A: '1' });
    expect((await call(vault, 'PUT', 'kv/destroy/del', { token, body: { versions: [1] } })).status).toBe(204);
    const destroyed = await call(vault, 'GET', 'kv/data/del', { token });
    expect(destroyed.status).toBe(404);
    expect(destroyed.json.data.metadata.destroyed).toBe(true);
    await call(vault, 'POST', 'kv/data/del', { token, body: { data: { A: '2' } } });
    expect((await call(vault, 'POST', 'kv/delete/del', { token, body: { versions: [2] } })).status).toBe(204);
    expect((await call(vault, 'GET', 'kv/data/del?version=2', { token })).status).toBe(404);
  });

  it('reads and lists metadata, and deletes all versions', async () => {
    await call(vault, 'POST', 'kv/data/meta/one', { token, body: { data: { A: '1' } } });
    await call(vault, 'POST', 'kv/data/meta/one', { token, body: { data: { A: '2' } } });
    await call(vault, 'POST', 'kv/data/meta/sub/two', { token, body: { data: { B: '1' } } });
    const m = await call(vault, 'GET', 'kv/metadata/meta/one', { token });
    expect(m.json.data).toMatchObject({
      current_version: 2,
      oldest_version: 1,
      max_versions: 0,
      cas_required: false,
    });
    expect(Object.keys(m.json.data.versions)).toEqual(['1', '2']);
    const listedGet = await call(vault, 'GET', 'kv/metadata/meta/?list=true', { token });
    expect(listedGet.json.data.keys).toEqual(['one', 'sub/']);
    expect((await call(vault, 'DELETE', 'kv/metadata/meta/one', { token })).status).toBe(204);
    expect((await call(vault, 'GET', 'kv/data/meta/one', { token })).status).toBe(404);
  });

  it('answers a v1-style path on a v2 mount with a 404 warning envelope', async () => {
    const r = await call(vault, 'GET', 'kv/app/cfg', { token });
    expect(r.status).toBe(404);
    expect(r.json).not.toHaveProperty('errors');
    expect(r.json.warnings[0]).toContain('Invalid path for a versioned K/V secrets engine');
  });
});

describe('KV v1', () => {
  it('writes (204), reads data directly with the default lease duration, lists and deletes', async () => {
    vault.enableKv('v1', 1);
    expect((await call(vault, 'POST', 'v1/app', { token, body: { A: '1' } })).status).toBe(204);
    const r = await call(vault, 'GET', 'v1/app', { token });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      data: { A: '1' },
      lease_id: '',
      renewable: false,
      lease_duration: 2764800,
    });
    expect((await call(vault, 'GET', 'v1?list=true', { token })).json.data.keys).toEqual(['app']);
    expect((await call(vault, 'DELETE', 'v1/app', { token })).status).toBe(204);
    expect((await call(vault, 'GET', 'v1/app', { token })).json).toEqual({ errors: [] });
  });
});
