/**
 * Vault's policy language (vault/policy.go ParseACLPolicy / parsePaths): HCL or JSON; top-level
 * `name` and `path`; in a path block `policy`, `capabilities`, `allowed_parameters`,
 * `denied_parameters`, `required_parameters`, `min_wrapping_ttl`, `max_wrapping_ttl`,
 * `mfa_methods`, `control_group`, `subscribe_event_types`, `comment`. `mfa_methods`,
 * `control_group` and `subscribe_event_types` are parsed but not enforced (Enterprise / events).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVaultDevServer, type VaultDevServer } from '@vault-config/testing';
import { parsePolicy } from '../src/policy';
import { call } from './helpers';

const FULL = `
# a comment
name = "full"
path "secret/data/app/*" {
  capabilities = ["create", "read", "update"]
  allowed_parameters = {
    "data" = []
    "options" = []
  }
  denied_parameters = {
    "version" = ["1", "2"]
  }
  required_parameters = ["data"]
  min_wrapping_ttl = "1s"
  max_wrapping_ttl = "90s"
  mfa_methods = ["totp"]
  control_group = {
    factor "approvers" {
      identity {
        group_names = ["admins"]
        approvals = 1
      }
    }
  }
  subscribe_event_types = ["kv*"]
}
/* block comment */
path "sys/*" { policy = "deny" }
path "auth/token/lookup-self" { capabilities = ["read"] } // trailing comment
`;

describe('parsing', () => {
  it('accepts every block Vault allows, and keeps the constraints', () => {
    const rules = parsePolicy(FULL);
    expect(rules.map((r) => r.path)).toEqual(['secret/data/app/*', 'sys/*', 'auth/token/lookup-self']);
    expect(rules[0]).toMatchObject({
      capabilities: ['create', 'read', 'update'],
      allowedParameters: { data: [], options: [] },
      deniedParameters: { version: ['1', '2'] },
      requiredParameters: ['data'],
      minWrappingTtl: 1,
      maxWrappingTtl: 90,
    });
    expect(rules[1]!.capabilities).toEqual(['deny']);
  });

  it('accepts the JSON form', () => {
    const rules = parsePolicy(
      JSON.stringify({
        path: { 'kv/data/x': { capabilities: ['read'], allowed_parameters: { version: ['1'] } } },
      }),
    );
    expect(rules).toEqual([
      { path: 'kv/data/x', capabilities: ['read'], allowedParameters: { version: ['1'] } },
    ]);
  });

  it('deny in a capability list leaves deny only; a leading / is dropped', () => {
    expect(parsePolicy('path "/kv/x" { capabilities = ["read", "deny"] }')).toEqual([
      { path: 'kv/x', capabilities: ['deny'] },
    ]);
  });

  it.each([
    ['an unknown capability', 'path "x" { capabilities = ["fly"] }', 'invalid capability "fly"'],
    [
      'an unknown key in a path block',
      'path "x" { capabilities = ["read"]\n colour = "red" }',
      'invalid key "colour"',
    ],
    ['an unknown top-level key', 'paths "x" { capabilities = ["read"] }', 'invalid key "paths"'],
    ['an unknown shorthand', 'path "x" { policy = "all" }', 'invalid policy "all"'],
    [
      'max below min wrapping TTL',
      'path "x" { capabilities = ["read"]\n min_wrapping_ttl = 60\n max_wrapping_ttl = 30 }',
      'max_wrapping_ttl cannot be less than min_wrapping_ttl',
    ],
    ['an unterminated block', 'path "x" { capabilities = ["read"]', 'expected "}"'],
    ['an unterminated string', 'path "x { }', 'literal not terminated'],
  ])('rejects %s', (_why, hcl, message) => {
    expect(() => parsePolicy(hcl)).toThrow(message);
  });
});

describe('over HTTP', () => {
  let vault: VaultDevServer;
  beforeAll(async () => {
    vault = await startVaultDevServer();
  });
  afterAll(() => vault.close());

  it('a valid full policy is accepted (204), never `unexpected "}"`', async () => {
    const r = await call(vault, 'PUT', 'sys/policies/acl/full', {
      token: vault.rootToken,
      body: { policy: FULL },
    });
    expect(r.status).toBe(204);
  });

  it('a bad one is 400 "failed to parse policy: …"', async () => {
    const r = await call(vault, 'PUT', 'sys/policies/acl/bad', {
      token: vault.rootToken,
      body: { policy: 'path "x" { capabilities = ["fly"] }' },
    });
    expect(r.status).toBe(400);
    expect(r.json.errors).toEqual(['failed to parse policy: path "x": invalid capability "fly"']);
  });

  it('allowed_parameters and required_parameters are enforced on writes (403 permission denied)', async () => {
    vault.writePolicy(
      'params',
      'path "kv/data/app/*" { capabilities = ["create", "update"]\n allowed_parameters = { "data" = [] }\n required_parameters = ["data"] }',
    );
    const token = vault.createToken({ policies: ['params'] });
    expect((await call(vault, 'POST', 'kv/data/app/a', { token, body: { data: { k: 'v' } } })).status).toBe(
      200,
    );
    const extra = await call(vault, 'POST', 'kv/data/app/b', {
      token,
      body: { data: { k: 'v' }, options: { cas: 0 } },
    });
    expect(extra.status).toBe(403);
    expect(extra.json.errors).toEqual(['1 error occurred:\n\t* permission denied\n\n']);
  });

  it('max_wrapping_ttl is enforced: unwrapped or too long → 403, within bounds → wrapped answer', async () => {
    vault.writeSecret('kv', 'wrapped', { k: 'v' });
    vault.writePolicy('wrap', 'path "kv/data/wrapped" { capabilities = ["read"]\n max_wrapping_ttl = "5m" }');
    const token = vault.createToken({ policies: ['wrap'] });
    expect((await call(vault, 'GET', 'kv/data/wrapped', { token })).status).toBe(403);
    expect(
      (await call(vault, 'GET', 'kv/data/wrapped', { token, headers: { 'X-Vault-Wrap-TTL': '10m' } })).status,
    ).toBe(403);
    const ok = await call(vault, 'GET', 'kv/data/wrapped', { token, headers: { 'X-Vault-Wrap-TTL': '1m' } });
    expect(ok.status).toBe(200);
    expect(ok.json.wrap_info.ttl).toBe(60);
  });
});
