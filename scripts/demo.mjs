// The demo: a dev server with the example seed, both example apps booted against it with the
// environment contract, what each loaded (key names only) and its /health body; then a clean stop.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import { loadSeedFile, startVaultDevServer } from '@vault-config/testing';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const BOOT_TIMEOUT_MS = 20_000;

const apps = [
  { name: 'nest-example', main: join(root, 'apps/nest-example/dist/main.js') },
  { name: 'fastify-example', main: join(root, 'apps/fastify-example/dist/main.js') },
];

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function waitForHealth(url, child) {
  const until = Date.now() + BOOT_TIMEOUT_MS;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`exited with code ${child.exitCode} before serving`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      return { status: res.status, body: await res.json() };
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`no answer on ${url} within ${BOOT_TIMEOUT_MS} ms`);
}

function stop(child) {
  if (child.exitCode !== null) return Promise.resolve();
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  return Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]).then(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
}

const seed = loadSeedFile(join(root, 'packages/testing/seed.example.json'));
const vault = await startVaultDevServer({ seed });
const dir = mkdtempSync(join(tmpdir(), 'vault-config-demo-'));
const sa = seed.serviceAccounts[0];
const tokenFile = vault.writeServiceAccountTokenFile(join(dir, 'token'), {
  namespace: sa.namespace,
  serviceAccount: sa.name,
});
console.log(`dev server: ${vault.address} (seed: packages/testing/seed.example.json)\n`);

const children = [];
let failed = false;
try {
  for (const app of apps) {
    const port = await freePort();
    const output = [];
    const child = spawn(process.execPath, [app.main], {
      env: {
        PATH: process.env.PATH,
        HOST: '127.0.0.1',
        PORT: String(port),
        VAULT_ADDR: vault.address,
        VAULT_ROLE: 'dev-myapp',
        VAULT_PATH: 'ACME/DEV/MYAPP',
        VAULT_MOUNT_POINT: 'kv',
        VAULT_K8S_AUTH_MOUNT_POINT: 'kubernetes-dev-myapp',
        VAULT_K8S_TOKEN_PATH: tokenFile,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    child.stdout.on('data', (d) => output.push(d.toString()));
    child.stderr.on('data', (d) => output.push(d.toString()));
    try {
      const health = await waitForHealth(`http://127.0.0.1:${port}/health`, child);
      // The core's own log line: key names only, names that look sensitive masked.
      const loaded = stripVTControlCharacters(output.join('')).match(/\[vault-config\] loaded [^"\n]*/);
      console.log(`${app.name} on port ${port}`);
      console.log(`  ${loaded?.[0] ?? '(no "loaded" line in its log)'}`);
      console.log(`  GET /health → ${health.status} ${JSON.stringify(health.body)}\n`);
    } catch (err) {
      failed = true;
      console.error(`${app.name}: ${err.message}\n${output.join('')}`);
    }
  }
} finally {
  await Promise.all(children.map(stop));
  await vault.close();
  rmSync(dir, { recursive: true, force: true });
}
console.log(failed ? 'demo failed' : 'demo done: both apps stopped, dev server closed');
process.exitCode = failed ? 1 : 0;
