/**
 * TLS settings against a real HTTPS listener with a throwaway self-signed certificate (made with the
 * openssl CLI; skipped where it is absent, except under CI, where a missing openssl fails the file). The listener answers a KV v2 read like Vault does.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCi } from '../../../test/support/ci';
import { VaultConfigurationError, VaultSecretManager } from '../src';

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const available = hasOpenssl();
/** Under CI the TLS checks must run: `.ci/run` installs openssl. */
const required = isCi();
let dir = '';
let server: https.Server | undefined;
let address = '';
let hits = 0;
let connections = 0;

beforeAll(async () => {
  if (!available) {
    if (required) throw new Error('openssl is not installed: apt-get install openssl (.ci/run does this)');
    return;
  }
  dir = mkdtempSync(join(tmpdir(), 'vault-tls-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  server = https.createServer(
    { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
    (req, res) => {
      hits += 1;
      res.setHeader('content-type', 'application/json');
      if (req.url === '/v1/kv/data/A' && req.headers['x-vault-token'] === 'tls-test-token') {
        res.end(JSON.stringify({ data: { data: { TLS_OK: 'yes' }, metadata: { version: 1 } } }));
        return;
      }
      res.statusCode = 403;
      res.end(JSON.stringify({ errors: ['permission denied'] }));
    },
  );
  server.on('connection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  address = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const base = () => ({ VAULT_ADDR: address, VAULT_TOKEN: 'tls-test-token', VAULT_PATH: 'A' });

describe.skipIf(!available && !required)('TLS', () => {
  it('an untrusted certificate → VaultConfigurationError VAULT_TLS, not retried', async () => {
    hits = 0;
    connections = 0;
    const manager = new VaultSecretManager({ env: base(), logger: false });
    const error = await manager.initialize().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VaultConfigurationError);
    expect((error as VaultConfigurationError).code).toBe('VAULT_TLS');
    expect((error as Error).message).toContain('VAULT_CACERT');
    expect(hits).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 200)); // let the server see every connection
    expect(connections).toBe(1); // one attempt: TLS failures are not transient
  });

  it('VAULT_SKIP_VERIFY=false keeps verification on', async () => {
    const manager = new VaultSecretManager({ env: { ...base(), VAULT_SKIP_VERIFY: 'false' }, logger: false });
    await expect(manager.initialize()).rejects.toMatchObject({ code: 'VAULT_TLS' });
  });

  it('VAULT_CACERT trusts the certificate', async () => {
    const manager = new VaultSecretManager({
      env: { ...base(), VAULT_CACERT: join(dir, 'cert.pem') },
      logger: false,
    });
    await manager.initialize();
    expect(manager.get('TLS_OK')).toBe('yes');
    await manager.close();
  });

  it('VAULT_SKIP_VERIFY=true connects without a CA', async () => {
    const manager = new VaultSecretManager({ env: { ...base(), VAULT_SKIP_VERIFY: 'true' }, logger: false });
    await manager.initialize();
    expect(manager.get('TLS_OK')).toBe('yes');
    await manager.close();
  });

  it('an unreadable VAULT_CACERT → VAULT_TLS naming it', async () => {
    const manager = new VaultSecretManager({
      env: { ...base(), VAULT_CACERT: join(dir, 'absent.pem') },
      logger: false,
    });
    await expect(manager.initialize()).rejects.toMatchObject({ code: 'VAULT_TLS', setting: 'VAULT_CACERT' });
  });

  it('a VAULT_CACERT that is a FIFO fails at once instead of blocking start-up', async () => {
    const fifo = join(dir, 'ca-fifo');
    execFileSync('mkfifo', [fifo]);
    const manager = new VaultSecretManager({ env: { ...base(), VAULT_CACERT: fifo }, logger: false });
    await expect(manager.initialize()).rejects.toMatchObject({
      code: 'VAULT_TLS',
      setting: 'VAULT_CACERT',
      message: expect.stringContaining('not a regular file'),
    });
  });

  it('VAULT_CAPATH: a directory of certificates is trusted; a non-PEM file in it is named', async () => {
    const caDir = join(dir, 'ca.d');
    mkdirSync(caDir);
    writeFileSync(join(caDir, 'vault.pem'), readFileSync(join(dir, 'cert.pem')));
    const ok = new VaultSecretManager({ env: { ...base(), VAULT_CAPATH: caDir }, logger: false });
    await expect(ok.initialize()).resolves.toMatchObject({ TLS_OK: 'yes' });
    await ok.close();
    writeFileSync(join(caDir, 'notes.txt'), 'not a certificate');
    const bad = new VaultSecretManager({ env: { ...base(), VAULT_CAPATH: caDir }, logger: false });
    await expect(bad.initialize()).rejects.toMatchObject({
      code: 'VAULT_TLS',
      setting: 'VAULT_CAPATH',
      message: expect.stringContaining('notes.txt'),
    });
  });
});
