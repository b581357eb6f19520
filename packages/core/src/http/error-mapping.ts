/**
 * Turns a failed Vault exchange into one typed, actionable, secret-free VaultError, and decides which
 * failures are transient. `sys/health` is asked only here, only after a 5xx, to explain it.
 *
 * Longer than one file usually is: each branch is one documented failure (the README's error
 * table), with the message that says what to check, and they read best side by side.
 */
import {
  VaultAuthenticationError,
  VaultConfigurationError,
  VaultError,
  VaultSecretError,
  isVaultError,
} from '../errors';
import { VaultHttpError } from './http-error';
import { redact } from './redact';
import { RetryStop, parseRateLimitReset, parseRetryAfter, type RetryDecision } from './retry';
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
  /** VAULT_SECRET_VERSION when one is pinned: named in every failure it could explain. */
  secretVersion?: number | null;
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

/** Transient: network errors, timeouts, 412, 429, 5xx (sealed and standby too) except 501 and 500 login rejections. */
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
    // A 429 without Retry-After may still say when the quota refills; with neither (Vault's
    // default: its rate-limit headers are opt-in) it means "within the quota's interval", as "0" does.
    const retryAfterMs =
      parseRetryAfter(error.headers['retry-after']) ??
      (status === 429 ? (parseRateLimitReset(error.headers['x-ratelimit-reset']) ?? 0) : undefined);
    const withDelay = (d: RetryDecision) => (retryAfterMs === undefined ? d : { ...d, retryAfterMs });
    if (error.malformed && status >= 200 && status < 300) return { retryable: false };
    if (status === 429) return withDelay({ retryable: true, quota: true });
    if (status === 412) return withDelay({ retryable: true });
    // Sealed or standby answers too: a restarting Vault unseals within the start-up budget.
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

/**
 * A message built twice: quoting Vault's text (the error, the log line) and with the status code
 * only (`statusMessage`, what status surfaces and health bodies show).
 */
function twice(
  error: VaultHttpError,
  ctx: FailureContext,
  build: (said: string) => string,
): { message: string; statusMessage: string } {
  return { message: build(quote(error, ctx)), statusMessage: build(`HTTP ${error.status}`) };
}

function pinned(ctx: FailureContext): string {
  return ctx.secretVersion ? ` (version ${ctx.secretVersion} pinned by VAULT_SECRET_VERSION)` : '';
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
  const say = (build: (said: string) => string) => twice(error, ctx, build);
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
      const text = say(
        (said) =>
          `Vault has no auth method at ${error.path.replace(/\/login$/, '')} (${said}): check ${setting}`,
      );
      return new VaultAuthenticationError('VAULT_AUTH_MOUNT_NOT_FOUND', text.message, {
        ...base,
        statusMessage: text.statusMessage,
        ...(ctx.authMountSetting ? { setting: ctx.authMountSetting } : {}),
      });
    }
    const text = say(
      (said) => `Vault rejected the login (${said}): check ${ctx.loginHint ?? 'the auth settings'}`,
    );
    return new VaultAuthenticationError('VAULT_LOGIN_REJECTED', text.message, {
      ...base,
      statusMessage: text.statusMessage,
    });
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
      const text = say(
        (said) => `no secrets engine mounted at "${ctx.mountPoint}" (${said}): check VAULT_MOUNT_POINT`,
      );
      return new VaultSecretError('VAULT_SECRET_NOT_FOUND', text.message, {
        ...base,
        statusMessage: text.statusMessage,
        setting: 'VAULT_MOUNT_POINT',
      });
    }
    // Vault answers a v1-style read on a KV v2 mount with a 404 and this warning.
    if (warnings(error.body).some((w) => /versioned K\/V/i.test(w))) {
      return new VaultSecretError(
        'VAULT_SECRET_NOT_FOUND',
        `no secret at ${what} (HTTP 404): "${ctx.mountPoint}" is a KV v2 mount read as KV v1: set VAULT_KV_VERSION=2 (or auto)`,
        { ...base, setting: 'VAULT_KV_VERSION' },
      );
    }
    if (ctx.secretVersion) {
      return new VaultSecretError(
        'VAULT_SECRET_NOT_FOUND',
        `no secret at ${what}${pinned(ctx)} (HTTP 404): check that version exists and is not deleted or destroyed, or unset VAULT_SECRET_VERSION; then VAULT_PATH and VAULT_MOUNT_POINT`,
        { ...base, setting: 'VAULT_SECRET_VERSION' },
      );
    }
    return new VaultSecretError(
      'VAULT_SECRET_NOT_FOUND',
      `no secret at ${what} (HTTP 404): check VAULT_PATH and VAULT_MOUNT_POINT, that the secret exists and is not deleted, and that VAULT_KV_VERSION matches the mount`,
      { ...base, setting: 'VAULT_PATH' },
    );
  }
  if (error.status === 403) {
    // Vault answers 403, not 404, for any path the policy does not cover: a typo looks like this too.
    const apiPath = error.path.replace(/^\/v1\//, '');
    const text = say(
      (said) =>
        `access denied reading ${what}${pinned(ctx)} (${said}): either the path is wrong (check VAULT_PATH, VAULT_MOUNT_POINT, VAULT_KV_VERSION and VAULT_KEY_PREFIX; Vault answers 403, not 404, where the policy does not reach) or the role's policy lacks "read" on ${apiPath}`,
    );
    return new VaultSecretError('VAULT_ACCESS_DENIED', text.message, {
      ...base,
      statusMessage: text.statusMessage,
    });
  }
  const text = say((said) => `Vault refused reading ${what}${pinned(ctx)} (${said})`);
  return new VaultSecretError('VAULT_REQUEST_REFUSED', text.message, {
    ...base,
    statusMessage: text.statusMessage,
  });
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

/** Why retrying stopped at the deadline, with the numbers: never "ran out" when it had not. */
function deadlineReason(stop: RetryStop): string {
  const detail = stop.deadline;
  if (detail?.retryAfterMs !== undefined) {
    return `Vault asked to wait ${seconds(detail.retryAfterMs)} (Retry-After), longer than the ${seconds(detail.leftMs)} left of the start-up budget (VAULT_STARTUP_TIMEOUT)`;
  }
  if (detail && detail.leftMs > 0) {
    return `${detail.leftMs} ms of the start-up budget (VAULT_STARTUP_TIMEOUT) was left, too little for another attempt`;
  }
  return 'the start-up budget (VAULT_STARTUP_TIMEOUT) was spent';
}

/** The one error a failed phase ends with. `health` is the sys/health body when it was asked. */
export function mapFailure(stop: RetryStop, ctx: FailureContext, health?: HealthInfo): VaultError {
  const { lastError, attempts } = stop;
  if (isVaultError(lastError)) return lastError;
  const explained = needsHealthExplanation(stop) ? explainHealth(health, ctx, stop) : undefined;
  if (explained) return explained;

  if (lastError instanceof TransportError && lastError.code === 'VAULT_REDIRECT_DOWNGRADE') {
    return new VaultConfigurationError(
      'VAULT_TLS',
      `Vault at ${ctx.address} redirected an https request to http (a protocol downgrade, refused): point VAULT_ADDR at the active node or fix its api_addr`,
      { attempts, setting: 'VAULT_ADDR' },
    );
  }
  if (isTlsError(lastError)) {
    const e = lastError as TransportError;
    return new VaultConfigurationError(
      'VAULT_TLS',
      `TLS handshake with ${ctx.address} failed (${e.code}): check VAULT_CACERT or VAULT_CAPATH, VAULT_TLS_SERVER_NAME (or VAULT_SKIP_VERIFY for development only)`,
      { attempts },
    );
  }
  const describe = (e: unknown, forStatus = false): string => {
    if (e instanceof VaultHttpError) return forStatus ? `HTTP ${e.status}` : quote(e, ctx);
    if (e instanceof TransportError) return `${e.code}: ${redact(e.message, ctx.sensitive)}`;
    return 'no answer';
  };
  const step =
    ctx.phase === 'login' ? 'logging in to' : `reading ${ctx.mountPoint}/${ctx.secretPath ?? ''} from`;
  const status = lastError instanceof VaultHttpError ? lastError.status : undefined;
  if (stop.reason === 'deadline') {
    const build = (last: string) =>
      `gave up ${step} ${ctx.address} after ${attempts} attempt(s): ${deadlineReason(stop)} (last: ${last})`;
    return new VaultSecretError('VAULT_DEADLINE_EXCEEDED', build(describe(lastError)), {
      attempts,
      setting: 'VAULT_STARTUP_TIMEOUT',
      statusMessage: build(describe(lastError, true)),
      ...(status ? { status } : {}),
    });
  }
  if (stop.reason === 'exhausted') {
    const build = (last: string) =>
      `gave up ${step} ${ctx.address} after ${attempts} attempts (last: ${last}): check VAULT_ADDR, the network and Vault's health; VAULT_MAX_RETRIES sets the retries`;
    return new VaultSecretError('VAULT_RETRIES_EXHAUSTED', build(describe(lastError)), {
      attempts,
      setting: 'VAULT_MAX_RETRIES',
      statusMessage: build(describe(lastError, true)),
      ...(status ? { status } : {}),
    });
  }
  if (lastError instanceof VaultHttpError && lastError.status === 407) {
    const setting = ctx.address.startsWith('https:') ? 'HTTPS_PROXY' : 'HTTP_PROXY';
    return new VaultConfigurationError(
      'VAULT_UNREACHABLE',
      `the proxy in ${setting} refused to forward to ${ctx.address} (HTTP 407 Proxy Authentication Required): check the credentials in ${setting}, or NO_PROXY`,
      { attempts, status: 407, setting },
    );
  }
  if (lastError instanceof VaultHttpError && lastError.status >= 300 && lastError.status < 400) {
    return new VaultConfigurationError(
      'VAULT_STANDBY',
      `Vault at ${ctx.address} answered HTTP ${lastError.status} again after one redirect was followed: point VAULT_ADDR at the active node or the cluster's load balancer`,
      { attempts, status: lastError.status, setting: 'VAULT_ADDR' },
    );
  }
  if (lastError instanceof VaultHttpError) return mapHttp(lastError, ctx, attempts);
  if (lastError instanceof TransportError) {
    const code =
      lastError.code === 'VAULT_RESPONSE_TOO_LARGE' ? 'VAULT_RESPONSE_TOO_LARGE' : 'VAULT_REQUEST_ABORTED';
    return new VaultSecretError(code, `${step} ${ctx.address} failed (${describe(lastError)})`, { attempts });
  }
  const name = lastError instanceof Error ? lastError.name : typeof lastError;
  return new VaultSecretError('VAULT_UNEXPECTED', `${step} ${ctx.address} failed unexpectedly (${name})`, {
    attempts,
  });
}
