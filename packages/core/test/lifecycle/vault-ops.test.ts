/**
 * Each Vault call of the lifecycle, once, against the in-process dev server (milliseconds per
 * request, nothing sleeps): which request it makes, what it makes of Vault's answer, and how it
 * reads answers that are missing fields (served with a 200 fault).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAuthMethod } from '../../src/auth';
import type { FailureContext } from '../../src/http/error-mapping';
import { createVaultHttpClient } from '../../src/http/client';
import { createVaultOps, type VaultOps } from '../../src/lifecycle/vault-ops';
import { resolveOptions } from '../../src/options';
import type { RetryPolicy } from '../../src/http/retry';
import { COMMON, PATH, startHarness, type Harness, allowDatabase } from '../support/dev-vault';

const NOW = 1_700_000_000_000;
const SPEC = { path: 'database/creds/app', keys: { username: 'DB_USER', password: 'DB_PASSWORD' } };

let h: Harness;
let ops: VaultOps;
let close: () => void;
beforeAll(async () => {
  h = await startHarness();
  allowDatabase(h.server, 600, 3600);
  const options = resolveOptions(h.options({ path: [PATH, COMMON] }));
  const http = createVaultHttpClient(options);
  close = () => http.close();
  const context = (extra: Partial<FailureContext>): FailureContext => ({
    phase: 'read',
    address: h.server.address,
    mountPoint: 'kv',
    sensitive: [],
    ...extra,
  });
  ops = createVaultOps(http, createAuthMethod(options), options, context, () => NOW);
});
afterAll(async () => {
  close();
  await h.close();
});
beforeEach(() => {
  h.server.clearFaults();
  h.server.clearRequests();
});

const policy = (): RetryPolicy => ({
  maxRetries: 0,
  baseDelayMs: 0,
  maxDelayMs: 0,
  deadline: Date.now() + 5_000,
  attemptTimeoutMs: 2_000,
});
const requests = () => h.server.requests.map((r) => `${r.method} ${r.path} ${r.status}`);
/** Serves `body` with 200 for the next request to `path`. */
const answer = (path: string, body: unknown) =>
  h.server.addFault({ type: 'status', status: 200, body }, { path, times: 1 });

describe('login', () => {
  it('POSTs the kubernetes login and stamps the session with the injected clock', async () => {
    const session = await ops.login(policy());
    // vault: kubernetes-login
    expect(requests()).toEqual(['POST /v1/auth/kubernetes-dev-myapp/login 200']);
    expect(session).toMatchObject({ leaseDuration: 3600, renewable: true, obtainedAt: NOW });
    expect(session.token).toMatch(/^hvs\./);
  });
});

describe('the token each call sends', () => {
  it('is the one passed, not the one node-vault keeps from the login', async () => {
    await ops.login(policy());
    // A live token whose policies reach nothing: each call made with it must be refused.
    const other = h.server.createToken({ policies: ['default'] });
    // vault: permission-denied
    await expect(ops.readKvAll(other, 2, policy())).rejects.toMatchObject({ code: 'VAULT_ACCESS_DENIED' });
    await expect(ops.readDynamic(other, SPEC, policy())).rejects.toMatchObject({
      code: 'VAULT_ACCESS_DENIED',
    });
    // vault: token-lookup-self
    expect(await ops.lookupSelf(other, policy())).toMatchObject({ token: other, obtainedAt: NOW });
  });
});

describe('lookupSelf', () => {
  it('the TTL and renewability Vault reports for the token', async () => {
    const token = h.server.createToken({ policies: ['default'], ttl: 600 });
    const looked = await ops.lookupSelf(token, policy());
    expect(looked.leaseDuration).toBeGreaterThan(590);
    expect(looked.leaseDuration).toBeLessThanOrEqual(600);
    expect(looked.renewable).toBe(true);
  });

  it.each([
    [{ data: { ttl: 0, renewable: true } }, { leaseDuration: 0, renewable: true }],
    [{ data: { ttl: -1 } }, { leaseDuration: 0, renewable: false }],
    [{ data: { ttl: '60', renewable: 'true' } }, { leaseDuration: 0, renewable: false }],
    [{}, { leaseDuration: 0, renewable: false }],
  ])('%j → %j', async (body, expected) => {
    answer('/v1/auth/token/lookup-self', body);
    expect(await ops.lookupSelf('t', policy())).toEqual({ token: 't', obtainedAt: NOW, ...expected });
  });
});

describe('readKvAll', () => {
  it('reads every path beside the others and returns them in the configured order', async () => {
    const { token } = await ops.login(policy());
    h.server.clearRequests();
    const reads = await ops.readKvAll(token, 2, policy());
    expect(reads.map((r) => r.path)).toEqual([PATH, COMMON]);
    expect(reads[1]!.data).toEqual({ LOG_LEVEL: 'info', PORT: 3000 });
    // vault: kv2-read
    expect(requests().sort()).toEqual([`GET /v1/kv/data/${COMMON} 200`, `GET /v1/kv/data/${PATH} 200`]);
  });
});

describe('readDynamic', () => {
  it('a database lease: id, duration, renewable, expiry from the injected clock, fields mapped onto keys', async () => {
    const { token } = await ops.login(policy());
    const lease = await ops.readDynamic(token, SPEC, policy());
    // vault: database-creds
    expect(lease).toMatchObject({ spec: SPEC, duration: 600, renewable: true, expiresAt: NOW + 600_000 });
    expect(lease.leaseId).toMatch(/^database\/creds\/app\//);
    expect(Object.keys(lease.values)).toEqual(['DB_USER', 'DB_PASSWORD']);
    expect(lease).not.toHaveProperty('ttlSeconds');
    const unmapped = await ops.readDynamic(token, { path: SPEC.path }, policy());
    expect(Object.keys(unmapped.values).sort()).toEqual(['password', 'username']);
  });

  it('a field the mapping names but Vault did not send is refused, naming the field and the key', async () => {
    const { token } = await ops.login(policy());
    const spec = { path: SPEC.path, keys: { nope: 'DB_NOPE' } };
    await expect(ops.readDynamic(token, spec, policy())).rejects.toMatchObject({
      code: 'VAULT_RESPONSE_INVALID',
      setting: 'VAULT_DYNAMIC',
      keys: ['DB_NOPE'],
      message: `Vault's answer for database/creds/app has no field "nope": check the "keys" mapping of VAULT_DYNAMIC`,
    });
  });

  it('a key the mapping names that cannot be an env var is refused', async () => {
    const { token } = await ops.login(policy());
    const spec = { path: SPEC.path, keys: { username: 'NODE_OPTIONS' } };
    await expect(ops.readDynamic(token, spec, policy())).rejects.toMatchObject({ code: 'VAULT_INVALID_KEY' });
  });

  it('a KV path read as dynamic: no lease, duration 0, not renewable, expiring now', async () => {
    const { token } = await ops.login(policy());
    const read = await ops.readDynamic(token, { path: `kv/data/${COMMON}`, keys: { data: 'D' } }, policy());
    expect(read).toMatchObject({ leaseId: '', duration: 0, renewable: false, expiresAt: NOW });
    expect(JSON.parse(read.values.D!)).toEqual({ LOG_LEVEL: 'info', PORT: 3000 });
  });

  it.each([
    [
      'a lease_duration that is not a number',
      { lease_id: 'l/1', lease_duration: '60', renewable: true, data: { a: 'x' } },
      { leaseId: 'l/1', duration: 0, renewable: false },
    ],
    [
      'a lease_id that is not text',
      { lease_id: 5, lease_duration: 60, renewable: true, data: { a: 'x' } },
      { leaseId: '', duration: 0, renewable: false },
    ],
    [
      'a duration without a lease id',
      { lease_id: '', lease_duration: 60, renewable: true, data: { a: 'x' } },
      { leaseId: '', duration: 0, renewable: false },
    ],
    [
      'renewable that is not true',
      { lease_id: 'l/1', lease_duration: 60, renewable: 'true', data: { a: 'x' } },
      { leaseId: 'l/1', duration: 60, renewable: false, expiresAt: NOW + 60_000 },
    ],
    ['a negative duration', { lease_id: 'l/1', lease_duration: -5, data: { a: 'x' } }, { duration: 0 }],
  ])('%s', async (_why, body, expected) => {
    answer('/v1/database/creds/app', body);
    expect(await ops.readDynamic('t', { path: SPEC.path, keys: { a: 'A' } }, policy())).toMatchObject(
      expected,
    );
  });

  it('data.ttl of a lease-less answer (static credentials) is kept; 0 or text is not', async () => {
    answer('/v1/database/creds/app', { data: { password: 'p', ttl: 30 } });
    expect((await ops.readDynamic('t', SPEC_P, policy())).ttlSeconds).toBe(30);
    answer('/v1/database/creds/app', { data: { password: 'p', ttl: 0 } });
    expect(await ops.readDynamic('t', SPEC_P, policy())).not.toHaveProperty('ttlSeconds');
    answer('/v1/database/creds/app', { data: { password: 'p', ttl: '30' } });
    expect(await ops.readDynamic('t', SPEC_P, policy())).not.toHaveProperty('ttlSeconds');
  });

  it.each([
    ['no data', { lease_id: 'l/1' }],
    ['data null', { data: null }],
    ['data that is text', { data: 'x' }],
  ])('an answer with %s is refused, naming VAULT_DYNAMIC', async (_why, body) => {
    answer('/v1/database/creds/app', body);
    await expect(ops.readDynamic('t', SPEC, policy())).rejects.toMatchObject({
      code: 'VAULT_RESPONSE_INVALID',
      setting: 'VAULT_DYNAMIC',
      message: `Vault's answer for database/creds/app has no data: check VAULT_DYNAMIC names a secret path`,
    });
  });
});

const SPEC_P = { path: SPEC.path, keys: { password: 'P' } };

describe('the token', () => {
  it('renew-self: the TTL Vault granted, renewable, stamped now', async () => {
    const { token } = await ops.login(policy());
    h.server.clearRequests();
    const renewed = await ops.renewSelf(token, 1800, policy());
    // vault: token-renew-self
    expect(requests()).toEqual([expect.stringMatching(/^(PUT|POST) \/v1\/auth\/token\/renew-self 200$/)]);
    expect(renewed).toEqual({ token, leaseDuration: 1800, renewable: true, obtainedAt: NOW });
  });

  it('renew-self with an answer missing auth: duration 0, not renewable', async () => {
    answer('/v1/auth/token/renew-self', {});
    expect(await ops.renewSelf('t', 60, policy())).toEqual({
      token: 't',
      leaseDuration: 0,
      renewable: false,
      obtainedAt: NOW,
    });
  });

  it('revoke-self: the token no longer works', async () => {
    const { token } = await ops.login(policy());
    await ops.revokeSelf(token, policy());
    // vault: token-revoke-self, token-lookup-self
    expect(requests().at(-1)).toMatch(/^(PUT|POST) \/v1\/auth\/token\/revoke-self 204$/);
    const res = await fetch(`${h.server.address}/v1/auth/token/lookup-self`, {
      headers: { 'X-Vault-Token': token },
    });
    expect(res.status).toBe(403);
  });
});

describe('leases', () => {
  it('renew returns the granted seconds; revoke makes the next renewal fail', async () => {
    const { token } = await ops.login(policy());
    const lease = await ops.readDynamic(token, SPEC, policy());
    // vault: lease-renew
    expect(await ops.renewLease(token, lease.leaseId, 300, policy())).toBe(300);
    await ops.revokeLease(token, lease.leaseId, policy());
    // vault: lease-revoke
    expect(requests().slice(-2)).toEqual([
      expect.stringMatching(/^(PUT|POST) \/v1\/sys\/leases\/renew 200$/),
      expect.stringMatching(/^(PUT|POST) \/v1\/sys\/leases\/revoke 204$/),
    ]);
    // vault: lease-unknown
    await expect(ops.renewLease(token, lease.leaseId, 300, policy())).rejects.toMatchObject({
      name: 'VaultSecretError',
    });
  });

  it('a renewal answer without lease_duration counts as 0 s', async () => {
    answer('/v1/sys/leases/renew', { lease_id: 'x' });
    expect(await ops.renewLease('t', 'x', 60, policy())).toBe(0);
  });
});
