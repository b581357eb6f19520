/**
 * Runs one Vault step (login, detect, read) under the retry policy and maps its failure to one
 * VaultError; asks sys/health only when a 5xx needs explaining.
 */
import {
  mapFailure,
  classifyFailure,
  needsHealthExplanation,
  type FailureContext,
  type HealthInfo,
} from './error-mapping';
import type { VaultHttpClient } from './client';
import { VaultHttpError } from './http-error';
import { RetryStop, withRetry, type AttemptContext, type RetryEvent, type RetryPolicy } from './retry';
import { TransportError } from './transport';

/** What failed, as a code: never Vault's body or Node's full message. */
export function failureCode(error: unknown): string {
  if (error instanceof VaultHttpError)
    return error.malformed ? `HTTP ${error.status}, not JSON` : `HTTP ${error.status}`;
  if (error instanceof TransportError) return error.code;
  return error instanceof Error ? error.name : 'error';
}

/** `reading kv/ACME/DEV/MYAPP: attempt 1/4 failed (HTTP 503); next in 212 ms` */
export function retryLine(context: FailureContext, event: RetryEvent): string {
  const step =
    context.phase === 'login'
      ? 'login'
      : context.phase === 'detect'
        ? `detecting the KV version of ${context.mountPoint}`
        : `reading ${context.mountPoint}/${context.secretPath ?? ''}`;
  const last = event.shortened ? ' (the last that fits VAULT_STARTUP_TIMEOUT)' : '';
  return `${step}: attempt ${event.attempt}/${event.maxAttempts} failed (${failureCode(event.error)}); next in ${event.waitMs} ms${last}`;
}

async function askHealth(
  http: VaultHttpClient,
  deadline: number,
  timeoutMs: number,
): Promise<HealthInfo | undefined> {
  const budget = Math.min(timeoutMs, 5000, deadline - Date.now());
  if (budget <= 0) return undefined;
  try {
    return (await http.client.read('sys/health', http.requestOptions(budget))) as HealthInfo;
  } catch (err) {
    // sys/health answers 429/472/473/501/503 with its JSON body: that body is the explanation.
    // Any other body is no answer, so the failed call's own message ("Vault is sealed") still counts.
    const body = err instanceof VaultHttpError ? err.body : undefined;
    return body !== null && typeof body === 'object' ? (body as HealthInfo) : undefined;
  }
}

export async function vaultCall<T>(
  http: VaultHttpClient,
  policy: RetryPolicy,
  context: FailureContext,
  operation: (requestOptions: Record<string, unknown>, attempt: AttemptContext) => Promise<T>,
): Promise<T> {
  const warn = policy.warn;
  try {
    return await withRetry(
      (attempt) => operation(http.requestOptions(attempt.timeoutMs, attempt.signal), attempt),
      (error) => classifyFailure(error, context.phase),
      warn ? { ...policy, onRetry: (event) => warn(retryLine(context, event)) } : policy,
    );
  } catch (error) {
    const stop = error instanceof RetryStop ? error : new RetryStop('fatal', error, 1);
    // The health check gets a small budget of its own past the deadline so the error can say why.
    const health = needsHealthExplanation(stop)
      ? await askHealth(http, policy.deadline + 2000, policy.attemptTimeoutMs)
      : undefined;
    throw mapFailure(stop, context, health);
  }
}
