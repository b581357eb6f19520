/**
 * The transport's body budgets against a local server: one answer at most 16 MiB, the answers of
 * overlapping requests at most 32 MiB together, the shared count reset once nothing is in flight.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  MAX_BODY_BYTES,
  MAX_TOTAL_BODY_BYTES,
  TransportError,
  createTransport,
  type Transport,
} from '../../src/http/transport';
import { json, startServer, type LocalServer, failure, until } from '../support/local-http';

let vault: LocalServer;
let transport: Transport;
beforeAll(async () => {
  vault = await startServer((_req, res) => json(res, 200, {}));
});
afterAll(() => vault.close());
afterEach(() => transport?.close());

const fresh = () => {
  transport = createTransport({ rejectUnauthorized: true }, 2000, { http: null, https: null, noProxy: '' });
  return transport;
};

/** A JSON string of exactly `bytes` bytes. */
const jsonOf = (bytes: number) => (bytes === 1 ? '1' : `"${'a'.repeat(bytes - 2)}"`);

/** Serves `/v1/<n>` with a body of n bytes; `/v1/held/<n>` only when the test releases it. */
let held: Array<() => void> = [];
beforeAll(() => {
  vault.handler = (req, res) => {
    const [, , kind, n] = (req.url ?? '').split('/');
    if (kind === 'held') held.push(() => res.end(jsonOf(Number(n))));
    else res.end(jsonOf(Number(kind)));
  };
});
afterEach(() => {
  held = [];
});

const MIB16 = 16 * 1024 * 1024;
const get = (t: Transport, path: string) => t.send({ method: 'GET', uri: `${vault.url}${path}` });

describe('one answer: 16 MiB', () => {
  it('exactly 16 MiB is read; one byte more → VAULT_RESPONSE_TOO_LARGE', async () => {
    expect(MAX_BODY_BYTES).toBe(MIB16);
    const t = fresh();
    const ok = await get(t, `/v1/${MIB16}`);
    expect((ok.body as string).length).toBe(MIB16 - 2);
    const error = await failure(get(t, `/v1/${MIB16 + 1}`));
    expect(error).toBeInstanceOf(TransportError);
    expect(error.code).toBe('VAULT_RESPONSE_TOO_LARGE');
    expect(error.message).toBe('response body over 16 MiB');
  });
});

describe('overlapping answers: 32 MiB together', () => {
  it('exactly 32 MiB pass while another request is in flight', async () => {
    expect(MAX_TOTAL_BODY_BYTES).toBe(2 * MIB16);
    const t = fresh();
    const a = get(t, '/v1/held/1');
    await until(() => held.length === 1);
    await Promise.all([get(t, `/v1/${MIB16}`), get(t, `/v1/${MIB16 - 1}`)]);
    held[0]?.(); // its 1 byte makes exactly 32 MiB
    expect((await a).body).toBe(1);
  });

  it('one byte more fails the answer that crosses it, even at exactly 16 MiB itself', async () => {
    const t = fresh();
    const a = get(t, `/v1/held/${MIB16}`);
    await until(() => held.length === 1);
    await Promise.all([get(t, '/v1/1'), get(t, `/v1/${MIB16}`)]);
    held[0]?.();
    const error = await failure(a);
    expect(error.code).toBe('VAULT_RESPONSE_TOO_LARGE');
    expect(error.message).toBe('answers of the parallel reads together over 32 MiB');
  });

  it('the count starts again once nothing is in flight, also after a timeout', async () => {
    const t = fresh();
    const timedOut = await failure(t.send({ method: 'GET', uri: `${vault.url}/v1/held/1`, timeout: 10 }));
    expect(timedOut.code).toBe('VAULT_REQUEST_TIMEOUT');
    // Three answers in a row, 32 MiB + 1 byte in all: none overlaps another, so none fails.
    await get(t, `/v1/${MIB16}`);
    await get(t, `/v1/${MIB16}`);
    expect((await get(t, '/v1/1')).body).toBe(1);
  });
});
