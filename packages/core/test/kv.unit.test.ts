/**
 * KV answers as Vault sends them, read without a server: version detection from
 * sys/internal/ui/mounts and the shapes of v1 and v2 reads.
 */
import { describe, expect, it } from 'vitest';
import type { NodeVaultClient } from '../src/http/client';
import { detectKvVersion, encodePath, kvApiPath, readKv } from '../src/kv';

/** node-vault's client, answering every read with `body` and recording the paths asked. */
function client(body: unknown): NodeVaultClient & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    read: async (path: string) => {
      asked.push(path);
      return body;
    },
  } as unknown as NodeVaultClient & { asked: string[] };
}

// vault: kv-preflight
// Source: vault command/kv_helpers.go kvPreflightVersionRequest — `options` nil → 1, no
// `version` key → 1, "" or "1" → 1, "2" → 2, anything else → 1. The type is "kv", or "generic"
// for the legacy mount (vault/mount.go, mountTypeGeneric).
const mounts: { data: unknown; expected: 1 | 2; why: string }[] = [
  { data: { type: 'kv', options: { version: '2' } }, expected: 2, why: 'version "2"' },
  { data: { type: 'kv', options: { version: '1' } }, expected: 1, why: 'version "1"' },
  { data: { type: 'kv', options: { version: '' } }, expected: 1, why: 'version ""' },
  { data: { type: 'kv', options: { version: '3' } }, expected: 1, why: 'an unknown version' },
  { data: { type: 'kv', options: {} }, expected: 1, why: 'options without a version' },
  { data: { type: 'kv', options: null }, expected: 1, why: 'options null' },
  { data: { type: 'kv' }, expected: 1, why: 'no options at all' },
  { data: { type: 'generic', options: null }, expected: 1, why: 'the legacy generic mount' },
  { data: { type: 'generic', options: { version: '2' } }, expected: 2, why: 'generic with version "2"' },
];

describe('detectKvVersion', () => {
  it.each(mounts)('$why → v$expected', async ({ data, expected }) => {
    const c = client({ data });
    expect(await detectKvVersion(c, 'kv', 'ACME/DEV', {})).toBe(expected);
    expect(c.asked).toEqual(['sys/internal/ui/mounts/kv/ACME/DEV']);
  });

  it('encodes each segment of the mount and the path', async () => {
    const c = client({ data: { type: 'kv', options: { version: '2' } } });
    await detectKvVersion(c, 'my kv', 'a b/c?d', {});
    expect(c.asked).toEqual(['sys/internal/ui/mounts/my%20kv/a%20b/c%3Fd']);
  });

  it.each([
    ['a database mount', { data: { type: 'database', options: null } }],
    ['no data', { data: null }],
    ['an empty body', null],
  ])('%s is not KV: the error names VAULT_MOUNT_POINT and VAULT_KV_VERSION', async (_why, body) => {
    await expect(detectKvVersion(client(body), 'db', 'x', {})).rejects.toMatchObject({
      code: 'VAULT_RESPONSE_INVALID',
      setting: 'VAULT_MOUNT_POINT',
      message: expect.stringMatching(/mount "db" is not a KV secrets engine.*VAULT_KV_VERSION/),
    });
  });
});

describe('kvApiPath', () => {
  it('v2 reads under data/, with ?version= only when pinned; v1 reads the path itself', () => {
    // vault: kv2-read, kv1-read
    // Source: https://developer.hashicorp.com/vault/api-docs/secret/kv/kv-v2#read-secret-version
    // and https://developer.hashicorp.com/vault/api-docs/secret/kv/kv-v1#read-secret
    expect(kvApiPath('kv', 'A/B', 2, null)).toBe('kv/data/A/B');
    expect(kvApiPath('kv', 'A/B', 2, 3)).toBe('kv/data/A/B?version=3');
    expect(kvApiPath('kv1', 'A/B', 1, null)).toBe('kv1/A/B');
    expect(kvApiPath('kv1', 'A/B', 1, 3)).toBe('kv1/A/B');
    expect(encodePath('a b/ü')).toBe('a%20b/%C3%BC');
  });
});

describe('readKv', () => {
  const target = (kvVersion: 1 | 2) => ({ mount: 'kv', path: 'A', kvVersion, version: null });

  it('v2: data.data under the path read', async () => {
    // vault: kv2-read
    // Source: kv-v2 read-secret-version sample response (data.data, data.metadata.version).
    const body = { data: { data: { K: 'v' }, metadata: { version: 4 } }, lease_id: '', lease_duration: 0 };
    expect(await readKv(client(body), target(2), {})).toEqual({ path: 'A', data: { K: 'v' } });
  });

  it('v1: data itself (the lease fields Vault sends are not secrets and are not kept)', async () => {
    // vault: kv1-read
    // Source: kv-v1 read-secret sample response: lease_duration 2764800, renewable false.
    const body = { data: { K: 'v' }, lease_id: 'kv1/A/abc', lease_duration: 2764800, renewable: true };
    expect(await readKv(client(body), target(1), {})).toEqual({ path: 'A', data: { K: 'v' } });
  });

  it('a v1 answer on a v2 read says to set VAULT_KV_VERSION=1', async () => {
    await expect(readKv(client({ data: { K: 'v' } }), target(2), {})).rejects.toMatchObject({
      code: 'VAULT_RESPONSE_INVALID',
      path: '/v1/kv/A',
      message: expect.stringContaining('set VAULT_KV_VERSION=1'),
    });
  });

  it.each([
    ['no body', null, 1, 'has no body'],
    ['an array body', [], 1, 'has no body'],
    ['data that is not an object', { data: ['x'] }, 1, 'carries no key/value object'],
    ['data.data that is not an object', { data: { data: 'x' } }, 2, 'carries no key/value object'],
  ] as const)('%s is refused', async (_why, body, version, text) => {
    await expect(readKv(client(body), target(version), {})).rejects.toMatchObject({
      code: 'VAULT_RESPONSE_INVALID',
      message: expect.stringContaining(`Vault's answer for kv/A ${text}`),
    });
  });
});
