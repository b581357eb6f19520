/**
 * A manager on the injected clock against the in-process dev server: the dev server answers in
 * milliseconds, and every timer the manager sets (refresh, renewals, background retries) fires only
 * when the test moves the clock.
 */
import { VaultSecretManager } from '../../src/manager';
import type { VaultOptions } from '../../src/options';
import { FakeClock, sequence, settle } from './fake-clock';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { CANARY, COMMON, PATH, startHarness, type Harness } from './dev-vault';

export const START = Date.UTC(2026, 0, 1);

/** What startHarness() writes to the KV paths. */
const SEED: Record<string, Record<string, unknown>> = {
  [PATH]: { ...CANARY, PORT: 8080, DEBUG: false, FEATURES: { a: [1] }, EMPTY: null },
  [COMMON]: { LOG_LEVEL: 'info', PORT: 3000 },
};

export interface Rig {
  manager: VaultSecretManager;
  clock: FakeClock;
  env: Record<string, string | undefined>;
}

/** A manager with a fake clock, random 0.5 (no jitter either way) and its own env object. */
export function rig(h: Harness, extra: VaultOptions = {}): Rig {
  const clock = new FakeClock(START);
  const env: Record<string, string | undefined> = {};
  const manager = new VaultSecretManager(h.options({ env, clock, random: sequence(0.5), ...extra }));
  return { manager, clock, env };
}

const SENTINEL = '/v1/sys/health';
const lines = (h: Harness): string[] =>
  h.server.requests.filter((r) => r.path !== SENTINEL).map((r) => `${r.method} ${r.path} ${r.status}`);

/**
 * The dev server's request log as `METHOD path status` lines. The server logs a request when its
 * socket closes, which can come just after the client has its answer: a request of our own, logged
 * once it is answered, marks the point by which every request answered before it is in the log.
 */
export async function requestLines(h: Harness): Promise<string[]> {
  const before = h.server.requests.filter((r) => r.path === SENTINEL).length;
  await fetch(`${h.server.address}${SENTINEL}`).then((r) => r.arrayBuffer());
  const end = Date.now() + 2_000;
  while (h.server.requests.filter((r) => r.path === SENTINEL).length === before) {
    if (Date.now() > end) throw new Error('the dev server did not log a request within 2 s');
    await new Promise((r) => setTimeout(r, 1));
  }
  return lines(h);
}

/** Waits (in real time, bounded) for a request the manager makes after a promise it does not return. */
export async function untilRequest(h: Harness, line: string, ms = 2_000): Promise<void> {
  const end = Date.now() + ms;
  while (!lines(h).includes(line)) {
    if (Date.now() > end) throw new Error(`no request "${line}" within ${ms} ms: ${lines(h).join('; ')}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/**
 * Waits in real time, bounded, for something an HTTP round trip to the dev server brings about
 * (each takes about a millisecond); then lets the promise callbacks it started run.
 */
export async function until(check: () => boolean, what: string, ms = 2_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1));
  }
  await settle();
}

/**
 * One dev server per test file (starting one takes a few hundred ms: key generation), put back
 * before each test: no faults, an empty request log and log, the seeded secrets.
 */
export function useHarness(): () => Harness {
  let h: Harness | undefined;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.close());
  beforeEach(() => {
    const harness = h as Harness;
    harness.server.clearFaults();
    harness.server.clearRequests();
    harness.logs.length = 0;
    harness.server.writeSecret('kv', PATH, SEED[PATH] as Record<string, unknown>);
    harness.server.writeSecret('kv', COMMON, SEED[COMMON] as Record<string, unknown>);
  });
  return () => h as Harness;
}
