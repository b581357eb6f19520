/**
 * A throwaway PostgreSQL cluster on 127.0.0.1 (Debian's `postgresql` package; `.ci/run` installs it),
 * for the tests and the benchmarks alike. initdb refuses to run as root, so as root the cluster runs
 * as the `postgres` user.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const READY_WITHIN_MS = 15_000;
const STOP_WITHIN_MS = 10_000;

/** The newest installed version's bin directory. */
function binDir() {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  for (const v of readdirSync(root).sort((a, b) => Number(b) - Number(a)))
    if (existsSync(join(root, v, 'bin', 'initdb'))) return join(root, v, 'bin');
  return undefined;
}

export const postgresAvailable = () => binDir() !== undefined;

const freePort = () =>
  new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });

const asOwner = (args) =>
  process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', ...args]] : [args[0], args.slice(1)];

async function waitForReady(bin, port) {
  const until = Date.now() + READY_WITHIN_MS;
  while (Date.now() < until) {
    try {
      execFileSync(join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`PostgreSQL did not accept connections on 127.0.0.1:${port} within ${READY_WITHIN_MS} ms`);
}

/** Starts a cluster with a random superuser password; `stop()` shuts it down and deletes its files. */
export async function startPostgres() {
  const bin = binDir();
  if (!bin) throw new Error('PostgreSQL is not installed: apt-get install -y postgresql (.ci/run does this)');
  const dir = mkdtempSync(join(tmpdir(), 'vault-config-pg-'));
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  const password = `pw${Math.random().toString(36).slice(2)}`;
  const pwfile = join(dir, 'pw');
  writeFileSync(pwfile, password, { mode: 0o644 });
  const [initCmd, initArgs] = asOwner([
    join(bin, 'initdb'),
    '-D',
    data,
    '-U',
    'postgres',
    '--auth=scram-sha-256',
    `--pwfile=${pwfile}`,
  ]);
  execFileSync(initCmd, initArgs, { stdio: 'ignore' });
  const port = await freePort();
  const [cmd, args] = asOwner([
    join(bin, 'postgres'),
    '-D',
    data,
    '-h',
    '127.0.0.1',
    '-p',
    String(port),
    '-k',
    dir,
    '-c',
    'fsync=off',
  ]);
  const child = spawn(cmd, args, { stdio: 'ignore' });
  await waitForReady(bin, port);
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGINT');
        await Promise.race([exited, new Promise((r) => setTimeout(r, STOP_WITHIN_MS))]);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
