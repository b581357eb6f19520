import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { call } from './helpers';

const pkg = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'vault-dev-cli-'));
let cli: string;

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function build(): string {
  execFileSync(
    'npx',
    ['tsup', 'src/cli.ts', '--no-config', '--format', 'cjs', '--out-dir', dir, '--silent'],
    {
      cwd: pkg,
      stdio: 'ignore',
      timeout: 60_000,
    },
  );
  return join(dir, 'cli.cjs');
}

/** Spawns the CLI and resolves with the first stdout line (bounded). */
function start(args: string[]): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no JSON line; stdout: ${out}`)), 10_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) {
        clearTimeout(timer);
        resolve({ child, line: out });
      }
    });
    child.on('exit', (code) => reject(new Error(`exited ${code}`)));
  });
}

const exitCode = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

it('prints one JSON line, serves the seed, logs in with the token file, exits 0 on SIGTERM', async () => {
  cli = build();
  const tokenFile = join(dir, 'sa', 'token');
  const { child, line } = await start([
    '--port',
    '0',
    '--seed',
    join(pkg, 'seed.example.json'),
    '--token-file',
    tokenFile,
  ]);
  try {
    expect(line.endsWith('\n')).toBe(true);
    expect(line.trim().split('\n')).toHaveLength(1);
    const info = JSON.parse(line) as {
      address: string;
      rootToken: string;
      tokenFile: string;
      unsealKey: string;
    };
    expect(Object.keys(info)).toEqual(['address', 'rootToken', 'tokenFile', 'unsealKey']);
    expect(info.address).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(info.tokenFile).toBe(tokenFile);
    const server = { address: info.address };
    const jwt = readFileSync(tokenFile, 'utf8');
    const login = await call(server, 'POST', 'auth/kubernetes-dev-myapp/login', {
      body: { role: 'dev-myapp', jwt },
    });
    expect(login.status).toBe(200);
    const token = login.json.auth.client_token as string;
    const secret = await call(server, 'GET', 'kv/data/ACME/DEV/MYAPP', { token });
    expect(Object.keys(secret.json.data.data)).toContain('DATABASE_URL');
    expect((await call(server, 'GET', 'kv/data/ACME/DEV/OTHER', { token })).status).toBe(403);
    // A CLI-started server can be sealed and unsealed over HTTP (http/sys_seal.go).
    expect((await call(server, 'PUT', 'sys/seal', { token: info.rootToken })).status).toBe(204);
    expect((await call(server, 'GET', 'sys/seal-status')).json.sealed).toBe(true);
    const unsealed = await call(server, 'PUT', 'sys/unseal', { body: { key: info.unsealKey } });
    expect(unsealed.json.sealed).toBe(false);
  } finally {
    const exited = exitCode(child);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }
}, 60_000);

it('exits 0 on SIGINT too, and without a seed prints tokenFile null', async () => {
  const { child, line } = await start(['--port', '0']);
  expect(JSON.parse(line).tokenFile).toBeNull();
  const exited = exitCode(child);
  child.kill('SIGINT');
  expect(await exited).toBe(0);
});
