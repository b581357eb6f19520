/**
 * @vault-config/nestjs as a user installs it: packed tarballs, plain npm, @nestjs/* 11 from the
 * registry, no workspace symlinks. The app's sources are the README's file blocks, so the README
 * examples are what compiles (strict; nodenext and bundler resolution) and what runs: the e2e
 * layout against the dev server, the unit-test mode, each forRootAsync arrangement, an import-only
 * script, and main.ts from boot to SIGTERM.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVaultTestEnvironment } from '@vault-config/testing';
import { createConsumerApp, run, TSC, type ConsumerApp } from './support/consumer-app';

/** A script that only imports the app module, as an OpenAPI generator or a migration would. */
const IMPORT_ONLY = `import { AppModule } from './app.module';
console.log(\`imported \${AppModule.name}\`);
`;

/** The forRootAsync arrangements of the README, booted with a slow Vault. */
const ASYNC_SPEC = `import { after, before, describe, it } from 'node:test';
import { equal } from 'node:assert/strict';
import { NestFactory } from '@nestjs/core';
import { startVaultTestEnvironment, type VaultTestEnvironment } from '@vault-config/testing';
import { API_URL, AsyncConfigModule } from '../src/async-config.module';
import { ConfigOptionsModule, DATABASE_URL } from '../src/config-options.module';

const URL = 'postgres://async:pw@localhost:5432/async';

describe('forRootAsync arrangements', () => {
  let vault: VaultTestEnvironment;
  before(async () => {
    vault = await startVaultTestEnvironment({ secrets: { DATABASE_URL: URL } });
    vault.server.setLatency(100); // whoever reads before the load sees nothing
    Object.assign(process.env, vault.env);
  });
  after(() => vault.close());

  for (const [name, module, token] of [
    ['configModule: a ConfigService-only factory', AsyncConfigModule, API_URL],
    ['options from ConfigService: ConfigService + VaultSecrets', ConfigOptionsModule, DATABASE_URL],
  ] as const) {
    it(name + ' sees the Vault value', async () => {
      delete process.env.DATABASE_URL;
      const app = await NestFactory.createApplicationContext(module, { logger: false, abortOnError: false });
      equal(app.get(token), URL);
      await app.close();
    });
  }
});
`;

/** A TCP listener that counts connections: "Vault" for checks that nothing reaches it. */
async function connectionCounter(): Promise<{
  address: string;
  count: () => number;
  close: () => Promise<void>;
}> {
  let connections = 0;
  const server = net.createServer((socket) => {
    connections += 1;
    socket.destroy();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    address: `http://127.0.0.1:${port}`,
    count: () => connections,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function freePort(): Promise<number> {
  const counter = await connectionCounter();
  const port = Number(new URL(counter.address).port);
  await counter.close();
  return port;
}

/** Only PATH and what a test passes: nothing of this process's environment leaks in. */
function envWith(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '', ...extra };
}

describe('a Nest app installed from the packed packages', { timeout: 120_000 }, () => {
  let app: ConsumerApp;
  let compiled: Awaited<ReturnType<typeof run>>;

  beforeAll(async () => {
    app = await createConsumerApp({
      'src/import-only.ts': IMPORT_ONLY,
      'test/async.e2e-spec.ts': ASYNC_SPEC,
    });
    compiled = await run(process.execPath, [TSC, '-p', 'tsconfig.json'], { cwd: app.dir });
  }, 300_000);
  afterAll(() => app?.close());

  it('takes its sources from the README', () => {
    expect(app.readmeFiles).toEqual(
      expect.arrayContaining([
        'src/app.module.ts',
        'src/main.ts',
        'src/async-config.module.ts',
        'src/config-options.module.ts',
        'test/app.e2e-spec.ts',
        'test/unit.spec.ts',
      ]),
    );
  });

  it('compiles under strict with nodenext resolution (the CommonJS app build)', () => {
    expect(compiled.code, compiled.stdout + compiled.stderr).toBe(0);
  });

  it('type-checks under strict with bundler resolution', async () => {
    const checked = await run(process.execPath, [TSC, '-p', 'tsconfig.bundler.json'], { cwd: app.dir });
    expect(checked.code, checked.stdout + checked.stderr).toBe(0);
  });

  it('a script that only imports AppModule exits 0 and makes no request, Vault unreachable or not', async () => {
    const vault = await connectionCounter();
    try {
      const result = await run(process.execPath, ['dist/src/import-only.js'], {
        cwd: app.dir,
        env: envWith({
          VAULT_ADDR: vault.address,
          VAULT_ROLE: 'dev-myapp',
          VAULT_PATH: 'ACME/DEV/MYAPP',
          VAULT_K8S_AUTH_MOUNT_POINT: 'kubernetes-dev-myapp',
          VAULT_K8S_TOKEN_PATH: join(app.dir, 'no-such-token'),
        }),
        timeoutMs: 20_000,
      });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toBe('imported AppModule\n');
      expect(result.stderr).toBe('');
      expect(vault.count()).toBe(0);
    } finally {
      await vault.close();
    }
  });

  it('the e2e layout: AppModule imported first, the dev server started in before()', async () => {
    const result = await run(process.execPath, ['--test', 'dist/test/app.e2e-spec.js'], {
      cwd: app.dir,
      env: envWith({}),
      timeoutMs: 60_000,
    });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/# pass 2\b/);
  });

  it('unit tests with fixed secrets reach no Vault', async () => {
    const vault = await connectionCounter();
    try {
      // Even with VAULT_ADDR set, the overridden forRoot import loads nothing.
      const result = await run(process.execPath, ['--test', 'dist/test/unit.spec.js'], {
        cwd: app.dir,
        env: envWith({ VAULT_ADDR: vault.address }),
        timeoutMs: 60_000,
      });
      expect(result.code, result.stdout + result.stderr).toBe(0);
      expect(result.stdout).toMatch(/# pass 2\b/);
      expect(vault.count()).toBe(0);
    } finally {
      await vault.close();
    }
  });

  it('each forRootAsync arrangement the README shows', async () => {
    const result = await run(process.execPath, ['--test', 'dist/test/async.e2e-spec.js'], {
      cwd: app.dir,
      env: envWith({}),
      timeoutMs: 60_000,
    });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/# pass 2\b/);
  });

  it('main.ts serves /health once loaded, and exits 0 on SIGTERM', async () => {
    const vault = await startVaultTestEnvironment({ secrets: { DATABASE_URL: 'postgres://main@db/app' } });
    const port = await freePort();
    const child = spawn(process.execPath, ['dist/src/main.js'], {
      cwd: app.dir,
      env: envWith({ ...vault.env, PORT: String(port) }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 15_000;
      let health: { status: number; body: Record<string, unknown> } | undefined;
      while (health?.status !== 200 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        health = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(1000) }).then(
          async (res) => ({ status: res.status, body: (await res.json()) as Record<string, unknown> }),
          () => undefined,
        );
      }
      expect(health?.status, output).toBe(200);
      expect(health?.body).toMatchObject({ state: 'ready', vault_role: 'dev-myapp', keys: 1 });
      expect(output).not.toContain('postgres://main');
      child.kill('SIGTERM');
      const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 5_000))]);
      expect(code, output).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await vault.close();
    }
  });

  it('main.ts exits 1 with one line naming the error when Vault refuses', async () => {
    const vault = await startVaultTestEnvironment({ secrets: { DATABASE_URL: 'postgres://main@db/app' } });
    try {
      const result = await run(process.execPath, ['dist/src/main.js'], {
        cwd: app.dir,
        env: envWith({ ...vault.env, VAULT_ROLE: 'dev-otherapp', PORT: String(await freePort()) }),
        timeoutMs: 20_000,
      });
      expect(result.code, result.stdout + result.stderr).toBe(1);
      expect(result.stderr.trim().split('\n')).toEqual([
        expect.stringMatching(/^VaultAuthenticationError \[VAULT_LOGIN_REJECTED\]: /),
      ]);
    } finally {
      await vault.close();
    }
  });
});
