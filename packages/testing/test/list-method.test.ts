/**
 * The LIST verb and `?list=`, as Vault's http/logical.go buildLogicalRequestNoAuth reads them:
 * `LIST` is a list operation; GET with a non-empty `list` value parsed by Go's strconv.ParseBool is a
 * list when true, a read when false, and 400 `{"errors":[]}` when ParseBool rejects it. A list path
 * gets a trailing `/`; an empty or missing key set is 404 `{"errors":[]}`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVaultDevServer, type VaultDevServer } from '@vault-config/testing';
import { call } from './helpers';
import { rawExchange } from './raw-http';

let vault: VaultDevServer;
let head: string;
beforeAll(async () => {
  vault = await startVaultDevServer();
  vault.writeSecret('kv', 'ACME/DEV/MYAPP', { A: '1' });
  vault.writeSecret('kv', 'ACME/DEV/OTHER', { A: '2' });
  vault.writeSecret('kv', 'top', { A: '3' });
  head = `Host: 127.0.0.1\r\nX-Vault-Token: ${vault.rootToken}\r\n`;
});
afterAll(() => vault.close());

describe('the LIST method', () => {
  it('lists KV v2 metadata like GET ?list=true does, with a JSON envelope', async () => {
    const r = await call(vault, 'LIST', 'kv/metadata/ACME/DEV', { token: vault.rootToken });
    expect(r.status).toBe(200);
    expect(r.json.data).toEqual({ keys: ['MYAPP', 'OTHER'] });
    expect(r.headers.get('content-type')).toBe('application/json');
    const viaGet = await call(vault, 'GET', 'kv/metadata/ACME/DEV?list=true', { token: vault.rootToken });
    expect(viaGet.json.data).toEqual(r.json.data);
  });

  it('answers 404 {"errors":[]} for an empty list', async () => {
    const r = await call(vault, 'LIST', 'kv/metadata/NOPE', { token: vault.rootToken });
    expect(r.status).toBe(404);
    expect(r.json).toEqual({ errors: [] });
  });

  it('works on a keep-alive connection, with requests before and after it on the same socket', async () => {
    const responses = await rawExchange(
      vault.address,
      [
        `GET /v1/kv/data/top HTTP/1.1\r\n${head}\r\n`,
        `LIST /v1/kv/metadata HTTP/1.1\r\n${head}\r\n`,
        `GET /v1/kv/data/ACME/DEV/MYAPP HTTP/1.1\r\n${head}\r\n`,
        `LIST /v1/kv/metadata/ACME/ HTTP/1.1\r\n${head}\r\n`,
      ],
      4,
    );
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(JSON.parse(responses[1]!.body).data.keys).toEqual(['ACME/', 'top']);
    expect(JSON.parse(responses[2]!.body).data.data).toEqual({ A: '1' });
    expect(JSON.parse(responses[3]!.body).data.keys).toEqual(['DEV/']);
    for (const r of responses) expect(r.headers.connection).toBe('keep-alive');
  });

  it('keeps framing across bodies: a chunked POST whose body contains "LIST " does not confuse it', async () => {
    const body = '{"data":{"x":"\\r\\n\\r\\nLIST /v1/ HTTP/1.1"}}';
    const half = Math.floor(body.length / 2);
    const chunked = `${half.toString(16)}\r\n${body.slice(0, half)}\r\n${(body.length - half).toString(16)}\r\n${body.slice(half)}\r\n0\r\n\r\n`;
    const responses = await rawExchange(
      vault.address,
      [
        `POST /v1/kv/data/chunked HTTP/1.1\r\n${head}Transfer-Encoding: chunked\r\n\r\n`,
        chunked,
        `LIST /v1/kv/metadata HTTP/1.1\r\n${head}\r\n`,
        `POST /v1/kv/data/sized HTTP/1.1\r\n${head}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      ],
      3,
    );
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
    const read = await call(vault, 'GET', 'kv/data/chunked', { token: vault.rootToken });
    expect(read.json.data.data.x).toBe('\r\n\r\nLIST /v1/ HTTP/1.1');
    expect(JSON.parse(responses[1]!.body).data.keys).toContain('chunked');
  });

  it('handles a LIST split across TCP packets', async () => {
    const responses = await rawExchange(
      vault.address,
      ['LI', 'ST /v1/kv/meta', `data HTTP/1.1\r\n${head}`, '\r\n'],
      1,
    );
    expect(responses[0]!.status).toBe(200);
  });

  it('a client cannot forge the internal LIST marker', async () => {
    const responses = await rawExchange(
      vault.address,
      [`GET /v1/kv/metadata HTTP/1.1\r\n${head}X-Vault-Dev-Server-List: anything\r\n\r\n`],
      1,
    );
    // A GET on the v2 metadata root is a read: Vault's "Non-listing operations" 404.
    expect(responses[0]!.status).toBe(404);
  });

  it('is logged as LIST in the request log', async () => {
    vault.clearRequests();
    await call(vault, 'LIST', 'kv/metadata', { token: vault.rootToken });
    expect(vault.requests.at(-1)).toMatchObject({ method: 'LIST', path: '/v1/kv/metadata', status: 200 });
  });
});

describe('?list= parsed as strconv.ParseBool', () => {
  // Go's strconv.ParseBool: 1 t T TRUE true True / 0 f F FALSE false False; anything else is an error.
  it.each(['1', 't', 'T', 'TRUE', 'true', 'True'])('list=%s is a list', async (value) => {
    const r = await call(vault, 'GET', `kv/metadata/ACME/DEV?list=${value}`, { token: vault.rootToken });
    expect(r.status).toBe(200);
    expect(r.json.data.keys).toEqual(['MYAPP', 'OTHER']);
  });

  it.each(['0', 'f', 'F', 'FALSE', 'false', 'False'])('list=%s is a read', async (value) => {
    const r = await call(vault, 'GET', `kv/metadata/ACME/DEV/MYAPP?list=${value}`, {
      token: vault.rootToken,
    });
    expect(r.status).toBe(200);
    expect(r.json.data.current_version).toBe(1);
  });

  it.each(['yes', 'no', 'tRUE', '2', 'on'])('list=%s is 400 {"errors":[]}', async (value) => {
    const r = await call(vault, 'GET', `kv/metadata/ACME/DEV?list=${value}`, { token: vault.rootToken });
    expect(r.status).toBe(400);
    expect(r.json).toEqual({ errors: [] });
  });

  it('an empty list= is a plain read', async () => {
    const r = await call(vault, 'GET', 'kv/metadata/ACME/DEV/MYAPP?list=', { token: vault.rootToken });
    expect(r.status).toBe(200);
  });
});
