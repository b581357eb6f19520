import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVaultDevServer, type VaultDevServer } from '@vault-config/testing';
import { call } from './helpers';

const DENIED = { errors: ['1 error occurred:\n\t* permission denied\n\n'] };
let vault: VaultDevServer;
beforeAll(async () => {
  vault = await startVaultDevServer();
  for (const p of ['ACME/DEV/MYAPP', 'ACME/DEV/OTHER', 'ACME/PROD/MYAPP', 'ACME/DEV/MYAPP/extra'])
    vault.writeSecret('kv', p, { K: p });
});
afterAll(() => vault.close());

const read = (token: string, path: string) => call(vault, 'GET', `kv/data/${path}`, { token });

describe('ACL policies', () => {
  it('an exact path grants only that path', async () => {
    vault.writePolicy('exact', 'path "kv/data/ACME/DEV/MYAPP" {\n  capabilities = ["read"]\n}');
    const token = vault.createToken({ policies: ['exact'] });
    expect((await read(token, 'ACME/DEV/MYAPP')).status).toBe(200);
    const other = await read(token, 'ACME/DEV/OTHER');
    expect(other.status).toBe(403);
    expect(other.json).toEqual(DENIED);
    expect((await read(token, 'ACME/DEV/MYAPP/extra')).status).toBe(403);
  });

  it('`*` matches a suffix and `+` one segment', async () => {
    vault.writePolicy(
      'globs',
      `# comment
path "kv/data/ACME/DEV/*" { capabilities = ["read"] }
path "kv/data/ACME/+/MYAPP" { capabilities = ["read"] }`,
    );
    const token = vault.createToken({ policies: ['globs'] });
    expect((await read(token, 'ACME/DEV/OTHER')).status).toBe(200);
    expect((await read(token, 'ACME/DEV/MYAPP/extra')).status).toBe(200);
    expect((await read(token, 'ACME/PROD/MYAPP')).status).toBe(200);
  });

  it('the most specific rule wins, and deny wins on the same path across policies', async () => {
    vault.writePolicy('broad', 'path "kv/data/ACME/*" { capabilities = ["read"] }');
    vault.writePolicy('narrow-deny', 'path "kv/data/ACME/PROD/*" { capabilities = ["deny"] }');
    const token = vault.createToken({ policies: ['broad', 'narrow-deny'] });
    expect((await read(token, 'ACME/DEV/MYAPP')).status).toBe(200);
    expect((await read(token, 'ACME/PROD/MYAPP')).status).toBe(403);
    vault.writePolicy('deny-same', 'path "kv/data/ACME/*" { capabilities = ["deny"] }');
    const denied = vault.createToken({ policies: ['broad', 'deny-same'] });
    expect((await read(denied, 'ACME/DEV/MYAPP')).status).toBe(403);
  });

  it('a write needs create for a new key and update for an existing one', async () => {
    vault.writePolicy('create-only', 'path "kv/data/new/*" { capabilities = ["create"] }');
    const token = vault.createToken({ policies: ['create-only'] });
    const body = { data: { A: '1' } };
    expect((await call(vault, 'POST', 'kv/data/new/a', { token, body })).status).toBe(200);
    expect((await call(vault, 'POST', 'kv/data/new/a', { token, body })).status).toBe(403);
  });

  it('the default policy lets a token look itself up but not read secrets; root bypasses', async () => {
    const token = vault.createToken({ policies: [] });
    expect((await call(vault, 'GET', 'auth/token/lookup-self', { token })).status).toBe(200);
    expect((await read(token, 'ACME/DEV/MYAPP')).status).toBe(403);
    expect((await read(vault.rootToken, 'ACME/DEV/MYAPP')).status).toBe(200);
  });

  it('policies can be written and read over HTTP (sys/policies/acl), bad HCL is 400', async () => {
    const hcl = 'path "kv/data/http/*" { capabilities = ["read", "list"] }';
    const put = await call(vault, 'PUT', 'sys/policies/acl/http', {
      token: vault.rootToken,
      body: { policy: hcl },
    });
    expect(put.status).toBe(204);
    const got = await call(vault, 'GET', 'sys/policies/acl/http', { token: vault.rootToken });
    expect(got.json.data.policy).toBe(hcl);
    const bad = await call(vault, 'PUT', 'sys/policies/acl/bad', {
      token: vault.rootToken,
      body: { policy: 'path "x" { capabilities = ["fly"] }' },
    });
    expect(bad.status).toBe(400);
  });

  it('an unmounted path is 403 for a non-root token (ACL before routing)', async () => {
    const token = vault.createToken({ policies: ['exact'] });
    expect((await call(vault, 'GET', 'nope/x', { token })).status).toBe(403);
  });
});

describe('ACL answers that follow vault/policy.go and vault/acl.go', () => {
  it('policy = "write" grants update but not patch', async () => {
    // vault: policy-shorthand, permission-denied
    vault.writePolicy('old-write', 'path "kv/data/ACME/DEV/*" { policy = "write" }');
    const token = vault.createToken({ policies: ['old-write'] });
    const body = { data: { K: 'new' } };
    expect((await call(vault, 'POST', 'kv/data/ACME/DEV/OTHER', { token, body })).status).toBe(200);
    const patch = await call(vault, 'PATCH', 'kv/data/ACME/DEV/OTHER', {
      token,
      body,
      headers: { 'Content-Type': 'application/merge-patch+json' },
    });
    expect(patch.status).toBe(403);
    expect(patch.json).toEqual(DENIED);
  });

  it('a list of ACME/ asks the globs about ACME first', async () => {
    // vault: acl-list-trailing-slash
    vault.writePolicy(
      'list-bare',
      'path "kv/metadata/ACME*" { capabilities = ["list"] }\npath "kv/metadata/ACME/*" { capabilities = ["deny"] }',
    );
    const token = vault.createToken({ policies: ['list-bare'] });
    const listed = await call(vault, 'LIST', 'kv/metadata/ACME/', { token });
    expect(listed.status).toBe(200);
    expect(listed.json.data.keys).toEqual(['DEV/', 'PROD/']);
    expect((await call(vault, 'LIST', 'kv/metadata/ACME/DEV/', { token })).status).toBe(403);
  });

  it('a comma-separated value is allowed only when every part is listed', async () => {
    // vault: acl-parameter-values
    vault.writePolicy(
      'tags',
      'path "kv/data/tags/*" { capabilities = ["create", "update"]\n allowed_parameters = { "data" = [], "options" = [], "tags" = ["a", "b"] } }',
    );
    const token = vault.createToken({ policies: ['tags'] });
    const write = (tags: string) =>
      call(vault, 'POST', 'kv/data/tags/x', { token, body: { data: { K: '1' }, tags } });
    expect((await write('a,b')).status).toBe(200);
    expect((await write('a,c')).status).toBe(403);
  });

  it('a request key such as constructor is refused as unlisted, never a 500', async () => {
    vault.writePolicy(
      'proto',
      'path "kv/data/proto/*" { capabilities = ["create", "update"]\n allowed_parameters = { "data" = [] }\n denied_parameters = { "options" = [] } }',
    );
    const token = vault.createToken({ policies: ['proto'] });
    for (const key of ['constructor', 'toString', '__proto__']) {
      const r = await call(vault, 'POST', 'kv/data/proto/x', { token, body: { data: {}, [key]: 'x' } });
      expect(r.status, key).toBe(403);
    }
  });
});
