/**
 * With DEBUG=* (the `debug` module node-vault uses), nothing secret reaches stdout/stderr.
 * This file runs in its own process, so DEBUG is set before anything loads `debug`.
 */
import { createRequire } from 'node:module';
import { afterAll, beforeAll, expect, it } from 'vitest';

process.env.DEBUG = '*';

let captured: string[] = [];
const consoleOriginals: Partial<
  Record<'log' | 'info' | 'warn' | 'error' | 'debug', (...args: unknown[]) => void>
> = {};
const originals = {
  out: process.stdout.write.bind(process.stdout),
  err: process.stderr.write.bind(process.stderr),
};

beforeAll(() => {
  const capture =
    (original: typeof process.stdout.write) =>
    (chunk: unknown, ...rest: unknown[]): boolean => {
      captured.push(String(chunk));
      return (original as (c: unknown, ...r: unknown[]) => boolean)(chunk, ...rest);
    };
  process.stdout.write = capture(originals.out) as typeof process.stdout.write;
  process.stderr.write = capture(originals.err) as typeof process.stderr.write;
  // Vitest routes console output through its own channel, so capture the console methods as well.
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    consoleOriginals[method] = console[method];
    console[method] = (...args: unknown[]) => {
      captured.push(args.map(String).join(' '));
    };
  }
});
afterAll(() => {
  Object.assign(console, consoleOriginals);
  process.stdout.write = originals.out;
  process.stderr.write = originals.err;
});

it('node-vault debug output and the default console logger print no secret, JWT or token', async () => {
  const { startHarness, assertNoSecrets } = await import('./support/dev-vault');
  const { loadVaultSecrets } = await import('../src');
  // Prove the setting bites: node-vault's own `debug` logger is switched on in this process.
  const fromNodeVault = createRequire(createRequire(import.meta.url).resolve('node-vault'));
  expect((fromNodeVault('debug') as { enabled(name: string): boolean }).enabled('node-vault')).toBe(true);
  const h = await startHarness();
  try {
    captured = [];
    // Default logger (console) on purpose: its lines go through the captured streams.
    const { logger: _unused, ...options } = h.options();
    const manager = await loadVaultSecrets(options);
    expect(manager.get('API_KEY')).toBeDefined();
    await manager.close();
    await expect(loadVaultSecrets({ ...options, path: 'ACME/DEV/NOPE' })).rejects.toMatchObject({
      code: 'VAULT_SECRET_NOT_FOUND',
    });
    expect(captured.join('')).toContain('[vault-config]');
    assertNoSecrets(captured, [h.jwt]);
  } finally {
    await h.close();
  }
});
