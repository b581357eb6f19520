import type pg from 'pg';

/** How often a retiring pool's wait queue is looked at; no faster loop runs. */
export const QUEUE_POLL_MS = 10;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Ends a pool that no longer gets new work, once its checked-out clients are back: resolves `true`
 * when it has ended, `false` when `timeoutMs` ran out first (it keeps ending in the background).
 * pg's `end()` stops serving requests still queued for a client, so the queue empties first.
 */
export async function drainPool(pool: pg.Pool, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (pool.waitingCount > 0) {
    if (Date.now() >= deadline) return false;
    await sleep(QUEUE_POLL_MS);
  }
  let timer: NodeJS.Timeout | undefined;
  const ended = pool.end().then(
    () => true,
    // Called end() twice: someone else is ending it, which is what we want.
    () => true,
  );
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([ended, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Rejects when `promise` takes longer than `ms`. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(Object.assign(new Error(`${what} took longer than ${ms} ms`), { code: 'ETIMEDOUT' })),
      ms,
    );
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
