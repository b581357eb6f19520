/**
 * KV v2 as vault-plugin-secrets-kv answers: path_config.go, path_data.go (write, patch,
 * validateCheckAndSetOption), path_metadata.go (patch), path_subkeys.go, path_delete.go and
 * path_destroy.go messages, backend.go pathInvalid warnings; http/logical.go for PATCH's content type.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVaultDevServer, type VaultDevServer } from '@vault-config/testing';
import { call } from './helpers';

const MERGE = { 'Content-Type': 'application/merge-patch+json' };
let vault: VaultDevServer;
let root: string;
beforeAll(async () => {
  vault = await startVaultDevServer();
  root = vault.rootToken;
});
afterAll(() => vault.close());

const put = (path: string, body: unknown) => call(vault, 'POST', path, { token: root, body });
const patch = (path: string, body: unknown, headers: Record<string, string> = MERGE) =>
  call(vault, 'PATCH', path, { token: root, body, headers });

describe('mount config', () => {
  it('stores and reads back max_versions, cas_required, delete_version_after', async () => {
    await call(vault, 'POST', 'sys/mounts/cfg', { token: root, body: { type: 'kv-v2' } });
    const fresh = await call(vault, 'GET', 'cfg/config', { token: root });
    expect(fresh.json.data).toEqual({ cas_required: false, delete_version_after: '0s', max_versions: 0 });
    expect(
      (await put('cfg/config', { max_versions: 2, cas_required: true, delete_version_after: '1h' })).status,
    ).toBe(204);
    const read = await call(vault, 'GET', 'cfg/config', { token: root });
    expect(read.json.data).toEqual({ cas_required: true, delete_version_after: '1h0m0s', max_versions: 2 });
  });

  it('cas_required on the mount: a write without cas is 400, a matching cas succeeds', async () => {
    const blind = await put('cfg/data/a', { data: { v: 1 } });
    expect(blind.status).toBe(400);
    expect(blind.json).toEqual({ errors: ['check-and-set parameter required for this call'] });
    expect((await put('cfg/data/a', { data: { v: 1 }, options: { cas: 0 } })).status).toBe(200);
    const stale = await put('cfg/data/a', { data: { v: 2 }, options: { cas: 0 } });
    expect(stale.json.errors).toEqual(['check-and-set parameter did not match the current version']);
    expect((await put('cfg/data/a', { data: { v: 2 }, options: { cas: 1 } })).status).toBe(200);
  });

  it('the mount max_versions limits kept versions', async () => {
    await put('cfg/data/a', { data: { v: 3 }, options: { cas: 2 } });
    const meta = await call(vault, 'GET', 'cfg/metadata/a', { token: root });
    expect(Object.keys(meta.json.data.versions)).toEqual(['2', '3']);
    expect(meta.json.data.oldest_version).toBe(2);
  });

  it('metadata cas_required=false under a mount that mandates it is ignored with a warning', async () => {
    const r = await put('cfg/metadata/a', { cas_required: false });
    expect(r.status).toBe(200);
    expect(r.json.warnings).toEqual([
      '"cas_required" set to false, but is mandated by backend config. This value will be ignored.',
    ]);
  });
});

describe('per-secret metadata', () => {
  it('cas_required and max_versions on one secret', async () => {
    await put('kv/data/m', { data: { v: 1 } });
    expect((await put('kv/metadata/m', { cas_required: true, max_versions: 1 })).status).toBe(204);
    expect((await put('kv/data/m', { data: { v: 2 } })).json.errors).toEqual([
      'check-and-set parameter required for this call',
    ]);
    expect((await put('kv/data/m', { data: { v: 2 }, options: { cas: 1 } })).status).toBe(200);
    const meta = await call(vault, 'GET', 'kv/metadata/m', { token: root });
    expect(meta.json.data).toMatchObject({ cas_required: true, max_versions: 1, current_version: 2 });
    expect(Object.keys(meta.json.data.versions)).toEqual(['2']);
  });
});

describe('PATCH', () => {
  it('data/: JSON merge patch into a new version (null removes a key)', async () => {
    await put('kv/data/p', { data: { a: '1', b: '2', nested: { x: 1, y: 2 } } });
    const r = await patch('kv/data/p', { data: { b: null, c: '3', nested: { y: null, z: 3 } } });
    expect(r.status).toBe(200);
    expect(r.json.data.version).toBe(2);
    const read = await call(vault, 'GET', 'kv/data/p', { token: root });
    expect(read.json.data.data).toEqual({ a: '1', c: '3', nested: { x: 1, z: 3 } });
  });

  it('data/: 404 {"errors":[]} when the secret does not exist; 400 without data', async () => {
    const missing = await patch('kv/data/nope', { data: { a: 1 } });
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual({ errors: [] });
    const noData = await patch('kv/data/p', { options: {} });
    expect(noData.json).toEqual({ errors: ['no data provided'] });
  });

  it('data/: a deleted current version is 404 with its metadata', async () => {
    await put('kv/data/pd', { data: { a: 1 } });
    await call(vault, 'DELETE', 'kv/data/pd', { token: root });
    const r = await patch('kv/data/pd', { data: { a: 2 } });
    expect(r.status).toBe(404);
    expect(r.json.data).toMatchObject({ version: 1, destroyed: false });
    expect(r.json.data.deletion_time).not.toBe('');
    expect(r.json).not.toHaveProperty('errors');
  });

  it('needs Content-Type application/merge-patch+json: other type 415, none 400', async () => {
    const wrong = await patch('kv/data/p', { data: { a: 1 } }, { 'Content-Type': 'application/json' });
    expect(wrong.status).toBe(415);
    expect(wrong.json.errors).toEqual([
      'PATCH requires Content-Type of application/merge-patch+json, provided application/json',
    ]);
  });

  it('metadata/: merge-patches custom_metadata and max_versions; 404 for a missing secret', async () => {
    await put('kv/metadata/p', { custom_metadata: { owner: 'a', team: 'b' } });
    expect(
      (await patch('kv/metadata/p', { custom_metadata: { team: null, env: 'dev' }, max_versions: 5 })).status,
    ).toBe(204);
    const meta = await call(vault, 'GET', 'kv/metadata/p', { token: root });
    expect(meta.json.data.custom_metadata).toEqual({ owner: 'a', env: 'dev' });
    expect(meta.json.data.max_versions).toBe(5);
    expect((await patch('kv/metadata/none', { max_versions: 1 })).status).toBe(404);
  });

  it('needs the patch capability', async () => {
    vault.writePolicy('no-patch', 'path "kv/data/p" { capabilities = ["read", "update"] }');
    vault.writePolicy('can-patch', 'path "kv/data/p" { capabilities = ["patch"] }');
    const denied = await call(vault, 'PATCH', 'kv/data/p', {
      token: vault.createToken({ policies: ['no-patch'] }),
      body: { data: { q: 1 } },
      headers: MERGE,
    });
    expect(denied.status).toBe(403);
    const allowed = await call(vault, 'PATCH', 'kv/data/p', {
      token: vault.createToken({ policies: ['can-patch'] }),
      body: { data: { q: 1 } },
      headers: MERGE,
    });
    expect(allowed.status).toBe(200);
  });
});

describe('subkeys/', () => {
  it('returns the structure with leaf values null; depth limits it; missing → 404', async () => {
    await put('kv/data/s', { data: { a: '1', b: { c: '2', d: { e: '3' } }, f: {} } });
    const r = await call(vault, 'GET', 'kv/subkeys/s', { token: root });
    expect(r.status).toBe(200);
    expect(r.json.data.subkeys).toEqual({ a: null, b: { c: null, d: { e: null } }, f: null });
    expect(r.json.data.metadata.version).toBe(1);
    const shallow = await call(vault, 'GET', 'kv/subkeys/s?depth=1', { token: root });
    expect(shallow.json.data.subkeys).toEqual({ a: null, b: null, f: null });
    expect((await call(vault, 'GET', 'kv/subkeys/none', { token: root })).status).toBe(404);
  });
});

describe('wording', () => {
  it('delete/undelete say "No version number provided", destroy says "no version number provided"', async () => {
    // path_delete.go (capital N) vs path_destroy.go (lower-case n).
    expect((await put('kv/delete/p', {})).json.errors).toEqual(['No version number provided']);
    expect((await put('kv/undelete/p', {})).json.errors).toEqual(['No version number provided']);
    expect((await put('kv/destroy/p', {})).json.errors).toEqual(['no version number provided']);
  });

  it('the v1-path warning names the CLI subcommand of the operation', async () => {
    // backend.go pathInvalid: put / patch / get / list / delete.
    const cases: [string, string][] = [
      ['GET', 'get'],
      ['POST', 'put'],
      ['DELETE', 'delete'],
      ['LIST', 'list'],
    ];
    for (const [method, sub] of cases) {
      const r = await call(vault, method, 'kv/ACME/x', {
        token: root,
        ...(method === 'POST' ? { body: { a: 1 } } : {}),
      });
      expect(r.status).toBe(404);
      expect(r.json.warnings).toEqual([
        `Invalid path for a versioned K/V secrets engine. See the API docs for the appropriate API endpoints to use. If using the Vault CLI, use 'vault kv ${sub}' for this operation.`,
      ]);
    }
    const root404 = await call(vault, 'GET', 'kv/metadata', { token: root });
    expect(root404.json.warnings).toEqual([
      'Non-listing operations on the root of a K/V v2 mount are not supported.',
    ]);
  });
});
