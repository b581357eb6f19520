/**
 * `node bench/fleet-model.mjs`: the fleet of bench/fleet.mjs as a discrete-event model, with no CPU
 * cost on either side, so that what it shows is the retry policy and the limiter alone. The measured
 * bench runs 1,000 clients in one Node process on a shared 2-core machine: there the clients' own
 * CPU decides when requests reach Vault. Here every pod has a CPU of its own, as real pods do.
 *
 * Each pod arrives at a uniform random time in [0, 1 s), logs in, then reads (1 ms each way). A
 * refused request (429) waits what the policy says and is sent again, up to `maxRetries` times.
 * The limiter is Vault's quota (vault/quotas/quotas_rate_limit.go on sethvargo/go-limiter's
 * memorystore), as the dev server's setRateLimit also is: the bucket refills to `rate` at each tick of
 * the interval (a fixed window), and Retry-After is the whole seconds left until that tick, so "0" for
 * a 1 s interval (sent only when enable_rate_limit_response_headers is on). The windows start at the
 * fleet's first request (the bucket is created then, as the dev server does) or at a random phase.
 * Policies: the wait after a Retry-After of `ra` ms at retry n (1-based), with random r in [0, 1):
 * - `before`: ra + r·ra (what the core did before: 0 when Vault says "0").
 * - `ours`: ra + 1 s + r·min(60 s, max(1 s, ra)·n) (packages/core/src/http/retry.ts retryAfterDelay:
 *   past the truncated second, then spread), and
 *   429s counted apart from maxRetries, up to max(maxRetries, 10) (QUOTA_RETRIES).
 * - `ours, splay 4.5 s`: the same, each pod first waiting a random time in [0, 4.5 s) (VAULT_STARTUP_SPLAY).
 */
import { printTable } from './lib/stats.mjs';

const PODS = 1000;
const RPS = 500;
const RTT_MS = 2;
const SEEDS = 30;

function seeded(seed) {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

/** `wait` after a refusal; `retries`: how many 429s a pod takes before giving up, given maxRetries. */
const policies = {
  before: { wait: (ra, _n, r) => ra + Math.floor(r * ra), retries: (max) => max },
  // 429s are counted apart from other failures, up to max(maxRetries, QUOTA_RETRIES = 10).
  ours: {
    wait: (ra, n, r) => ra + 1000 + Math.floor(r * Math.min(60_000, Math.max(1000, ra) * n)),
    retries: (max) => Math.max(max, 10),
  },
};
policies['ours, splay 4.5 s'] = { ...policies.ours, splayMs: 4500 };

/**
 * Fixed windows from `phase` on, as go-limiter's memorystore bucket; Retry-After truncated to seconds.
 * No phase: the bucket is created by the first request (memorystore's Take), so the windows start there.
 */
function vaultLimiter(phase) {
  let start = -Infinity;
  let used = 0;
  return (t) => {
    phase ??= t;
    const windowStart = phase + Math.floor((t - phase) / 1000) * 1000;
    if (windowStart !== start) [start, used] = [windowStart, 0];
    if (used >= RPS) return { ok: false, retryAfterMs: Math.floor((windowStart + 1000 - t) / 1000) * 1000 };
    used++;
    return { ok: true };
  };
}

/** One fleet: requests sent, pods that gave up, when the last pod was ready. */
function run(limiterOf, policy, seed, maxRetries) {
  const random = seeded(seed);
  const limiter = limiterOf(random);
  const queue = []; // a binary heap of [time, action]
  const push = (t, f) => {
    queue.push([t, f]);
    for (let i = queue.length - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if (queue[p][0] <= queue[i][0]) break;
      [queue[p], queue[i]] = [queue[i], queue[p]];
      i = p;
    }
  };
  const pop = () => {
    const top = queue[0];
    const last = queue.pop();
    if (queue.length) {
      queue[0] = last;
      for (let i = 0; ;) {
        const [l, r] = [2 * i + 1, 2 * i + 2];
        let m = i;
        if (l < queue.length && queue[l][0] < queue[m][0]) m = l;
        if (r < queue.length && queue[r][0] < queue[m][0]) m = r;
        if (m === i) break;
        [queue[m], queue[i]] = [queue[i], queue[m]];
        i = m;
      }
    }
    return top;
  };
  let requests = 0;
  let failed = 0;
  let lastReady = 0;
  const send = (t, step, retry) => {
    requests++;
    const answer = limiter(t + RTT_MS / 2);
    push(t + RTT_MS, (now) => {
      if (answer.ok) {
        if (step === 'login') send(now, 'read', 0);
        else lastReady = Math.max(lastReady, now);
      } else if (retry >= maxRetries) failed++;
      else
        push(now + policy.wait(answer.retryAfterMs, retry + 1, random()), (at) => send(at, step, retry + 1));
    });
  };
  for (let i = 0; i < PODS; i++) {
    const arrival = random() * 1000;
    push(policy.splayMs ? arrival + random() * policy.splayMs : arrival, (t) => send(t, 'login', 0));
  }
  while (queue.length) {
    const [t, f] = pop();
    f(t);
  }
  return { requests, failed, lastReady };
}

const limiters = {
  // The dev server's and a real Vault's case when the fleet's address had no bucket yet.
  'Vault quota, bucket created by the first pod': () => vaultLimiter(undefined),
  // A bucket already there (other traffic from the same address): the windows fall anywhere.
  'Vault quota, random phase': (random) => vaultLimiter(random() * 1000),
};
const rows = [];
for (const maxRetries of [10, 3]) {
  for (const [limiter, limiterOf] of Object.entries(limiters)) {
    for (const [name, policy] of Object.entries(policies)) {
      const runs = Array.from({ length: SEEDS }, (_, i) =>
        run(limiterOf, policy, i + 1, policy.retries(maxRetries)),
      );
      const x = runs.map((r) => r.requests / (2 * PODS));
      const ready = runs.map((r) => r.lastReady / 1000);
      const failed = runs.map((r) => r.failed);
      const range = (a, digits) => `${Math.min(...a).toFixed(digits)}–${Math.max(...a).toFixed(digits)}`;
      const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
      rows.push({
        max_retries: maxRetries,
        limiter,
        policy: name,
        'x minimum': range(x, 2),
        all_ready_s: `${median(ready).toFixed(1)} (${range(ready, 1)})`,
        failed: range(failed, 0),
      });
    }
  }
}
printTable(
  `Fleet model: ${PODS} pods within 1 s, ${RPS} requests/s, no CPU cost (${SEEDS} seeds: min–max; ready: median (min–max))`,
  rows,
);
const refusedFirst = PODS - RPS / 2;
console.log(
  [
    'all_ready_s: when the last pod that did not give up was ready.',
    "Floor for any policy: a pod's first request cannot know that the quota is spent. With arrivals",
    `uniform over 1 s and two requests per pod, the quota is spent ${RPS / (2 * PODS)} s in, so about ${refusedFirst} first`,
    `requests are refused whatever the clients do next, unless they wait before it (the splay): up to ${((2 * PODS + refusedFirst) / (2 * PODS)).toFixed(3)}× the minimum (1.25–1.375×`,
    `on Vault's fixed window, by its phase), and ${(2 * PODS) / RPS} s for the ${2 * PODS} requests that must pass.`,
  ].join('\n'),
);
