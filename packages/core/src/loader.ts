/**
 * The start-up load: login, then every KV path and dynamic secret read in parallel (one round trip
 * after the login; token auth: none before), all under one retry policy bounded by the start-up
 * budget. All or nothing: the caller's commit runs inside, and if anything fails or close() cancels,
 * every lease obtained and the token logged in for are revoked before the load rejects.
 */
import { setMaxListeners } from 'node:events';
import { createAuthMethod, type AuthSession } from './auth';
import { vaultCall } from './http/call';
import { createVaultHttpClient, type VaultHttpClient } from './http/client';
import type { FailureContext } from './http/error-mapping';
import type { RetryPolicy } from './http/retry';
import { detectKvVersion, type KvSecret } from './kv';
import { giveBack } from './give-back';
import { createVaultOps, type DynamicLease, type VaultOps } from './lifecycle/vault-ops';
import type { ResolvedOptions } from './options';

/** One attempt bounded by the request timeout: background steps retry with their own backoff. */
export function singleAttemptPolicy(timeoutMs: number): RetryPolicy {
  return {
    maxRetries: 0,
    baseDelayMs: 0,
    maxDelayMs: 0,
    deadline: Date.now() + timeoutMs + 1000,
    attemptTimeoutMs: timeoutMs,
  };
}

/** What a successful load read, for the caller to commit and keep fresh. */
export interface Loaded {
  http: VaultHttpClient;
  ops: VaultOps;
  session: AuthSession;
  authName: string;
  kvVersion: 1 | 2;
  kvSecrets: KvSecret[];
  leases: DynamicLease[];
}

export interface LoadContext {
  options: ResolvedOptions;
  /** Aborted by close(): cancels every read, dynamic ones included. */
  closed: AbortSignal;
  /** Throws VAULT_CLOSED once the manager is closed, so nothing is committed after close(). */
  throwIfClosed(): void;
  /** The token as it is obtained, then given back (undefined), for the status. */
  session(session: AuthSession | undefined): void;
  /** Every failed attempt that will be retried, so a slow start-up is never silent. */
  warn(message: string): void;
  info(message: string): void;
  /** Waits on the manager's clock; resolves early when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  now(): number;
  /** Jitter of the retry waits: the manager's injected random source. */
  random: () => number;
}

export async function loadFromVault<T>(
  ctx: LoadContext,
  commit: (loaded: Loaded) => T | Promise<T>,
): Promise<T> {
  const { options } = ctx;
  const cancel = new AbortController();
  // Every parallel read listens on this signal; many paths are expected, not a leak.
  setMaxListeners(0, cancel.signal);
  const onClose = () => cancel.abort();
  ctx.closed.addEventListener('abort', onClose, { once: true });
  const splayMs = await splay(ctx);
  const policy: RetryPolicy = {
    maxRetries: options.maxRetries,
    baseDelayMs: options.retryDelayMs,
    maxDelayMs: Math.max(options.retryDelayMs * 8, 1000),
    // The splay counts within the start-up budget (on the manager's clock, which tests replace).
    deadline: Date.now() + options.startupTimeoutMs - splayMs,
    attemptTimeoutMs: options.timeoutMs,
    signal: cancel.signal,
    warn: ctx.warn,
    random: ctx.random,
  };
  const http = createVaultHttpClient(options);
  const auth = createAuthMethod(options);
  let session: AuthSession | undefined;
  const context = (extra: Partial<FailureContext>): FailureContext => ({
    phase: 'read',
    address: options.address as string,
    mountPoint: options.mountPoint,
    secretVersion: options.version,
    ...extra,
    get sensitive() {
      return [...auth.sensitiveValues(), session?.token, options.token, options.secretId];
    },
  });
  const ops = createVaultOps(http, auth, options, context, ctx.now);
  const obtained: DynamicLease[] = [];
  try {
    session = await ops.login(policy);
    ctx.session(session);
    ctx.throwIfClosed();
    const token = session.token;
    const kvVersion = await detectedKvVersion(options, http, policy, context, token);
    ctx.throwIfClosed();
    // KV paths and dynamic secrets in parallel: still one round trip after the login. The first
    // failure stops the KV reads' retries; every read settles before the failure is reported,
    // so each lease issued meanwhile is known and given back.
    let firstFailure: { error: unknown } | undefined;
    const track = <R>(p: Promise<R>) =>
      p.catch((error: unknown) => {
        firstFailure ??= { error };
        cancel.abort();
        throw error;
      });
    // A dynamic read is never cut short by a sibling's failure: Vault may have issued its lease
    // already, and only a completed answer says which one to revoke. Only close() aborts it.
    const dynamicPolicy: RetryPolicy = { ...policy, signal: ctx.closed };
    const [reads, leases] = await Promise.allSettled([
      track(ops.readKvAll(token, kvVersion, policy)),
      Promise.allSettled(
        options.lifecycle.dynamic.map((spec) =>
          track(ops.readDynamic(token, spec, dynamicPolicy).then((lease) => (obtained.push(lease), lease))),
        ),
      ),
    ]);
    if (firstFailure) throw firstFailure.error;
    ctx.throwIfClosed();
    const kvSecrets = (reads as PromiseFulfilledResult<KvSecret[]>).value;
    const dynamic = (leases as PromiseFulfilledResult<PromiseFulfilledResult<DynamicLease>[]>).value.map(
      (r) => r.value,
    );
    return await commit({ http, ops, session, authName: auth.name, kvVersion, kvSecrets, leases: dynamic });
  } catch (error) {
    // A failed or cancelled start-up: revoke each lease it obtained and the token it logged in for.
    if (session) {
      const policy = singleAttemptPolicy(options.timeoutMs);
      await giveBack(ops, session.token, obtained, options.authMethod, policy);
      ctx.session(undefined);
    }
    http.close();
    throw error;
  } finally {
    ctx.closed.removeEventListener('abort', onClose);
  }
}

/**
 * VAULT_STARTUP_SPLAY: a random wait before the first request, so that pods started together reach a
 * rate-limited Vault spread out instead of all in the first second. Returns the time waited.
 */
async function splay(ctx: LoadContext): Promise<number> {
  const { startupSplayMs } = ctx.options;
  if (startupSplayMs <= 0) return 0;
  const waitMs = Math.floor(ctx.random() * startupSplayMs);
  ctx.info(`waiting ${waitMs} ms before the first request (VAULT_STARTUP_SPLAY ${startupSplayMs / 1000} s)`);
  await ctx.sleep(waitMs, ctx.closed);
  ctx.throwIfClosed();
  return waitMs;
}

async function detectedKvVersion(
  options: ResolvedOptions,
  http: VaultHttpClient,
  policy: RetryPolicy,
  context: (extra: Partial<FailureContext>) => FailureContext,
  token: string,
): Promise<1 | 2> {
  if (options.kvVersion !== 'auto') return options.kvVersion;
  const first = options.paths[0] as string;
  return vaultCall(http, policy, context({ phase: 'detect', secretPath: first }), (ro) =>
    detectKvVersion(http.client, options.mountPoint, first, { ...ro, headers: { 'X-Vault-Token': token } }),
  );
}
