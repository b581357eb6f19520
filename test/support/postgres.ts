/**
 * Starts a throwaway PostgreSQL cluster on 127.0.0.1 for tests (Debian's `postgresql` package; `.ci/run`
 * installs it). initdb refuses to run as root, so as root the cluster runs as the `postgres` user.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isCi } from './ci';

export interface TestPostgres {
  /** Superuser URL, e.g. `postgres://postgres:…@127.0.0.1:PORT/postgres`. */
  url: string;
  stop(): Promise<void>;
}

function findBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  for (const v of versions) if (existsSync(join(root, v, 'bin', 'initdb'))) return join(root, v, 'bin');
  return undefined;
}

export function postgresAvailable(): boolean {
  return findBinDir() !== undefined;
}

/**
 * Whether a PostgreSQL suite skips: only where PostgreSQL is missing outside CI. Under CI it runs
 * and fails with the install command (`.ci/run` installs Debian's package).
 */
export function skipWithoutPostgres(): boolean {
  return !postgresAvailable() && !isCi();
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

function asOwner(args: string[]): [string, string[]] {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  return root ? ['runuser', ['-u', 'postgres', '--', ...args]] : [args[0]!, args.slice(1)];
}

async function waitForReady(bin: string, port: number, deadlineMs: number): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    try {
      execFileSync(join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`PostgreSQL did not accept connections on 127.0.0.1:${port} within ${deadlineMs} ms`);
}

export async function startTestPostgres(): Promise<TestPostgres> {
  const bin = findBinDir();
  if (!bin) throw new Error('PostgreSQL is not installed: apt-get install -y postgresql (.ci/run does this)');
  const dir = mkdtempSync(join(tmpdir(), 'vault-config-pg-'));
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  const password = `pw${Math.random().toString(36).slice(2)}`;
  const pwfile = join(dir, 'pw');
  execFileSync('sh', ['-c', `printf '%s' '${password}' > '${pwfile}' && chmod 644 '${pwfile}'`]);
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
  const child: ChildProcess = spawn(cmd, args, { stdio: 'ignore' });
  await waitForReady(bin, port, 15_000);
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGINT');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
