/**
 * mapFailure: the one error each failed phase ends with — class, code, setting, status and the exact
 * message — for every branch. The Vault answers it interprets cite their source.
 */
import { describe, expect, it } from 'vitest';
import { mapFailure, needsHealthExplanation, type FailureContext } from '../src/http/error-mapping';
import { VaultSecretError } from '../src/errors';
import { VaultHttpError } from '../src/http/http-error';
import { RetryStop } from '../src/http/retry';
import { TransportError } from '../src/http/transport';

const A = 'http://vault:8200';
const read: FailureContext = {
  phase: 'read',
  address: A,
  mountPoint: 'kv',
  secretPath: 'ACME/APP',
  sensitive: ['s3cr3t-id'],
};
const login: FailureContext = {
  phase: 'login',
  address: A,
  loginHint: 'VAULT_ROLE',
  authMountSetting: 'VAULT_K8S_AUTH_MOUNT_POINT',
  sensitive: ['s3cr3t-id'],
};
const http = (
  status: number,
  message = '',
  body: unknown = { errors: message ? [message] : [] },
  malformed = false,
) =>
  new VaultHttpError(
    status,
    message ? [message] : [],
    {},
    status === 404 && !message ? '/v1/kv/ACME/APP' : '/v1/auth/k8s/login',
    body,
    malformed,
  );
const fatal = (e: unknown, attempts = 1) => new RetryStop('fatal', e, attempts);

describe('login failures', () => {
  it('a rejection quotes Vault (scrubbed) in the message, the status only in the status message', () => {
    // vault: kubernetes-login-unbound
    const e = mapFailure(fatal(http(403, 'service account name not authorized for s3cr3t-id')), login);
    expect(e).toMatchObject({
      name: 'VaultAuthenticationError',
      code: 'VAULT_LOGIN_REJECTED',
      status: 403,
      path: '/v1/auth/k8s/login',
      attempts: 1,
      message:
        'Vault rejected the login (HTTP 403: service account name not authorized for [redacted]): check VAULT_ROLE',
      statusMessage: 'Vault rejected the login (HTTP 403): check VAULT_ROLE',
    });
  });

  it('an empty answer says only the status; no hint falls back to the auth settings', () => {
    const e = mapFailure(fatal(http(400)), { ...login, loginHint: undefined });
    expect(e.message).toBe('Vault rejected the login (HTTP 400): check the auth settings');
  });

  it('a missing auth mount (404 or "no handler for route") names the mount setting', () => {
    // vault: no-handler-404
    const e = mapFailure(
      fatal(http(404, 'no handler for route "auth/k8s/login". route entry not found.')),
      login,
    );
    expect(e).toMatchObject({
      code: 'VAULT_AUTH_MOUNT_NOT_FOUND',
      setting: 'VAULT_K8S_AUTH_MOUNT_POINT',
      statusMessage: 'Vault has no auth method at /v1/auth/k8s (HTTP 404): check VAULT_K8S_AUTH_MOUNT_POINT',
    });
    const noSetting = mapFailure(fatal(http(400, 'no handler for route "x"')), {
      ...login,
      authMountSetting: undefined,
    });
    expect(noSetting.statusMessage).toBe(
      'Vault has no auth method at /v1/auth/k8s (HTTP 400): check the auth mount',
    );
    expect(noSetting.setting).toBeUndefined();
  });

  it('a login answer that is not JSON points at a proxy page', () => {
    const e = mapFailure(fatal(http(200, '', undefined, true)), login);
    expect(e).toMatchObject({
      name: 'VaultAuthenticationError',
      code: 'VAULT_AUTH_RESPONSE_INVALID',
      message:
        "Vault's login answer was not valid JSON (HTTP 200): check VAULT_ADDR points at Vault, not a proxy page",
    });
  });
});

describe('read failures', () => {
  it('404: no secret, what to check', () => {
    // vault: read-missing-404
    const e = mapFailure(
      fatal(new VaultHttpError(404, [], {}, '/v1/kv/data/ACME/APP', { errors: [] })),
      read,
    );
    expect(e).toMatchObject({
      name: 'VaultSecretError',
      code: 'VAULT_SECRET_NOT_FOUND',
      setting: 'VAULT_PATH',
      status: 404,
      path: '/v1/kv/data/ACME/APP',
      message:
        'no secret at kv/ACME/APP (HTTP 404): check VAULT_PATH and VAULT_MOUNT_POINT, that the secret exists and is not deleted, and that VAULT_KV_VERSION matches the mount',
    });
  });

  it('404 with a pinned version names the version first', () => {
    const e = mapFailure(fatal(new VaultHttpError(404, [], {}, '/v1/kv/data/A', null)), {
      ...read,
      secretVersion: 4,
    });
    expect(e).toMatchObject({
      setting: 'VAULT_SECRET_VERSION',
      message:
        'no secret at kv/ACME/APP (version 4 pinned by VAULT_SECRET_VERSION) (HTTP 404): check that version exists and is not deleted or destroyed, or unset VAULT_SECRET_VERSION; then VAULT_PATH and VAULT_MOUNT_POINT',
    });
  });

  it('404 with the KV v2 warning: a v2 mount read as v1', () => {
    const body = { warnings: [7, 'Invalid path for a versioned K/V secrets engine. See the API docs...'] };
    const e = mapFailure(fatal(new VaultHttpError(404, [], {}, '/v1/kv/ACME/APP', body)), read);
    expect(e).toMatchObject({
      setting: 'VAULT_KV_VERSION',
      message:
        'no secret at kv/ACME/APP (HTTP 404): "kv" is a KV v2 mount read as KV v1: set VAULT_KV_VERSION=2 (or auto)',
    });
    const otherWarnings = mapFailure(
      fatal(new VaultHttpError(404, [], {}, '/v1/kv/ACME/APP', { warnings: 'not a list' })),
      read,
    );
    expect(otherWarnings.setting).toBe('VAULT_PATH');
  });

  it('404 "no handler for route": no engine at the mount', () => {
    const e = mapFailure(
      fatal(new VaultHttpError(404, ['no handler for route "kvx/data/A"'], {}, '/v1/kvx/data/A', null)),
      {
        ...read,
        mountPoint: 'kvx',
      },
    );
    expect(e).toMatchObject({
      setting: 'VAULT_MOUNT_POINT',
      statusMessage: 'no secrets engine mounted at "kvx" (HTTP 404): check VAULT_MOUNT_POINT',
    });
  });

  it('403: either the path is wrong or the policy lacks read, naming the API path', () => {
    // vault: permission-denied
    const e = mapFailure(
      fatal(new VaultHttpError(403, ['permission denied'], {}, '/v1/kv/data/ACME/APP', null)),
      read,
    );
    expect(e).toMatchObject({
      code: 'VAULT_ACCESS_DENIED',
      statusMessage:
        'access denied reading kv/ACME/APP (HTTP 403): either the path is wrong (check VAULT_PATH, VAULT_MOUNT_POINT, VAULT_KV_VERSION and VAULT_KEY_PREFIX; Vault answers 403, not 404, where the policy does not reach) or the role\'s policy lacks "read" on kv/data/ACME/APP',
    });
    expect(e.message).toContain('(HTTP 403: permission denied)');
  });

  it('a read answer that is not JSON, and any other status', () => {
    expect(
      mapFailure(fatal(new VaultHttpError(200, [], {}, '/v1/kv/data/A', undefined, true)), read).message,
    ).toBe("Vault's answer for kv/ACME/APP was not valid JSON (HTTP 200)");
    const odd = mapFailure(fatal(new VaultHttpError(400, ['bad'], {}, '/v1/kv/data/A', null)), {
      ...read,
      secretPath: undefined,
    });
    expect(odd).toMatchObject({
      code: 'VAULT_REQUEST_REFUSED',
      statusMessage: 'Vault refused reading /v1/kv/data/A (HTTP 400)',
    });
  });
});

describe('after the retries', () => {
  it('exhausted: attempts, the last failure, the setting to raise', () => {
    const e = mapFailure(
      new RetryStop('exhausted', new VaultHttpError(502, ['bad gateway'], {}, '/v1/x', null), 4),
      read,
    );
    expect(e).toMatchObject({
      code: 'VAULT_RETRIES_EXHAUSTED',
      setting: 'VAULT_MAX_RETRIES',
      status: 502,
      attempts: 4,
      message:
        "gave up reading kv/ACME/APP from http://vault:8200 after 4 attempts (last: HTTP 502: bad gateway): check VAULT_ADDR, the network and Vault's health; VAULT_MAX_RETRIES sets the retries",
      statusMessage:
        "gave up reading kv/ACME/APP from http://vault:8200 after 4 attempts (last: HTTP 502): check VAULT_ADDR, the network and Vault's health; VAULT_MAX_RETRIES sets the retries",
    });
    const net = mapFailure(
      new RetryStop('exhausted', new TransportError('ECONNREFUSED', 'connect ECONNREFUSED s3cr3t-id'), 2),
      login,
    );
    expect(net.message).toBe(
      "gave up logging in to http://vault:8200 after 2 attempts (last: ECONNREFUSED: connect ECONNREFUSED [redacted]): check VAULT_ADDR, the network and Vault's health; VAULT_MAX_RETRIES sets the retries",
    );
    expect(net.status).toBeUndefined();
  });

  it('deadline: why, with the numbers', () => {
    const at = (detail: { leftMs: number; retryAfterMs?: number }, last: unknown = undefined) =>
      mapFailure(new RetryStop('deadline', last, 3, detail), read).message;
    expect(at({ leftMs: 1234, retryAfterMs: 30_000 })).toBe(
      'gave up reading kv/ACME/APP from http://vault:8200 after 3 attempt(s): Vault asked to wait 30 s (Retry-After), longer than the 1.2 s left of the start-up budget (VAULT_STARTUP_TIMEOUT) (last: no answer)',
    );
    expect(at({ leftMs: 90 })).toContain(
      ': 90 ms of the start-up budget (VAULT_STARTUP_TIMEOUT) was left, too little for another attempt (last: no answer)',
    );
    expect(at({ leftMs: 0 })).toContain(
      ': the start-up budget (VAULT_STARTUP_TIMEOUT) was spent (last: no answer)',
    );
    const e = mapFailure(
      new RetryStop('deadline', new VaultHttpError(503, ['busy'], {}, '/v1/x', null), 2, { leftMs: 0 }),
      read,
    );
    expect(e).toMatchObject({
      code: 'VAULT_DEADLINE_EXCEEDED',
      setting: 'VAULT_STARTUP_TIMEOUT',
      status: 503,
    });
    expect(e.statusMessage).toContain('(last: HTTP 503)');
  });
});

describe('sys/health explains a 5xx', () => {
  const sealed = (health?: object, message = '') =>
    mapFailure(
      new RetryStop('exhausted', new VaultHttpError(503, message ? [message] : [], {}, '/v1/x', null), 3),
      read,
      health,
    );

  it('uninitialized, sealed, standby; a performance standby or an active node explains nothing', () => {
    // vault: health-codes, sealed-503
    expect(sealed({ initialized: false })).toMatchObject({
      name: 'VaultConfigurationError',
      code: 'VAULT_UNINITIALIZED',
      status: 503,
      attempts: 3,
      message:
        'Vault at http://vault:8200 is not initialized: run `vault operator init` or point VAULT_ADDR at an initialized cluster',
    });
    expect(sealed({ initialized: true, sealed: true })).toMatchObject({
      code: 'VAULT_SEALED',
      message: 'Vault at http://vault:8200 is sealed: unseal it (or check auto-unseal) and restart',
    });
    expect(sealed(undefined, 'Vault is sealed').code).toBe('VAULT_SEALED');
    expect(sealed(undefined, 'busy').code).toBe('VAULT_RETRIES_EXHAUSTED');
    expect(sealed({ initialized: true, sealed: false, standby: true })).toMatchObject({
      code: 'VAULT_STANDBY',
      message:
        "Vault at http://vault:8200 is a standby node that could not serve the request: point VAULT_ADDR at the active node or the cluster's load balancer",
    });
    expect(sealed({ standby: true, performance_standby: true }).code).toBe('VAULT_RETRIES_EXHAUSTED');
    expect(sealed({ initialized: true, sealed: false, standby: false }).code).toBe('VAULT_RETRIES_EXHAUSTED');
  });

  it('is asked only after a 5xx', () => {
    expect(
      needsHealthExplanation(new RetryStop('fatal', new VaultHttpError(500, [], {}, '/v1/x', null), 1)),
    ).toBe(true);
    expect(
      needsHealthExplanation(new RetryStop('fatal', new VaultHttpError(499, [], {}, '/v1/x', null), 1)),
    ).toBe(false);
    expect(needsHealthExplanation(new RetryStop('fatal', new TransportError('ECONNRESET', 'x'), 1))).toBe(
      false,
    );
    expect(
      mapFailure(fatal(new VaultHttpError(404, [], {}, '/v1/x', null)), read, { initialized: false }).code,
    ).toBe('VAULT_SECRET_NOT_FOUND');
  });
});

describe('transport and everything else', () => {
  it('TLS and a redirect to http are configuration errors', () => {
    expect(mapFailure(fatal(new TransportError('DEPTH_ZERO_SELF_SIGNED_CERT', 'x')), read)).toMatchObject({
      name: 'VaultConfigurationError',
      code: 'VAULT_TLS',
      message:
        'TLS handshake with http://vault:8200 failed (DEPTH_ZERO_SELF_SIGNED_CERT): check VAULT_CACERT or VAULT_CAPATH, VAULT_TLS_SERVER_NAME (or VAULT_SKIP_VERIFY for development only)',
    });
    expect(mapFailure(fatal(new TransportError('VAULT_REDIRECT_DOWNGRADE', 'x'), 2), read)).toMatchObject({
      code: 'VAULT_TLS',
      setting: 'VAULT_ADDR',
      attempts: 2,
      message:
        'Vault at http://vault:8200 redirected an https request to http (a protocol downgrade, refused): point VAULT_ADDR at the active node or fix its api_addr',
    });
  });

  it('407 names the proxy variable for the scheme; a second redirect names VAULT_ADDR', () => {
    const proxy = (address: string) =>
      mapFailure(fatal(new VaultHttpError(407, [], {}, '/v1/x', null)), { ...read, address });
    expect(proxy('https://vault')).toMatchObject({
      code: 'VAULT_UNREACHABLE',
      setting: 'HTTPS_PROXY',
      status: 407,
      message:
        'the proxy in HTTPS_PROXY refused to forward to https://vault (HTTP 407 Proxy Authentication Required): check the credentials in HTTPS_PROXY, or NO_PROXY',
    });
    expect(proxy('http://vault').setting).toBe('HTTP_PROXY');
    for (const status of [301, 307, 399]) {
      expect(mapFailure(fatal(new VaultHttpError(status, [], {}, '/v1/x', null)), read)).toMatchObject({
        code: 'VAULT_STANDBY',
        setting: 'VAULT_ADDR',
        status,
        message: `Vault at http://vault:8200 answered HTTP ${status} again after one redirect was followed: point VAULT_ADDR at the active node or the cluster's load balancer`,
      });
    }
    expect(mapFailure(fatal(new VaultHttpError(400, [], {}, '/v1/x', null)), read).code).toBe(
      'VAULT_REQUEST_REFUSED',
    );
  });

  it('other transport errors and unknown failures say what step failed', () => {
    expect(mapFailure(fatal(new TransportError('ECONNRESET', 'socket hang up')), read).message).toBe(
      'reading kv/ACME/APP from http://vault:8200 failed (ECONNRESET: socket hang up)',
    );
    expect(mapFailure(fatal(new RangeError('x')), login).message).toBe(
      'logging in to http://vault:8200 failed unexpectedly (RangeError)',
    );
    expect(mapFailure(fatal('text'), { ...read, secretPath: undefined }).message).toBe(
      'reading kv/ from http://vault:8200 failed unexpectedly (string)',
    );
  });

  it('our own error passes through unchanged', () => {
    const ours = new VaultSecretError('VAULT_INVALID_KEY', 'x');
    expect(mapFailure(fatal(ours), read)).toBe(ours);
  });
});
