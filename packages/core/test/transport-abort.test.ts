/**
 * A request whose abort signal has already fired (close() while a start-up step is between two
 * requests): it rejects VAULT_REQUEST_ABORTED and sends nothing. Node emits 'error' on a request
 * destroyed before it was sent; without a listener by then, that error crashed the process.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTransport } from '../src/http/transport';

let address = '';
let received = 0;
const server = createServer((_req, res) => {
  received += 1;
  res.end('{}');
});
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  address = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => new Promise<void>((r) => server.close(() => r())));

it('an already-aborted signal rejects VAULT_REQUEST_ABORTED without an uncaught error or a request', async () => {
  const uncaught: unknown[] = [];
  const onUncaught = (e: unknown) => uncaught.push(e);
  process.on('uncaughtException', onUncaught);
  const transport = createTransport({ rejectUnauthorized: true }, 1_000);
  try {
    const aborted = AbortSignal.abort();
    await expect(
      transport.send({ method: 'GET', uri: `${address}/v1/sys/health`, signal: aborted }),
    ).rejects.toMatchObject({ code: 'VAULT_REQUEST_ABORTED' });
    // The same transport still works: one request sent, answered.
    await expect(transport.send({ method: 'GET', uri: `${address}/v1/sys/health` })).resolves.toMatchObject({
      statusCode: 200,
    });
    await new Promise((r) => setImmediate(r));
    expect(uncaught).toEqual([]);
    expect(received).toBe(1);
  } finally {
    process.off('uncaughtException', onUncaught);
    transport.close();
  }
});
