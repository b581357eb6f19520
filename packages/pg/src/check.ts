import type pg from 'pg';
import { within } from './drain';

/**
 * Opens `connections` clients on a new pool at once and runs `check` on each, so the pool takes
 * traffic with its connections already made (no post-swap wait for logins). On success they stay
 * in the pool, idle; on failure or timeout they are destroyed.
 */
export async function checkAndWarm(
  pool: pg.Pool,
  connections: number,
  check: string,
  timeoutMs: number,
): Promise<void> {
  const clients: pg.PoolClient[] = [];
  let over = false;
  const attempts = Promise.allSettled(
    Array.from({ length: connections }, async () => {
      const client = await pool.connect();
      // Connected after a timeout: nobody will run the check on it.
      if (over) return client.release(true);
      clients.push(client);
      await client.query(check);
    }),
  );
  let ok = false;
  try {
    const results = await within(attempts, timeoutMs, 'the pool check');
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    ok = true;
  } finally {
    over = true;
    for (const client of clients) client.release(ok ? undefined : true);
  }
}
