/**
 * Dynamic secrets through the manager, on the injected clock against the dev server's database
 * engine: read beside the KV path at start-up, rotated when Vault refuses a renewal (rotations$ with
 * the new values, changes$ with the key names), the old lease handed over and revoked after the
 * grace or when the last holder releases it, and every lease plus the token given back at close().
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { SecretChangeEvent, SecretRotationEvent } from '../../src/types';
import { PATH, type Harness, allowDatabase } from '../support/dev-vault';
import { rig, requestLines, START, until, useHarness } from '../support/manager-harness';

const harness = useHarness();
let h: Harness;
beforeEach(() => {
  h = harness();
  allowDatabase(h.server, 60, 3600);
});

const DYNAMIC = [{ path: 'database/creds/app', keys: { username: 'DB_USER', password: 'DB_PASSWORD' } }];
const LOGIN = 'POST /v1/auth/kubernetes-dev-myapp/login 200';
const READ = `GET /v1/kv/data/${PATH} 200`;
const CREDS = 'GET /v1/database/creds/app 200';
const REVOKE = 'POST /v1/sys/leases/revoke 204';
const REVOKE_SELF = 'POST /v1/auth/token/revoke-self 204';
const count = (line: string) =>
  h.server.requests.filter((r) => `${r.method} ${r.path} ${r.status}` === line).length;
/** Vault refuses the next renewal as for a lease it no longer knows (permanent: new credentials). */
const refuseRenewal = () =>
  h.server.addFault(
    // vault: lease-unknown
    { type: 'status', status: 400, body: { errors: ['lease not found'] } },
    { path: '/v1/sys/leases/renew', times: 1 },
  );

async function rotated(retain = false): Promise<{
  rig: ReturnType<typeof rig>;
  rotation: SecretRotationEvent;
  changes: SecretChangeEvent[];
  firstUser: string;
  releases: (() => void)[];
}> {
  const r = rig(h, { dynamic: DYNAMIC });
  await r.manager.initialize();
  const firstUser = r.manager.get('DB_USER') as string;
  const rotations: SecretRotationEvent[] = [];
  const changes: SecretChangeEvent[] = [];
  const releases: (() => void)[] = [];
  // A consumer retains the old credentials while it handles the event, as a pool does.
  r.manager.rotations$.subscribe((e) => {
    rotations.push(e);
    if (retain) releases.push(e.retain());
  });
  r.manager.changes$.subscribe((e) => changes.push(e));
  refuseRenewal();
  // 2/3 of the 60 s lease (random 0.5: no spread).
  await r.clock.advance(40_000);
  await until(() => rotations.length === 1, 'the rotation');
  return { rig: r, rotation: rotations[0] as SecretRotationEvent, changes, firstUser, releases };
}

describe('start-up', () => {
  it('reads the credentials beside the KV path and writes them to env; no supervisor-less revoke', async () => {
    const { manager, env } = rig(h, { dynamic: DYNAMIC });
    await manager.initialize();
    const lines = await requestLines(h);
    // vault: kubernetes-login, kv2-read, database-creds
    expect(lines[0]).toBe(LOGIN);
    expect(lines.slice(1).sort()).toEqual([CREDS, READ].sort());
    expect(env.DB_USER).toMatch(/^v-/);
    expect(env.DB_USER).toBe(manager.get('DB_USER'));
    expect(env.DB_PASSWORD).toBe(manager.get('DB_PASSWORD'));
    expect(manager.getStatus()).toMatchObject({ state: 'ready', keys: 8 });
    await manager.close();
  });
});

describe('rotation', () => {
  it('publishes the new values on rotations$ and the key names on changes$, at the clock time', async () => {
    const { rig: r, rotation, changes, firstUser } = await rotated();
    const at = new Date(START + 40_000).toISOString();
    expect(rotation).toMatchObject({ path: 'database/creds/app', keys: ['DB_USER', 'DB_PASSWORD'], at });
    expect(rotation.values.DB_USER).not.toBe(firstUser);
    expect(rotation.values).toEqual({
      DB_USER: r.manager.get('DB_USER'),
      DB_PASSWORD: r.manager.get('DB_PASSWORD'),
    });
    expect(Object.isFrozen(rotation.values)).toBe(true);
    expect(r.env.DB_USER).toBe(rotation.values.DB_USER);
    expect(changes).toEqual([{ reason: 'rotation', keys: ['DB_USER', 'DB_PASSWORD'], at }]);
    expect(r.manager.getStatus()).toMatchObject({ state: 'ready', keys: 8, loaded_at: at });
    expect(h.logs).toContain('[vault-config] rotation: 2 key(s) changed: DB_USER, DB_PASSWORD');
    expect(JSON.stringify(h.logs)).not.toContain(rotation.values.DB_PASSWORD as string);
    await r.manager.close();
  });

  it('nobody retains the old lease: revoked after the 10 s grace, not before', async () => {
    const { rig: r } = await rotated();
    await r.clock.advance(9_999);
    expect(count(REVOKE)).toBe(0);
    await r.clock.advance(1);
    await until(() => count(REVOKE) === 1, 'the old lease revoked');
    await r.manager.close();
  });

  it('retained: the old lease is revoked when it is released, not at the grace', async () => {
    const { rig: r, releases } = await rotated(true);
    // Past the grace, before the old lease's expiry (60 s after it was issued).
    await r.clock.advance(15_000);
    expect((await requestLines(h)).filter((l) => l.startsWith('POST /v1/sys/leases/revoke'))).toEqual([]);
    releases[0]?.();
    await until(() => count(REVOKE) === 1, 'the old lease revoked on release');
    await r.manager.close();
  });
});

describe('close()', () => {
  it('revokes the lease it holds and the token it logged in for', async () => {
    const { manager } = rig(h, { dynamic: DYNAMIC });
    await manager.initialize();
    await manager.close();
    const lines = await requestLines(h);
    // vault: lease-revoke, token-revoke-self
    expect(lines.slice(3).sort()).toEqual([REVOKE, REVOKE_SELF].sort());
  });

  it('a refused lease revoke is a warning naming the path: the lease expires on its own', async () => {
    const { manager } = rig(h, { dynamic: DYNAMIC });
    await manager.initialize();
    h.server.addFault(
      { type: 'status', status: 500, body: { errors: ['internal error'] } },
      { path: '/v1/sys/leases/revoke' },
    );
    await manager.close();
    expect(h.logs.filter((l) => l.includes('could not revoke'))).toEqual([
      '[vault-config] could not revoke a lease of database/creds/app (VAULT_RETRIES_EXHAUSTED); it expires on its own',
    ]);
    expect((await requestLines(h)).filter((l) => l === REVOKE_SELF)).toHaveLength(1);
  });
});

describe('a start-up that fails', () => {
  it('gives back the lease it obtained beside the failed read, and the token', async () => {
    const { manager, env } = rig(h, { dynamic: DYNAMIC, path: [PATH, 'ACME/NOPE'] });
    await expect(manager.initialize()).rejects.toMatchObject({ code: 'VAULT_SECRET_NOT_FOUND' });
    const lines = await requestLines(h);
    expect(lines.filter((l) => l.includes('revoke')).sort()).toEqual([REVOKE, REVOKE_SELF].sort());
    expect(env).toEqual({});
  });

  it('a refused lease revoke does not hide the start-up error', async () => {
    h.server.addFault(
      { type: 'status', status: 500, body: { errors: ['internal error'] } },
      { path: '/v1/sys/leases/revoke' },
    );
    const { manager } = rig(h, { dynamic: DYNAMIC, path: [PATH, 'ACME/NOPE'] });
    await expect(manager.initialize()).rejects.toMatchObject({ code: 'VAULT_SECRET_NOT_FOUND' });
    expect((await requestLines(h)).filter((l) => l === REVOKE_SELF)).toHaveLength(1);
  });
});

describe('a dynamic path without a lease', () => {
  it('is re-read on the refresh interval; its rotation event has a retain that holds nothing', async () => {
    const { manager, clock, env } = rig(h, {
      refreshInterval: 60,
      dynamic: [{ path: `kv/data/${PATH}`, keys: { metadata: 'KV_METADATA' } }],
    });
    await manager.initialize();
    const { version } = JSON.parse(env.KV_METADATA as string) as { version: number };
    expect(version).toBeGreaterThan(0);
    const rotations: SecretRotationEvent[] = [];
    manager.rotations$.subscribe((e) => rotations.push(e));
    h.server.writeSecret('kv', PATH, { API_KEY: 'v2' });
    await clock.advance(60_000);
    await until(() => rotations.length === 1, 'the re-read');
    expect(rotations[0]).toMatchObject({ path: `kv/data/${PATH}`, keys: ['KV_METADATA'] });
    expect(JSON.parse(rotations[0]?.values.KV_METADATA as string)).toMatchObject({ version: version + 1 });
    const release = rotations[0]?.retain();
    expect(typeof release).toBe('function');
    release?.();
    await manager.close();
    expect(h.logs.filter((l) => l.includes('sys/leases'))).toEqual([]);
    expect(count(REVOKE)).toBe(0);
  });
});
