/**
 * The fault matrix against the core: every row of test/support/fault-rows.ts through a
 * VaultSecretManager reading an `env` object. Each row gets its own dev server. A failing row must
 * end with the expected class and code within its bound, leave the env exactly as it was, report
 * `failed` in the status, and print nothing secret.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { VaultError, VaultSecretManager, type VaultLogger } from '@vault-config/core';
// Internal: the size limit the row checks against is not part of the public surface.
import { MAX_ENV_ENTRY_BYTES } from '../packages/core/src/inject';
import { assertNoLeak, errorTexts } from './support/fault-leaks';
import { docCells, rows, type FaultRow } from './support/fault-rows';
import { startWorld, type Env } from './support/fault-world';

/** `object`: an `env` option; `process`: no `env` option, so the core reads and injects process.env. */
type Target = 'object' | 'process';

async function runRow(row: FaultRow, target: Target = 'object'): Promise<void> {
  const world = await startWorld();
  const cleanups: (() => Promise<void> | void)[] = [];
  try {
    const overrides = (await row.setup?.({ world, defer: (fn) => void cleanups.push(fn) })) ?? {};
    // Variables already set in the pod, which a failed load must not touch.
    const wanted: Env = { ...world.env, KEEP: 'me', DATABASE_URL: 'local-value', ...overrides };
    let env: Env = wanted;
    if (target === 'process') {
      env = process.env;
      Object.assign(env, wanted);
    }
    for (const key of Object.keys(wanted)) if (wanted[key] === undefined) delete env[key];
    const before = { ...env };
    const logs: string[] = [];
    const warns: string[] = [];
    const push = (m: string) => void logs.push(m);
    const logger: VaultLogger = {
      info: push,
      warn: (m) => void (logs.push(m), warns.push(m)),
      error: push,
      debug: push,
    };
    world.server.clearRequests();

    const manager = new VaultSecretManager({
      ...(target === 'object' ? { env } : {}),
      logger,
      ...row.coreOptions,
    });
    const started = performance.now();
    let caught: unknown;
    let secrets: Readonly<Record<string, string>> = {};
    try {
      secrets = await manager.initialize();
    } catch (error) {
      caught = error;
    }
    const elapsed = performance.now() - started;
    const status = manager.getStatus();
    await manager.close();

    expect(elapsed, 'wall time').toBeLessThan(row.boundMs);
    if (row.minMs !== undefined) expect(elapsed, 'wall time').toBeGreaterThanOrEqual(row.minMs);
    if ('ok' in row.outcome) {
      expect(caught, 'initialize() rejected').toBeUndefined();
      expect(['ready', 'disabled']).toContain(status.state);
      row.outcome.check?.(secrets, world);
      for (const [key, value] of Object.entries(secrets)) {
        // Values too large for the environment are served by get() only (one warning names them).
        const fits = Buffer.byteLength(key) + Buffer.byteLength(value) + 2 <= MAX_ENV_ENTRY_BYTES;
        expect(env[key]).toBe(fits ? value : undefined);
      }
    } else {
      const { error: name, code, setting, message } = row.outcome;
      expect(caught).toBeInstanceOf(VaultError);
      const error = caught as VaultError;
      expect({ name: error.name, code: error.code }).toEqual({ name, code });
      if (setting) expect(error.setting).toBe(setting);
      if (message) expect(error.message).toMatch(message);
      expect(error.toLogLine()).toMatch(new RegExp(`^${name} \\[${code}\\]: \\S`));
      expect(error.toLogLine()).not.toContain('\n');
      // Nothing half done.
      expect(env).toEqual(before);
      expect(manager.getAll()).toEqual({});
      expect(status).toMatchObject({ state: 'failed', secrets_loaded: false, last_error: { name, code } });
      expect(logs.filter((l) => l.includes(`${name} [${code}]`))).toHaveLength(1);
    }
    row.requests?.(world);
    row.observe?.({ logs, warns, status, env, error: caught as VaultError | undefined, elapsed });
    assertNoLeak([...errorTexts(caught), JSON.stringify(status), ...logs], world.secrets());
  } finally {
    for (const fn of cleanups) await fn();
    await world.close();
  }
}

describe('fault matrix (core)', () => {
  it.each(rows.map((row) => [row.fault, row] as const))('%s', async (_name, row) => {
    await runRow(row);
  });
});

describe('fault matrix (core, default env: process.env)', () => {
  const original = { ...process.env };
  afterEach(() => {
    for (const key of Object.keys(process.env)) if (!(key in original)) delete process.env[key];
    Object.assign(process.env, original);
  });
  // The quick failing rows again, reading and (not) injecting process.env itself.
  const failing = rows.filter(
    (row) => !('ok' in row.outcome) && row.minMs === undefined && row.boundMs <= 2000,
  );
  it.each(failing.map((row) => [row.fault, row] as const))('%s', async (_name, row) => {
    await runRow(row, 'process');
  });
});

describe('docs/failure-modes.md', () => {
  it('lists every row with its outcome and bound', () => {
    const doc = readFileSync(new URL('../docs/failure-modes.md', import.meta.url), 'utf8');
    // Compare cells, not raw lines: prettier pads markdown tables.
    const tableRows = doc
      .split('\n')
      .filter((line) => line.startsWith('|'))
      .map((line) =>
        JSON.stringify(
          line
            .slice(1, -1)
            .split(' | ')
            .map((cell) => cell.trim()),
        ),
      );
    const missing = rows.map((row) => JSON.stringify(docCells(row))).filter((r) => !tableRows.includes(r));
    expect(missing).toEqual([]);
  });
});
