/**
 * The published packages as a user gets them: `pnpm pack` tarballs installed with plain npm in a
 * fresh app (no workspace, no pg), then one TypeScript program written twice, as CommonJS (`.cts`)
 * and as ESM (`.mts`), compiled with strict nodenext types and run against the dev server. Also:
 * what every tarball carries, and the dev-server CLI with the README's arguments from the app's
 * directory.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { npmInstall, packTarballs, run, TSC } from './support/consumer-app';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PACKAGES = ['core', 'fastify', 'testing'];

/** The program; `header` holds the module-system-specific imports. */
const program = (header: string) => `${header}
import type { SeedFile } from '@vault-config/testing';

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'consumer-'));
  const vault = await startVaultDevServer({ seed: seed as SeedFile });
  const tokenPath = vault.writeServiceAccountTokenFile(join(dir, 'token'), {
    namespace: 'myapp',
    serviceAccount: 'vault-auth-dev-myapp',
  });
  Object.assign(process.env, {
    VAULT_ADDR: vault.address,
    VAULT_ROLE: 'dev-myapp',
    VAULT_PATH: 'ACME/DEV/MYAPP',
    VAULT_K8S_AUTH_MOUNT_POINT: 'kubernetes-dev-myapp',
    VAULT_K8S_TOKEN_PATH: tokenPath,
  });
  const manager: VaultSecretManager = await loadVaultSecrets({ inject: false, logger: false });
  const status: VaultStatus = manager.getStatus();
  const app = Fastify();
  await app.register(vaultPlugin, { required: ['API_KEY'], inject: false, logger: false });
  await app.ready();
  const apiKey: string | undefined = app.vault.get('API_KEY');
  // @ts-expect-error the options are typed: an unknown setting does not compile
  void (() => loadVaultSecrets({ noSuchSetting: true }));
  let refused = '';
  try {
    await loadVaultSecrets({ path: 'ACME/DEV/NOPE', inject: false, logger: false });
  } catch (error) {
    refused = isVaultError(error) ? error.code : 'not a VaultError';
  }
  console.log(
    JSON.stringify({
      ready: isReady(status),
      keys: status.keys,
      pluginKeys: app.vault.getStatus().keys,
      apiKey: apiKey === seed.secrets.kv['ACME/DEV/MYAPP'].API_KEY,
      refused,
    }),
  );
  await app.close();
  await manager.close();
  await vault.close();
  rmSync(dir, { recursive: true, force: true });
}

void main();
`;

const COMMON = `import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { isReady, isVaultError, loadVaultSecrets, VaultSecretManager, type VaultStatus } from '@vault-config/core';
import { vaultPlugin } from '@vault-config/fastify';
import { startVaultDevServer } from '@vault-config/testing';`;

const ESM = program(`${COMMON}
import seed from '@vault-config/testing/seed.example.json' with { type: 'json' };`);

const CJS = program(`${COMMON}
import seed = require('@vault-config/testing/seed.example.json');`);

describe('the packed packages in a fresh npm app', { timeout: 120_000 }, () => {
  let dir: string;
  let tarballs: Record<string, string>;
  let compiled: Awaited<ReturnType<typeof run>>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vault-packages-consumer-'));
    tarballs = await packTarballs(dir, PACKAGES);
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({
        name: 'packages-consumer',
        private: true,
        version: '0.0.0',
        dependencies: { fastify: '^5.0.0', '@types/node': '^20.19.0', ...tarballs },
      }),
    );
    writeFileSync(join(dir, 'app.mts'), ESM);
    writeFileSync(join(dir, 'app.cts'), CJS);
    // Two programs, as an app is one or the other: in one program the CJS and ESM declarations
    // of `declare module 'fastify'` would both apply to the same FastifyInstance.
    for (const [name, file] of [
      ['tsconfig.esm.json', 'app.mts'],
      ['tsconfig.cjs.json', 'app.cts'],
    ]) {
      writeFileSync(
        join(dir, name!),
        JSON.stringify({
          compilerOptions: {
            target: 'ES2022',
            module: 'nodenext',
            moduleResolution: 'nodenext',
            strict: true,
            resolveJsonModule: true,
            esModuleInterop: true,
            types: ['node'],
            outDir: 'dist',
          },
          files: [file],
        }),
      );
    }
    await npmInstall(dir);
    for (const config of ['tsconfig.esm.json', 'tsconfig.cjs.json']) {
      compiled = await run(process.execPath, [TSC, '-p', config], { cwd: dir });
      if (compiled.code !== 0) break;
    }
  }, 300_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.each(PACKAGES)('the %s tarball carries LICENSE, README.md and package.json', (pkg) => {
    const file = tarballs[`@vault-config/${pkg}`]!.slice('file:'.length);
    const entries = execFileSync('tar', ['-tzf', join(dir, file)], { encoding: 'utf8' }).split('\n');
    expect(entries).toEqual(
      expect.arrayContaining(['package/LICENSE', 'package/README.md', 'package/package.json']),
    );
    const license = execFileSync('tar', ['-xzOf', join(dir, file), 'package/LICENSE'], { encoding: 'utf8' });
    expect(license).toBe(readFileSync(join(ROOT, 'LICENSE'), 'utf8'));
  });

  it('pg is an optional peer: the app installs without it', () => {
    expect(existsSync(join(dir, 'node_modules/@vault-config/testing'))).toBe(true);
    expect(existsSync(join(dir, 'node_modules/pg'))).toBe(false);
  });

  it('the published declarations do not mention node-vault (an internal dependency)', () => {
    for (const file of ['index.d.ts', 'index.d.cts']) {
      const text = readFileSync(join(dir, 'node_modules/@vault-config/core/dist', file), 'utf8');
      expect(text).not.toMatch(/node-vault/);
    }
  });

  it('type-checks against the published declarations (strict, nodenext, CJS and ESM)', () => {
    // skipLibCheck is off: the .d.ts files themselves must compile without node-vault's types.
    expect(compiled.code, compiled.stdout + compiled.stderr).toBe(0);
  });

  it.each([
    ['ESM', 'dist/app.mjs'],
    ['CommonJS', 'dist/app.cjs'],
  ])('runs as %s: loads through the core and the Fastify plugin, typed errors', async (_, file) => {
    const result = await run(process.execPath, [file], { cwd: dir, timeoutMs: 30_000 });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      ready: true,
      keys: 3,
      pluginKeys: 3,
      apiKey: true,
      refused: 'VAULT_ACCESS_DENIED',
    });
  });

  it('the CLI runs from the app directory with the seed named as a package path', async () => {
    const child = spawn(
      join(dir, 'node_modules/.bin/vault-dev-server'),
      ['--port', '0', '--seed', '@vault-config/testing/seed.example.json', '--token-file', './.vault/token'],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        let err = '';
        const timer = setTimeout(() => reject(new Error(`no line: ${out}${err}`)), 10_000);
        child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString('utf8');
          if (out.includes('\n')) {
            clearTimeout(timer);
            resolve(out.split('\n')[0]!);
          }
        });
        child.on('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
      });
      const printed = JSON.parse(line) as { address: string; tokenFile: string };
      expect(printed.tokenFile).toBe(join(dir, '.vault/token'));
      expect(readdirSync(join(dir, '.vault'))).toEqual(['token']);
      const health = await fetch(`${printed.address}/v1/sys/health`);
      expect(health.status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
