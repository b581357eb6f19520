/**
 * No canary ever printed, through the core: DEBUG=* (node-vault's `debug`), the default console
 * logger and a logger that records every level (debug included), stdout/stderr, every status the
 * manager emits, every error (message, stack, own properties, causes) and the manager itself as
 * `console.log`/`JSON.stringify` would show it. Canaries: secret values, the root token (token
 * auth), the service-account JWT and the service-account name inside it.
 * This file is its own process (pool `forks`), so DEBUG is set before `debug` loads.
 */
import { createRequire } from 'node:module';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

process.env.DEBUG = '*';

const captured: string[] = [];
const originals = {
  out: process.stdout.write.bind(process.stdout),
  err: process.stderr.write.bind(process.stderr),
};
const consoleOriginals: Partial<Record<'log' | 'info' | 'warn' | 'error' | 'debug', unknown>> = {};

beforeAll(() => {
  const tap =
    (original: typeof process.stdout.write) =>
    (chunk: unknown, ...rest: unknown[]): boolean => {
      captured.push(String(chunk));
      return (original as (c: unknown, ...r: unknown[]) => boolean)(chunk, ...rest);
    };
  process.stdout.write = tap(originals.out) as typeof process.stdout.write;
  process.stderr.write = tap(originals.err) as typeof process.stderr.write;
  // Vitest routes console output through its own channel: capture the console methods too.
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    consoleOriginals[method] = console[method];
    console[method] = (...args: unknown[]) => void captured.push(args.map((a) => inspect(a)).join(' '));
  }
});
afterAll(() => {
  Object.assign(console, consoleOriginals);
  process.stdout.write = originals.out;
  process.stderr.write = originals.err;
});

/** JSON.stringify as a JSON logger would call it (circular structures are that logger's problem). */
function asJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '';
  }
}

describe('leaks (core)', () => {
  it('no canary in anything printed or exposed, over every matrix row, both loggers, DEBUG=*', async () => {
    const { VaultSecretManager } = await import('@vault-config/core');
    const { rows } = await import('./support/fault-rows');
    const { startWorld, CANARY } = await import('./support/fault-world');
    const { assertNoLeak, errorTexts } = await import('./support/fault-leaks');
    // Prove DEBUG=* bites: node-vault's own `debug` logger is on in this process.
    const fromNodeVault = createRequire(createRequire(import.meta.url).resolve('@vault-config/core'));
    const debug = createRequire(fromNodeVault.resolve('node-vault'))('debug') as {
      enabled(name: string): boolean;
    };
    expect(debug.enabled('node-vault')).toBe(true);
    const exposed: string[] = [];
    const secretsSeen: string[] = [];
    let loaded = 0;
    let failed = 0;

    for (const row of rows) {
      // The console pass skips the rows that only wait (they print nothing new).
      for (const verbose of row.minMs === undefined ? [false, true] : [true]) {
        const world = await startWorld();
        const cleanups: (() => Promise<void> | void)[] = [];
        try {
          const overrides = (await row.setup?.({ world, defer: (fn) => void cleanups.push(fn) })) ?? {};
          const env = { ...world.env, ...overrides };
          for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
          // verbose: a logger taking every level, debug included; otherwise the default (console).
          const logger = verbose
            ? {
                debug: (m: string) => void exposed.push(m),
                info: (m: string) => void exposed.push(m),
                warn: (m: string) => void exposed.push(m),
                error: (m: string) => void exposed.push(m),
              }
            : undefined;
          const manager = new VaultSecretManager({ env, ...(logger ? { logger } : {}), ...row.coreOptions });
          const subscription = manager.status$.subscribe((s) => void exposed.push(JSON.stringify(s)));
          try {
            await manager.initialize();
            loaded += 1;
          } catch (error) {
            failed += 1;
            exposed.push(...errorTexts(error));
          }
          exposed.push(JSON.stringify(manager.getStatus()), JSON.stringify(manager.get_status()));
          // What `console.log(manager)` or a JSON log of it would print.
          exposed.push(inspect(manager, { depth: 8 }), asJson(manager));
          subscription.unsubscribe();
          await manager.close();
          secretsSeen.push(...world.secrets());
        } finally {
          for (const fn of cleanups) await fn();
          await world.close();
        }
      }
    }

    // Token auth with the root token itself (a canary), succeeding and failing.
    const world = await startWorld();
    try {
      const tokenEnv = {
        VAULT_ADDR: world.server.address,
        VAULT_TOKEN: CANARY.rootToken,
        VAULT_PATH: world.env.VAULT_PATH,
      };
      const ok = new VaultSecretManager({ env: { ...tokenEnv } });
      await ok.initialize();
      expect(ok.get('API_KEY')).toBe(CANARY.apiKey);
      // Printing the manager shows its status instead of its fields.
      expect(inspect(ok)).toMatch(/^VaultSecretManager \{\n? *authenticated: true/);
      expect(JSON.parse(JSON.stringify(ok))).toEqual(ok.getStatus());
      exposed.push(inspect(ok, { depth: 8 }), asJson(ok), JSON.stringify(ok.getStatus()));
      await ok.close();
      const bad = new VaultSecretManager({ env: { ...tokenEnv, VAULT_PATH: 'ACME/DEV/NOPE' } });
      exposed.push(...errorTexts(await bad.initialize().catch((e: unknown) => e)));
      exposed.push(JSON.stringify(bad.getStatus()));
      secretsSeen.push(...world.secrets());
    } finally {
      await world.close();
    }

    // The run really exercised both outcomes and the default logger really printed.
    expect(loaded).toBeGreaterThan(10);
    expect(failed).toBeGreaterThan(40);
    expect(captured.join('')).toContain('[vault-config]');
    expect(exposed.join('')).toContain('[vault-config]');
    assertNoLeak([...captured, ...exposed], secretsSeen);
  }, 120_000);
});
