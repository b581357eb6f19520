/**
 * Turns a failed Vault exchange into one typed, actionable, secret-free VaultError, and decides which
 * failures are transient. `sys/health` is asked only here, only after a 5xx, to explain it.
 */
import {
  VaultAuthenticationError,
  VaultConfigurationError,
  VaultError,
  VaultSecretError,
  isVaultError,
} from './errors';
import { VaultHttpError } from './http-error';
import { redact } from './redact';
import { RetryStop, parseRetryAfter, type RetryDecision } from './retry';
import { TransportError } from './transport';

export type Phase = 'login' | 'read' | 'detect';

export interface FailureContext {
  phase: Phase;
  /** Vault address, for messages. */
  address: string;
  /** What to check on a login rejection, e.g. `VAULT_ROLE "dev-myapp" on mount ...`. */
  loginHint?: string;
  /** The mount setting for a 404 "no handler for route" at login. */
  authMountSetting?: string;
  /** KV mount and path being read. */
  mountPoint?: string;
  secretPath?: string;
  /** Known credentials to scrub from any text we quote. */
  sensitive: readonly (string | null | undefined)[];
}

export interface HealthInfo {
  initialized?: boolean;
  sealed?: boolean;
  standby?: boolean;
  performance_standby?: boolean;
}

const TLS_CODE = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|HOSTNAME_MISMATCH|ALTNAME/;
const LOGIN_REJECTION =
  /not authorized|could not load|permission denied|invalid|missing|claim|expired|not found|no handler|bound/i;

export function isTlsError(error: unknown): boolean {
  return error instanceof TransportError && TLS_CODE.test(error.code);
}

/** Transient: network errors, timeouts, 412, 429, 5xx except sealed, 501, and 500 login rejections. */
export function classifyFailure(error: unknown, phase: Phase): RetryDecision {
  if (isVaultError(error)) return { retryable: false };
  if (error instanceof TransportError) {
    if (isTlsError(error)) return { retryable: false };
    if (error.code === 'VAULT_REQUEST_ABORTED' || error.code === 'VAULT_RESPONSE_TOO_LARGE')
      return { retryable: false };
    return { retryable: true };
  }
  if (error instanceof VaultHttpError) {
    const { status } = error;
    const retryAfterMs = parseRetryAfter(error.headers['retry-after']);
    const withDelay = (d: RetryDecision) => (retryAfterMs === undefined ? d : { ...d, retryAfterMs });
    if (error.malformed && status >= 200 && status < 300) return { retryable: false };
    if (status === 412 || status === 429) return withDelay({ retryable: true });
    if (status === 503) return withDelay({ retryable: !/sealed/i.test(error.vaultMessage) });
    if (status === 501) return { retryable: false };
    if (status === 500 && phase === 'login' && LOGIN_REJECTION.test(error.vaultMessage))
      return { retryable: false };
    if (status >= 500) return withDelay({ retryable: true });
    return { retryable: false };
  }
  return { retryable: false };
}

/** Whether the failure is one `sys/health` can explain (sealed, uninitialized, standby). */
export function needsHealthExplanation(stop: RetryStop): boolean {
  const e = stop.lastError;
  return e instanceof VaultHttpError && e.status >= 500;
}

function quote(error: VaultHttpError, ctx: FailureContext): string {
  const text = redact(error.vaultMessage, ctx.sensitive);
  return text === '' ? `HTTP ${error.status}` : `HTTP ${error.status}: ${text}`;
}

function explainHealth(
  health: HealthInfo | undefined,
  ctx: FailureContext,
  stop: RetryStop,
): VaultError | undefined {
  const details = { attempts: stop.attempts, cause: undefined };
  const status = stop.lastError instanceof VaultHttpError ? stop.lastError.status : undefined;
  const sealedAnswer =
    stop.lastError instanceof VaultHttpError && /sealed/i.test(stop.lastError.vaultMessage);
  if (health?.initialized === false) {
    return new VaultConfigurationError(
      'VAULT_UNINITIALIZED',
      `Vault at ${ctx.address} is not initialized: run \`vault operator init\` or point VAULT_ADDR at an initialized cluster`,
      { ...details, status },
    );
  }
  if (health?.sealed === true || (health === undefined && sealedAnswer)) {
    return new VaultConfigurationError(
      'VAULT_SEALED',
      `Vault at ${ctx.address} is sealed: unseal it (or check auto-unseal) and restart`,
      { ...details, status },
    );
  }
  if (health?.standby === true && health.performance_standby !== true) {
    return new VaultConfigurationError(
      'VAULT_STANDBY',
      `Vault at ${ctx.address} is a standby node that could not serve the request: point VAULT_ADDR at the active node or the cluster's load balancer`,
      { ...details, status },
    );
  }
  return undefined;
}

function warnings(body: unknown): string[] {
  const list = (body as { warnings?: unknown } | null | undefined)?.warnings;
  return Array.isArray(list) ? list.filter((w): w is string => typeof w === 'string') : [];
}

function mapHttp(error: VaultHttpError, ctx: FailureContext, attempts: number): VaultError {
  const base = { status: error.status, path: error.path, attempts };
  const what = ctx.secretPath !== undefined ? `${ctx.mountPoint}/${ctx.secretPath}` : error.path;
  if (ctx.phase === 'login') {
    if (error.malformed) {
      return new VaultAuthenticationError(
        'VAULT_AUTH_RESPONSE_INVALID',
        `Vault's login answer was not valid JSON (HTTP ${error.status}): check VAULT_ADDR points at Vault, not a proxy page`,
        base,
      );
    }
    if (error.status === 404 || /no handler for route/i.test(error.vaultMessage)) {
      const setting = ctx.authMountSetting ?? 'the auth mount';
      return new VaultAuthenticationError(
        'VAULT_AUTH_MOUNT_NOT_FOUND',
        `Vault has no auth method at ${error.path.replace(/\/login$/, '')} (${quote(error, ctx)}): check ${setting}`,
        { ...base, ...(ctx.authMountSetting ? { setting: ctx.authMountSetting } : {}) },
      );
    }
    return new VaultAuthenticationError(
      'VAULT_LOGIN_REJECTED',
      `Vault rejected the login (${quote(error, ctx)}): check ${ctx.loginHint ?? 'the auth settings'}`,
      base,
    );
  }
  if (error.malformed) {
    return new VaultSecretError(
      'VAULT_RESPONSE_INVALID',
      `Vault's answer for ${what} was not valid JSON (HTTP ${error.status})`,
      base,
    );
  }
  if (error.status === 404) {
    if (/no handler for route/i.test(error.vaultMessage)) {
      return new VaultSecretError(
        'VAULT_SECRET_NOT_FOUND',
        `no secrets engine mounted at "${ctx.mountPoint}" (${quote(error, ctx)}): check VAULT_MOUNT_POINT`,
        { ...base, setting: 'VAULT_MOUNT_POINT' },
      );
    }
    // Vault answers a v1-style read on a KV v2 mount with a 404 and this warning.
    if (warnings(error.body).some((w) => /versioned K\/V/i.test(w))) {
      return new VaultSecretError(
        'VAULT_SECRET_NOT_FOUND',
        `no secret at ${what} (HTTP 404): "${ctx.mountPoint}" is a KV v2 mount read as KV v1: set VAULT_KV_VERSION=2 (or auto)`,
        { ...base, setting: 'VAULT_KV_VERSION' },
      );
    }
    return new VaultSecretError(
      'VAULT_SECRET_NOT_FOUND',
      `no secret at ${what} (HTTP 404): check VAULT_PATH and VAULT_MOUNT_POINT, that the secret exists and is not deleted, and that VAULT_KV_VERSION matches the mount`,
      { ...base, setting: 'VAULT_PATH' },
    );
  }
  if (error.status === 403) {
    return new VaultSecretError(
      'VAULT_ACCESS_DENIED',
      `access denied reading ${what} (${quote(error, ctx)}): check that the role's policy grants "read" on ${error.path.replace(/^\/v1\//, '')}`,
      base,
    );
  }
  return new VaultSecretError(
    'VAULT_RESPONSE_INVALID',
    `Vault refused reading ${what} (${quote(error, ctx)})`,
    base,
  );
}

/** The one error a failed phase ends with. `health` is the sys/health body when it was asked. */
export function mapFailure(stop: RetryStop, ctx: FailureContext, health?: HealthInfo): VaultError {
  const { lastError, attempts } = stop;
  if (isVaultError(lastError)) return lastError;
  const explained = needsHealthExplanation(stop) ? explainHealth(health, ctx, stop) : undefined;
  if (explained) return explained;

  if (isTlsError(lastError)) {
    const e = lastError as TransportError;
    return new VaultConfigurationError(
      'VAULT_TLS',
      `TLS handshake with ${ctx.address} failed (${e.code}): check VAULT_CACERT (or VAULT_SKIP_VERIFY for development only)`,
      { attempts },
    );
  }
  const describe = (e: unknown): string => {
    if (e instanceof VaultHttpError) return quote(e, ctx);
    if (e instanceof TransportError) return `${e.code}: ${redact(e.message, ctx.sensitive)}`;
    return 'no answer';
  };
  const step =
    ctx.phase === 'login' ? 'logging in to' : `reading ${ctx.mountPoint}/${ctx.secretPath ?? ''} from`;
  const status = lastError instanceof VaultHttpError ? lastError.status : undefined;
  if (stop.reason === 'deadline') {
    return new VaultSecretError(
      'VAULT_DEADLINE_EXCEEDED',
      `gave up ${step} ${ctx.address} after ${attempts} attempt(s): the start-up budget (VAULT_STARTUP_TIMEOUT) ran out (last: ${describe(lastError)})`,
      { attempts, setting: 'VAULT_STARTUP_TIMEOUT', ...(status ? { status } : {}) },
    );
  }
  if (stop.reason === 'exhausted') {
    return new VaultSecretError(
      'VAULT_RETRIES_EXHAUSTED',
      `gave up ${step} ${ctx.address} after ${attempts} attempts (last: ${describe(lastError)}): check VAULT_ADDR, the network and Vault's health; VAULT_MAX_RETRIES sets the retries`,
      { attempts, setting: 'VAULT_MAX_RETRIES', ...(status ? { status } : {}) },
    );
  }
  if (lastError instanceof VaultHttpError) return mapHttp(lastError, ctx, attempts);
  if (lastError instanceof TransportError) {
    return new VaultSecretError(
      'VAULT_RESPONSE_INVALID',
      `${step} ${ctx.address} failed (${describe(lastError)})`,
      {
        attempts,
      },
    );
  }
  const name = lastError instanceof Error ? lastError.name : typeof lastError;
  return new VaultSecretError(
    'VAULT_RESPONSE_INVALID',
    `${step} ${ctx.address} failed unexpectedly (${name})`,
    {
      attempts,
    },
  );
}
