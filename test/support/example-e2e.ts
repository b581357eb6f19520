/**
 * The end-to-end checks both example apps share: boot against the dev server as a child process with
 * the environment contract, answer /health, and exit non-zero with one clear line on the three
 * classic mistakes (wrong role, missing path, sealed Vault), never printing a secret.
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { appEntry, errorLines, runApp, type AppName } from './fault-apps';
import { assertNoLeak } from './fault-leaks';
import { startWorld, type Env, type World } from './fault-world';

const BOUND_MS = 15_000;

async function withWorld<T>(fn: (world: World) => Promise<T>): Promise<T> {
  const world = await startWorld();
  try {
    return await fn(world);
  } finally {
    await world.close();
  }
}

/** Where an app's /health body carries the status object (terminus nests it under details). */
export type StatusOf = (body: Record<string, unknown>) => Record<string, unknown>;

export function describeExampleApp(app: AppName, statusOf: StatusOf = (body) => body): void {
  const entry = appEntry(app);

  describe(`${app} (built, as a child process)`, () => {
    it('boots against the dev server and serves the status on /health', async () => {
      await withWorld(async (world) => {
        const run = await runApp(entry, world.env, BOUND_MS);
        const output = `${run.stdout}\n${run.stderr}`;
        expect(run.health?.status, output).toBe(200);
        const body = statusOf(JSON.parse(run.health?.body ?? '{}') as Record<string, unknown>);
        expect(body).toMatchObject({
          authenticated: true,
          secrets_loaded: true,
          vault_path: 'ACME/DEV/MYAPP',
          vault_role: 'dev-myapp',
          state: 'ready',
          auth_method: 'kubernetes',
        });
        expect(Object.keys(body).slice(0, 5)).toEqual([
          'authenticated',
          'secrets_loaded',
          'vault_url',
          'vault_path',
          'vault_role',
        ]);
        expect(output).toMatch(/loaded \d+ keys/);
        expect(errorLines(run)).toEqual([]);
        assertNoLeak([run.stdout, run.stderr, run.health?.body ?? ''], world.secrets());
      });
    });

    const failures: { name: string; change: (world: World) => Env; line: RegExp }[] = [
      {
        name: 'a wrong role',
        change: () => ({ VAULT_ROLE: 'dev-otherapp' }),
        line: /^VaultAuthenticationError \[VAULT_LOGIN_REJECTED\]: .*VAULT_ROLE/,
      },
      {
        name: 'a missing path',
        change: () => ({ VAULT_PATH: 'ACME/DEV/MISSING' }),
        line: /^Vault\w*Error \[VAULT_(SECRET_NOT_FOUND|ACCESS_DENIED)\]: /,
      },
      {
        name: 'a sealed Vault',
        change: (world) => (world.server.seal(), {}),
        line: /^VaultConfigurationError \[VAULT_SEALED\]: /,
      },
    ];
    for (const failure of failures) {
      it(`exits non-zero with one clear error line on ${failure.name}`, async () => {
        await withWorld(async (world) => {
          const env = { ...world.env, ...failure.change(world) };
          const run = await runApp(entry, env, BOUND_MS);
          const output = `${run.stdout}\n${run.stderr}`;
          expect(run.timedOut, output).toBe(false);
          expect(run.code, output).toBe(1);
          expect(errorLines(run), output).toHaveLength(1);
          expect(run.stderr.trim().split('\n').at(-1), output).toMatch(failure.line);
          assertNoLeak([run.stdout, run.stderr], world.secrets());
        });
      });
    }
  });
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Each signal closes the app and its manager, and the process exits 0 on its own with nothing on
 * stderr: exiting without help shows the server and the Vault connections are closed (the core's
 * timers are unref'ed).
 */
export function describeExampleShutdown(
  app: AppName,
  signals: readonly NodeJS.Signals[],
  extraEnv: Env = {},
): void {
  describe(`${app} shutdown`, () => {
    it.each(signals)('%s closes the app and the manager, and the process exits 0', async (signal) => {
      await withWorld(async (world) => {
        const port = await freePort();
        const child = spawn(process.execPath, [appEntry(app)], {
          env: { PATH: process.env.PATH ?? '', ...world.env, ...extraEnv, PORT: String(port) },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stderr = '';
        child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
        const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
        try {
          const deadline = Date.now() + BOUND_MS;
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
          const code = await Promise.race([
            exited,
            new Promise((r) => setTimeout(() => r('timeout'), 5_000)),
          ]);
          expect(code, stderr).toBe(0);
          expect(stderr).toBe('');
        } finally {
          if (child.exitCode === null) child.kill('SIGKILL');
        }
      });
    });
  });
}
