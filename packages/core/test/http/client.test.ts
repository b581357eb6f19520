/**
 * The node-vault client built from resolved options, against local HTTP(S) servers: the headers it
 * sends (and the process.env values it must not pick up), how answers become results or
 * VaultHttpErrors, the per-request options, and the TLS settings with their file errors.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { VaultConfigurationError } from '../../src/errors';
import { createVaultHttpClient, type VaultHttpClient } from '../../src/http/client';
import { VaultHttpError } from '../../src/http/http-error';
import { TransportError } from '../../src/http/transport';
import { resolveOptions, type ResolvedOptions } from '../../src/options';
import {
  json,
  makeCertificate,
  opensslOrSkip,
  startServer,
  type Certificate,
  type LocalServer,
} from '../support/local-http';

let vault: LocalServer;
let dir = '';
let client: VaultHttpClient | undefined;
const savedEnv = { token: process.env.VAULT_TOKEN, namespace: process.env.VAULT_NAMESPACE };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vault-client-'));
  vault = await startServer((_req, res) => json(res, 200, { data: { A: 1 } }));
});
afterAll(async () => {
  await vault.close();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
  client?.close();
  client = undefined;
  vault.seen.length = 0;
  vault.handler = (_req, res) => json(res, 200, { data: { A: 1 } });
  for (const [name, value] of [
    ['VAULT_TOKEN', savedEnv.token],
    ['VAULT_NAMESPACE', savedEnv.namespace],
  ] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

const options = (address: string, extra: Partial<ResolvedOptions> = {}): ResolvedOptions => ({
  ...resolveOptions({ env: { VAULT_ADDR: address, VAULT_TOKEN: 'opt-token', VAULT_PATH: 'a' } }),
  ...extra,
});
const make = (address: string, extra: Partial<ResolvedOptions> = {}) => {
  client = createVaultHttpClient(options(address, extra));
  return client;
};
const rejection = <T = unknown>(p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e as T,
  );
const configError = (fn: () => unknown): VaultConfigurationError => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(VaultConfigurationError);
    return error as VaultConfigurationError;
  }
  throw new Error('expected a VaultConfigurationError');
};

describe('construction', () => {
  it('refuses options without an address', () => {
    expect(() => createVaultHttpClient({ ...options(vault.url), address: null })).toThrow(
      'createVaultHttpClient needs an address',
    );
  });

  it.each([
    ['VAULT_CLIENT_KEY', { clientCert: '/x/cert.pem', clientKey: null }],
    ['VAULT_CLIENT_CERT', { clientCert: null, clientKey: '/x/key.pem' }],
  ])('a client certificate without its pair names %s', (setting, extra) => {
    const error = configError(() => make(vault.url, extra));
    expect(error.code).toBe('VAULT_CONFIG_INVALID');
    expect(error.setting).toBe(setting);
    expect(error.message).toBe(
      `${setting} is required too: a client certificate needs both VAULT_CLIENT_CERT and VAULT_CLIENT_KEY`,
    );
  });
});

describe('what node-vault sends through the transport', () => {
  it('the API path under /v1 with X-Vault-Request; no token or namespace taken from process.env', async () => {
    process.env.VAULT_TOKEN = 'env-token';
    process.env.VAULT_NAMESPACE = 'env-ns';
    const http = make(vault.url);
    await expect(http.client.read('kv/data/a', http.requestOptions(1000))).resolves.toEqual({
      data: { A: 1 },
    });
    const [seen] = vault.seen;
    expect(seen).toMatchObject({ method: 'GET', url: '/v1/kv/data/a' });
    expect(seen?.headers['x-vault-request']).toBe('true');
    expect(seen?.headers['x-vault-token']).toBeUndefined();
    expect(seen?.headers['x-vault-namespace']).toBeUndefined();
  });

  it('the namespace option becomes X-Vault-Namespace; the token the caller sets, X-Vault-Token', async () => {
    const http = make(vault.url, { namespace: 'team-a' });
    http.client.token = 'call-token';
    await http.client.write('auth/token/renew-self', { increment: '1h' }, http.requestOptions(1000));
    const [seen] = vault.seen;
    expect(seen).toMatchObject({
      method: 'POST',
      url: '/v1/auth/token/renew-self',
      body: '{"increment":"1h"}',
    });
    expect(seen?.headers).toMatchObject({ 'x-vault-namespace': 'team-a', 'x-vault-token': 'call-token' });
  });

  it('requestOptions: the timeout, and the signal only when given', () => {
    const http = make(vault.url);
    const signal = new AbortController().signal;
    expect(http.requestOptions(1234)).toEqual({ timeout: 1234 });
    expect(http.requestOptions(50, signal)).toEqual({ timeout: 50, signal });
  });

  it('the per-request timeout bounds the call; without one the VAULT_TIMEOUT option does', async () => {
    vault.handler = () => undefined;
    const http = make(vault.url, { timeoutMs: 40 });
    const own = await rejection<TransportError>(http.client.read('kv/data/a', http.requestOptions(20)));
    expect(own).toBeInstanceOf(TransportError);
    expect(own.message).toBe('no response within 20 ms');
    const fallback = await rejection<TransportError>(http.client.read('kv/data/a'));
    expect(fallback.message).toBe('no response within 40 ms');
  });

  it('the signal aborts the call', async () => {
    const controller = new AbortController();
    controller.abort();
    const http = make(vault.url);
    const error = await rejection<TransportError>(
      http.client.read('kv/data/a', http.requestOptions(1000, controller.signal)),
    );
    expect(error.code).toBe('VAULT_REQUEST_ABORTED');
  });
});

describe('answers', () => {
  const read = async () => {
    const http = make(vault.url);
    return http.client.read('kv/data/a', http.requestOptions(1000));
  };

  it('204 resolves with no body', async () => {
    vault.handler = (_req, res) => {
      res.statusCode = 204;
      res.end();
    };
    await expect(read()).resolves.toBeUndefined();
  });

  it('a 404 → VaultHttpError with status, Vault’s string errors, headers, path and body', async () => {
    const body = { errors: ['no secret', 7, 'second'], data: null };
    vault.handler = (_req, res) => {
      res.writeHead(404, { 'content-type': 'application/json', 'x-extra': 'e' });
      res.end(JSON.stringify(body));
    };
    const error = await rejection<VaultHttpError>(read());
    expect(error).toBeInstanceOf(VaultHttpError);
    expect(error).toMatchObject({
      status: 404,
      errors: ['no secret', 'second'],
      path: '/v1/kv/data/a',
      body,
      malformed: false,
    });
    expect(error.headers['x-extra']).toBe('e');
  });

  it.each([
    ['errors not a list', { errors: 'denied' }],
    ['no errors field', { warnings: ['w'] }],
  ])('a 403 with %s → VaultHttpError without errors', async (_name, body) => {
    vault.handler = (_req, res) => json(res, 403, body);
    const error = await rejection<VaultHttpError>(read());
    expect(error).toMatchObject({ status: 403, errors: [], body });
  });

  it('a 500 whose body is JSON null → VaultHttpError without errors', async () => {
    vault.handler = (_req, res) => res.writeHead(500).end('null');
    const error = await rejection<VaultHttpError>(read());
    expect(error).toBeInstanceOf(VaultHttpError);
    expect(error).toMatchObject({ status: 500, errors: [], body: null, malformed: false });
  });

  it('a 200 that is not JSON → VaultHttpError marked malformed', async () => {
    vault.handler = (_req, res) => res.end('<html>login page</html>');
    const error = await rejection<VaultHttpError>(read());
    expect(error).toBeInstanceOf(VaultHttpError);
    expect(error).toMatchObject({ status: 200, malformed: true, errors: [], body: undefined });
  });

  it('another 2xx (202) is not taken as the answer', async () => {
    vault.handler = (_req, res) => json(res, 202, { data: { A: 1 } });
    await expect(read()).rejects.toMatchObject({ status: 202 });
  });
});

describe('TLS settings: file errors name the setting', () => {
  const pemFile = (name: string, text: string) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  it.each([
    ['VAULT_CACERT', 'caCert'],
    ['VAULT_CLIENT_CERT', 'clientCert'],
    ['VAULT_CLIENT_KEY', 'clientKey'],
  ] as const)('%s missing → cannot be read (ENOENT)', (setting, field) => {
    const file = join(dir, 'absent.pem');
    const pair =
      field === 'caCert' ? {} : { clientCert: pemFile('c.pem', 'x'), clientKey: pemFile('k.pem', 'x') };
    const error = configError(() => make(vault.url, { ...pair, [field]: file }));
    expect(error.code).toBe('VAULT_TLS');
    expect(error.setting).toBe(setting);
    expect(error.message).toBe(`${setting} file "${file}" cannot be read (ENOENT)`);
  });

  it('a FIFO is not read (it would block): not a regular file', () => {
    const fifo = join(dir, 'ca-fifo');
    execFileSync('mkfifo', [fifo]);
    const error = configError(() => make(vault.url, { caCert: fifo }));
    expect(error.message).toBe(`VAULT_CACERT file "${fifo}" is not a regular file`);
  });

  it('a CA file of exactly 1 MiB is read; one byte more is refused', () => {
    const exact = pemFile('exact.pem', 'a'.repeat(1024 * 1024));
    make(vault.url, { caCert: exact }).close();
    const big = pemFile('big.pem', 'a'.repeat(1024 * 1024 + 1));
    const error = configError(() => make(vault.url, { caCert: big }));
    expect(error.message).toBe(`VAULT_CACERT file "${big}" is larger than 1 MiB`);
  });

  it('VAULT_CAPATH missing → cannot be read, naming the directory', () => {
    const missing = join(dir, 'no-such-dir');
    const error = configError(() => make(vault.url, { caPath: missing }));
    expect(error).toMatchObject({ code: 'VAULT_TLS', setting: 'VAULT_CAPATH' });
    expect(error.message).toBe(`VAULT_CAPATH directory "${missing}" cannot be read (ENOENT)`);
  });

  it('VAULT_CAPATH with no file (a subdirectory only) → holds no certificate', () => {
    const empty = join(dir, 'capath-empty');
    mkdirSync(join(empty, 'sub'), { recursive: true });
    const error = configError(() => make(vault.url, { caPath: empty }));
    expect(error).toMatchObject({ code: 'VAULT_TLS', setting: 'VAULT_CAPATH' });
    expect(error.message).toBe(`VAULT_CAPATH directory "${empty}" holds no certificate`);
  });

  it('VAULT_CAPATH with a non-PEM file → names the first such file in name order', () => {
    const bad = join(dir, 'capath-bad');
    mkdirSync(bad);
    // Created neither in name order nor in its reverse: only sorting names a-readme.txt first.
    writeFileSync(join(bad, 'b-notes.txt'), 'notes');
    writeFileSync(join(bad, 'a-readme.txt'), 'readme');
    writeFileSync(join(bad, 'c-more.txt'), 'more');
    const error = configError(() => make(vault.url, { caPath: bad }));
    expect(error).toMatchObject({ code: 'VAULT_TLS', setting: 'VAULT_CAPATH' });
    expect(error.message).toBe(
      `VAULT_CAPATH file "${join(bad, 'a-readme.txt')}" holds no PEM certificate: keep only CA certificates in that directory`,
    );
  });

  it('VAULT_CAPATH with a dangling link → that file cannot be read (ENOENT)', () => {
    const linked = join(dir, 'capath-link');
    mkdirSync(linked);
    symlinkSync(join(dir, 'gone.pem'), join(linked, 'gone.pem'));
    const error = configError(() => make(vault.url, { caPath: linked }));
    expect(error.message).toBe(`VAULT_CAPATH file "${join(linked, 'gone.pem')}" cannot be read (ENOENT)`);
  });

  it('VAULT_CACERT wins over VAULT_CAPATH: the directory is not read', () => {
    const ca = pemFile('ca-wins.pem', '-----BEGIN CERTIFICATE-----');
    expect(() => make(vault.url, { caCert: ca, caPath: join(dir, 'no-such-dir') })).not.toThrow();
  });
});

const available = opensslOrSkip();

describe.skipIf(!available)('TLS settings reach the connection', () => {
  let tlsDir = '';
  let vaultCert: Certificate;
  let otherCert: Certificate;
  let clientCert: Certificate;
  let secure: LocalServer;
  const seenTls: Array<{ sni: unknown; client: unknown }> = [];

  beforeAll(async () => {
    tlsDir = mkdtempSync(join(tmpdir(), 'vault-client-tls-'));
    vaultCert = makeCertificate(tlsDir, 'vault', 'vault.test', 'DNS:vault.test');
    otherCert = makeCertificate(tlsDir, 'other', 'other.test', 'DNS:other.test');
    clientCert = makeCertificate(tlsDir, 'client', 'vault-client', 'DNS:vault-client');
    secure = await startServer(
      (req: IncomingMessage, res) => {
        const socket = req.socket as TLSSocket & { servername?: string | false };
        const peer = socket.getPeerCertificate();
        seenTls.push({ sni: socket.servername, client: peer && 'subject' in peer ? peer.subject?.CN : null });
        json(res, 200, { data: { ok: true } });
      },
      { key: vaultCert.key, cert: vaultCert.cert, requestCert: true, rejectUnauthorized: false },
    );
  });
  afterAll(async () => {
    await secure?.close();
    if (tlsDir) rmSync(tlsDir, { recursive: true, force: true });
  });
  afterEach(() => {
    seenTls.length = 0;
  });

  const read = (extra: Partial<ResolvedOptions>) => {
    const http = make(secure.url, { tlsServerName: 'vault.test', ...extra });
    return http.client.read('kv/data/a', http.requestOptions(2000));
  };
  const tlsCode = async (extra: Partial<ResolvedOptions>) =>
    (await rejection<TransportError>(read(extra))).code;

  it('verification is on by default: an unknown CA is refused', async () => {
    expect(await tlsCode({})).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
  });

  it('VAULT_SKIP_VERIFY turns verification off', async () => {
    await expect(read({ skipVerify: true })).resolves.toEqual({ data: { ok: true } });
  });

  it('VAULT_CACERT (a file) and the ca option (PEM text) are trusted', async () => {
    await expect(read({ caCert: vaultCert.certFile })).resolves.toEqual({ data: { ok: true } });
    client?.close();
    await expect(read({ ca: vaultCert.cert.toString() })).resolves.toEqual({ data: { ok: true } });
  });

  it('VAULT_CACERT wins over the ca option', async () => {
    await expect(read({ caCert: vaultCert.certFile, ca: otherCert.cert })).resolves.toBeDefined();
    client?.close();
    expect(await tlsCode({ caCert: otherCert.certFile, ca: vaultCert.cert })).toBe(
      'DEPTH_ZERO_SELF_SIGNED_CERT',
    );
  });

  it('VAULT_CAPATH: every certificate of the directory is trusted, subdirectories skipped', async () => {
    const caDir = join(tlsDir, 'ca.d');
    mkdirSync(join(caDir, 'nested'), { recursive: true });
    writeFileSync(join(caDir, 'other.pem'), otherCert.cert);
    writeFileSync(join(caDir, 'vault.pem'), vaultCert.cert);
    await expect(read({ caPath: caDir })).resolves.toEqual({ data: { ok: true } });
  });

  it('VAULT_TLS_SERVER_NAME is the name sent and checked', async () => {
    await read({ caCert: vaultCert.certFile });
    expect(seenTls[0]?.sni).toBe('vault.test');
    client?.close();
    expect(await tlsCode({ caCert: vaultCert.certFile, tlsServerName: null })).toBe(
      'ERR_TLS_CERT_ALTNAME_INVALID',
    );
  });

  it('VAULT_CLIENT_CERT and VAULT_CLIENT_KEY are presented', async () => {
    await read({
      caCert: vaultCert.certFile,
      clientCert: clientCert.certFile,
      clientKey: clientCert.keyFile,
    });
    expect(seenTls[0]?.client).toBe('vault-client');
  });

  it('close() ends the connections', async () => {
    await read({ caCert: vaultCert.certFile });
    expect(secure.sockets.size).toBe(1);
    client?.close();
    for (let i = 0; i < 100 && secure.sockets.size > 0; i += 1) await new Promise((r) => setTimeout(r, 5));
    expect(secure.sockets.size).toBe(0);
  });
});
