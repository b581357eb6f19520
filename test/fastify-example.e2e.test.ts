import { spawn } from 'node:child_process';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { appEntry } from './support/fault-apps';
import { describeExampleApp } from './support/example-e2e';
import { startWorld } from './support/fault-world';

describeExampleApp('fastify-example');

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('fastify-example shutdown', () => {
  it('SIGTERM closes the app (and the manager) and exits 0', async () => {
    const world = await startWorld();
    const port = await freePort();
    const child = spawn(process.execPath, [appEntry('fastify-example')], {
      env: { PATH: process.env.PATH ?? '', ...world.env, PORT: String(port), LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 15_000;
      let status = 0;
      while (status !== 200 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        status = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(1000) }).then(
          (res) => res.status,
          () => 0,
        );
      }
      expect(status, stderr).toBe(200);
      child.kill('SIGTERM');
      const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 5_000))]);
      expect(code, stderr).toBe(0);
      expect(stderr).toBe('');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await world.close();
    }
  });
});
