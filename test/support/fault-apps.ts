/**
 * The built example apps as child processes: start one with a given environment (nothing inherited
 * but PATH), capture everything it prints, and wait (bounded) for it to exit or to report ready on
 * GET /health. Output runs with DEBUG=* and the most verbose log level the apps honour.
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import type { Env } from './fault-world';

export const APPS = ['nest-example', 'fastify-example'] as const;
export type AppName = (typeof APPS)[number];

export function appEntry(app: AppName): string {
  return fileURLToPath(new URL(`../../apps/${app}/dist/main.js`, import.meta.url));
}

export interface AppRun {
  /** Exit code; null when the app became ready (then it was stopped by the harness). */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Milliseconds from spawn to exit, or to the first successful /health answer. */
  elapsed: number;
  /** The /health body once ready. */
  health?: { status: number; body: string };
  timedOut: boolean;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The lines that carry a typed error: `VaultXxxError [CODE]: …` anywhere in the line. */
export function errorLines(run: AppRun): string[] {
  return stripVTControlCharacters(`${run.stdout}\n${run.stderr}`)
    .split('\n')
    .filter((line) => /Vault\w*Error \[[A-Z_]+\]/.test(line));
}

/** Starts `entry` (a built app's main.js) with `env`; resolves at exit, readiness or `limitMs`. */
export async function runApp(entry: string, env: Env, limitMs: number): Promise<AppRun> {
  const port = await freePort();
  const childEnv: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'production',
    DEBUG: '*',
    LOG_LEVEL: 'trace',
    PORT: String(port),
    HOST: '127.0.0.1',
  };
  for (const [key, value] of Object.entries(env)) if (value !== undefined) childEnv[key] = value;
  const started = performance.now();
  const child = spawn(process.execPath, [entry], {
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, at: performance.now() })),
  );
  let done = false;
  let health: AppRun['health'];
  let readyAt: number | undefined;
  const poll = (async () => {
    while (!done) {
      await new Promise((r) => setTimeout(r, 50));
      if (done) return;
      try {
        const res = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(1000) });
        const body = await res.text();
        if (res.status === 200) {
          readyAt = performance.now();
          health = { status: res.status, body };
          return;
        }
      } catch {
        // not listening yet
      }
    }
  })();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<'limit'>((resolve) => (timer = setTimeout(() => resolve('limit'), limitMs)));
  const first = await Promise.race([
    exited.then(() => 'exit' as const),
    poll.then(() => 'ready' as const),
    limit,
  ]);
  done = true;
  clearTimeout(timer);
  if (first !== 'exit') child.kill('SIGTERM');
  const killTimer = setTimeout(() => child.kill('SIGKILL'), 3000);
  const end = await exited;
  clearTimeout(killTimer);
  return {
    code: first === 'exit' ? end.code : null,
    signal: first === 'exit' ? end.signal : null,
    stdout,
    stderr,
    elapsed:
      (first === 'ready' ? (readyAt as number) : first === 'exit' ? end.at : performance.now()) - started,
    health,
    timedOut: first === 'limit',
  };
}

/** Runs `tasks` with at most `limit` at a time (2 cores, shared with other suites). */
export async function inPool<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array<T>(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next;
      next += 1;
      results[index] = await (tasks[index] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}
