/**
 * The process-level rows of the fault matrix against both built example apps as child processes:
 * a failing start-up exits non-zero with exactly one `Class [CODE]: …` line, within the row's bound
 * plus the app's own start-up, printing no canary (DEBUG=*, most verbose log level); a recovering
 * start-up reports ready on GET /health. Runs two apps at a time (2 cores).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { APPS, appEntry, errorLines, inPool, runApp, type AppName, type AppRun } from './support/fault-apps';
import { assertNoLeak } from './support/fault-leaks';
import { rows, type FaultRow } from './support/fault-rows';
import { startWorld } from './support/fault-world';

/** What an app adds to a core bound: loading Node, the framework and the adapter. */
const APP_STARTUP_MS = 6000;

interface Result {
  run: AppRun;
  secrets: string[];
}

const processRows = rows.filter((row) => row.process);
const cases = processRows.flatMap((row) => APPS.map((app) => ({ row, app })));
const results = new Map<string, Result>();
const key = (row: FaultRow, app: AppName) => `${app}: ${row.fault}`;

async function runCase(row: FaultRow, app: AppName): Promise<void> {
  const world = await startWorld();
  const cleanups: (() => Promise<void> | void)[] = [];
  try {
    const overrides = (await row.setup?.({ world, defer: (fn) => void cleanups.push(fn) })) ?? {};
    const run = await runApp(
      appEntry(app),
      { ...world.env, ...overrides },
      row.boundMs + APP_STARTUP_MS + 2000,
    );
    results.set(key(row, app), { run, secrets: world.secrets() });
  } finally {
    for (const fn of cleanups) await fn();
    await world.close();
  }
}

describe('fault matrix (example apps as child processes)', () => {
  beforeAll(async () => {
    await inPool(
      cases.map(
        ({ row, app }) =>
          () =>
            runCase(row, app),
      ),
      2,
    );
  }, 180_000);

  it.each(cases.map(({ row, app }) => [key(row, app), row, app] as const))('%s', (_name, row, app) => {
    const result = results.get(key(row, app));
    expect(result, 'the run happened').toBeDefined();
    const { run, secrets } = result as Result;
    const output = `${run.stdout}\n${run.stderr}`;
    expect(run.timedOut, `no exit and no readiness within the limit:\n${output}`).toBe(false);
    expect(run.elapsed).toBeLessThan(row.boundMs + APP_STARTUP_MS);
    if ('ok' in row.outcome) {
      expect(run.health?.status, output).toBe(200);
      expect(run.health?.body).toContain('ready');
      expect(errorLines(run)).toEqual([]);
    } else {
      const { error, code } = row.outcome;
      expect(run.code, output).not.toBe(0);
      expect(run.code, output).not.toBeNull();
      const lines = errorLines(run);
      expect(lines, output).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`${error} \\[${code}\\]: \\S`));
    }
    assertNoLeak([run.stdout, run.stderr, run.health?.body ?? ''], secrets);
  });
});
