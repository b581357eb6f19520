/**
 * Which failures the start-up retries, and how long it waits: one row per answer Vault (or a proxy
 * in front of it) gives. Each row names where the fact comes from.
 */
import { describe, expect, it } from 'vitest';
import { classifyFailure, type Phase } from '../src/http/error-mapping';
import { VaultSecretError } from '../src/errors';
import { VaultHttpError } from '../src/http/http-error';
import { TransportError } from '../src/http/transport';

function http(status: number, message = '', headers: Record<string, string> = {}): VaultHttpError {
  return new VaultHttpError(status, message ? [message] : [], headers, '/v1/x', { errors: [message] });
}

// vault: status-codes, rate-limit-retry-after, plain-error-500
// Sources:
//   [codes]  https://developer.hashicorp.com/vault/api-docs#http-status-codes
//            (412 eventual consistency "should be retried", 429 rate-limit quota, 473 perf standby,
//             500 internal, 501 not initialized, 502 "error from an upstream", 503 sealed/maintenance)
//   [quota]  vault/quotas/quotas_rate_limit.go (*RateLimitQuota).allow: a 429 whose Retry-After
//            equals X-Ratelimit-Reset, the whole seconds left until the bucket refills (older
//            releases: the reset time as an HTTP-date, RFC 1123); http/util.go rateLimitQuotaWrapping
//            sends these headers only when enable_rate_limit_response_headers is set
//   [rfc]    RFC 9110 §10.2.3 Retry-After: seconds or an HTTP-date, on 503 and 429 (RFC 6585 §4)
//   [login]  sdk/logical/response_util.go RespondErrorCommon: a plugin's plain Go error with no
//            response becomes 500 carrying its text, so an auth plugin's rejected login can be a 500
const rows: { status: number; phase?: Phase; message?: string; retryable: boolean; source: string }[] = [
  { status: 400, retryable: false, source: '[codes] invalid request' },
  { status: 403, retryable: false, source: '[codes] forbidden' },
  { status: 404, retryable: false, source: '[codes] invalid path' },
  { status: 405, retryable: false, source: '[codes] unsupported operation' },
  { status: 412, retryable: true, source: '[codes] precondition failed: retry' },
  { status: 429, retryable: true, source: '[quota] rate limited' },
  { status: 473, retryable: false, source: '[codes] performance standby (not followed)' },
  { status: 500, retryable: true, source: '[codes] internal error, transient' },
  { status: 500, phase: 'login', message: 'claim "iss" is invalid', retryable: false, source: '[login]' },
  { status: 500, phase: 'read', message: 'claim "iss" is invalid', retryable: true, source: '[login]' },
  { status: 500, phase: 'login', message: 'connection refused', retryable: true, source: '[login]' },
  { status: 501, retryable: false, source: '[codes] not initialized' },
  { status: 502, retryable: true, source: '[codes] upstream error' },
  { status: 503, retryable: true, source: '[codes] sealed or in maintenance' },
  { status: 504, retryable: true, source: '[rfc] gateway timeout from a proxy' },
];

describe('classifyFailure: retried or not', () => {
  it.each(rows.filter((r) => r.status !== 429))(
    'HTTP $status ($phase, "$message") retryable: $retryable — $source',
    (row) => {
      const decision = classifyFailure(http(row.status, row.message ?? ''), row.phase ?? 'read');
      expect(decision).toEqual({ retryable: row.retryable });
    },
  );

  // [quota] Vault's rate-limit headers are opt-in: a bare 429 means "within the quota's interval".
  it('HTTP 429 with no header: retried as a quota refusal, as if Retry-After were 0', () => {
    expect(classifyFailure(http(429, 'rate limit quota exceeded'), 'read')).toEqual({
      retryable: true,
      quota: true,
      retryAfterMs: 0,
    });
  });

  it('a 2xx whose body is not JSON is not retried; a 5xx that is not JSON is', () => {
    const bad = (status: number) => new VaultHttpError(status, [], {}, '/v1/x', undefined, true);
    expect(classifyFailure(bad(200), 'read')).toEqual({ retryable: false });
    expect(classifyFailure(bad(299), 'read')).toEqual({ retryable: false });
    expect(classifyFailure(bad(503), 'read')).toEqual({ retryable: true });
  });

  it('network errors are retried; TLS failures, aborts and oversized bodies are not', () => {
    expect(classifyFailure(new TransportError('ECONNRESET', 'reset'), 'read')).toEqual({ retryable: true });
    expect(classifyFailure(new TransportError('ECONNREFUSED', 'refused'), 'login')).toEqual({
      retryable: true,
    });
    for (const code of ['DEPTH_ZERO_SELF_SIGNED_CERT', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_HAS_EXPIRED']) {
      expect(classifyFailure(new TransportError(code, 'tls'), 'read'), code).toEqual({ retryable: false });
    }
    for (const code of ['VAULT_REQUEST_ABORTED', 'VAULT_RESPONSE_TOO_LARGE']) {
      expect(classifyFailure(new TransportError(code, 'x'), 'read'), code).toEqual({ retryable: false });
    }
  });

  it('our own errors and unknown values are not retried', () => {
    expect(classifyFailure(new VaultSecretError('VAULT_RESPONSE_INVALID', 'x'), 'read')).toEqual({
      retryable: false,
    });
    expect(classifyFailure(new Error('boom'), 'read')).toEqual({ retryable: false });
    expect(classifyFailure(undefined, 'read')).toEqual({ retryable: false });
  });
});

describe('classifyFailure: Retry-After honoured on every retried status [rfc]', () => {
  it.each([412, 429, 500, 502, 503, 504])('HTTP %i with Retry-After: 7 waits 7 s', (status) => {
    expect(classifyFailure(http(status, '', { 'retry-after': '7' }), 'read')).toEqual({
      retryable: true,
      retryAfterMs: 7000,
      ...(status === 429 ? { quota: true } : {}),
    });
  });

  it('an HTTP-date Retry-After (what the rate-limit quota sends [quota]) becomes the time until then', () => {
    const at = new Date(Date.now() + 60_000).toUTCString();
    const decision = classifyFailure(http(429, '', { 'retry-after': at }), 'read');
    expect(decision.retryable).toBe(true);
    expect(decision.retryAfterMs).toBeGreaterThan(55_000);
    expect(decision.retryAfterMs).toBeLessThanOrEqual(60_000);
  });

  // [quota] Vault sends Retry-After and X-Ratelimit-Reset with the same value; a proxy may send the latter only.
  it('a 429 without Retry-After waits what X-Ratelimit-Reset says; Retry-After wins when both are there', () => {
    expect(classifyFailure(http(429, '', { 'x-ratelimit-reset': '3' }), 'read')).toEqual({
      retryable: true,
      quota: true,
      retryAfterMs: 3000,
    });
    expect(classifyFailure(http(429, '', { 'retry-after': '1', 'x-ratelimit-reset': '3' }), 'read')).toEqual({
      retryable: true,
      quota: true,
      retryAfterMs: 1000,
    });
    // Only a rate limit's reset is a wait: a 503 carrying one keeps the backoff.
    expect(classifyFailure(http(503, '', { 'x-ratelimit-reset': '3' }), 'read')).toEqual({
      retryable: true,
    });
  });

  it('is ignored when the status is not retried, and absent when unparseable', () => {
    expect(classifyFailure(http(403, '', { 'retry-after': '7' }), 'read')).toEqual({ retryable: false });
    expect(classifyFailure(http(501, '', { 'retry-after': '7' }), 'read')).toEqual({ retryable: false });
    expect(classifyFailure(http(503, '', { 'retry-after': 'soon' }), 'read')).toEqual({ retryable: true });
  });
});
