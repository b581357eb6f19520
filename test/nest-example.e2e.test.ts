import { spawn } from 'node:child_process';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { describeExampleApp } from './support/example-e2e';
import { appEntry } from './support/fault-apps';
import { startWorld } from './support/fault-world';

// Terminus: { status, info, error, details: { vault: { status: 'up', ...the status object } } }.
describeExampleApp('nest-example', (body) => {
  const { status: _terminus, ...vault } =
    (body.details as Record<string, Record<string, unknown>>).vault ?? {};
  return vault;
});

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('nest-example shutdown', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    '%s closes the app and the manager, and the process exits 0 on its own',
    async (signal) => {
      const world = await startWorld();
      const port = await freePort();
      // With a refresh loop running. Exiting on its own shows the server and Vault connections are
      // closed (the core's timers are unref'ed; packages/nestjs tests check app.close() closes it).
      const env = { ...world.env, VAULT_REFRESH_INTERVAL: '1' };
      const child = spawn(process.execPath, [appEntry('nest-example')], {
        env: { PATH: process.env.PATH ?? '', ...env, PORT: String(port) },
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
          status = await fetch(`http://127.0.0.1:${port}/health`, {
            signal: AbortSignal.timeout(1000),
          }).then(
            (res) => res.status,
            () => 0,
          );
        }
        expect(status, stderr).toBe(200);
        child.kill(signal);
        const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 5_000))]);
        expect(code, stderr).toBe(0);
        expect(stderr).toBe('');
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
        await world.close();
      }
    },
  );
});
