import { describe, expect, it } from 'vitest';
import { mapFailure } from '../src/http/error-mapping';
import { VaultAuthenticationError, VaultConfigurationError, VaultSecretError } from '../src/errors';
import { VaultHttpError } from '../src/http/http-error';
import { createLogger, describeKeys } from '../src/logger';
import { redact } from '../src/http/redact';
import { RetryStop } from '../src/http/retry';
import { TransportError } from '../src/http/transport';

describe('logger', () => {
  it('shows key names whole (names are not secrets), capped at a count', () => {
    expect(describeKeys(['LOG_LEVEL', 'JWT_SECRET', 'DB_PASSWORD'])).toBe(
      'LOG_LEVEL, JWT_SECRET, DB_PASSWORD',
    );
    expect(describeKeys(['A', 'B', 'C'], 2)).toBe('A, B, … (1 more)');
  });

  it('drives console-like, Nest-like (log) and pino-like (this-bound) loggers', () => {
    const lines: string[] = [];
    const nestLike = {
      log: (m: string) => lines.push(`log:${m}`),
      warn: (m: string) => lines.push(`warn:${m}`),
      error: () => 0,
    };
    createLogger(nestLike).info('hello');
    class PinoLike {
      prefix = 'pino';
      info(m: string) {
        lines.push(`${this.prefix}:${m}`);
      }
      warn() {}
      error() {}
    }
    createLogger(new PinoLike()).info('hi');
    createLogger(false).error('silent');
    expect(lines).toEqual(['log:[vault-config] hello', 'pino:[vault-config] hi']);
  });
});

describe('redact', () => {
  it('removes known credentials, JWT-shaped and token-shaped strings', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW0ifQ.c2lnbmF0dXJl';
    const out = redact(`bad jwt ${jwt} token hvs.CAESIabcdefghijklmnop and my-secret-id`, ['my-secret-id']);
    expect(out).not.toContain(jwt);
    expect(out).not.toContain('hvs.CAESI');
    expect(out).not.toContain('my-secret-id');
  });
});

describe('mapFailure', () => {
  const ctx = { address: 'http://vault:8200', mountPoint: 'kv', sensitive: ['CANARY-JWT'] };
  const http = (status: number, message: string) =>
    new VaultHttpError(status, [message], {}, '/v1/kv/data/A', { errors: [message] });

  it('maps login rejections, missing mounts and bad answers to VaultAuthenticationError', () => {
    const rejected = mapFailure(new RetryStop('fatal', http(403, 'permission denied CANARY-JWT'), 1), {
      ...ctx,
      phase: 'login',
      loginHint: 'VAULT_ROLE',
    });
    expect(rejected).toBeInstanceOf(VaultAuthenticationError);
    expect(rejected.code).toBe('VAULT_LOGIN_REJECTED');
    expect(rejected.message).toContain('VAULT_ROLE');
    expect(rejected.message).not.toContain('CANARY-JWT');
    const noMount = mapFailure(new RetryStop('fatal', http(400, 'no handler for route "auth/x/login"'), 1), {
      ...ctx,
      phase: 'login',
      authMountSetting: 'VAULT_K8S_AUTH_MOUNT_POINT',
    });
    expect(noMount.code).toBe('VAULT_AUTH_MOUNT_NOT_FOUND');
    expect(noMount.setting).toBe('VAULT_K8S_AUTH_MOUNT_POINT');
  });

  it('maps 404, 403, exhausted and deadline reads to VaultSecretError', () => {
    const read = { ...ctx, phase: 'read' as const, secretPath: 'A' };
    expect(mapFailure(new RetryStop('fatal', http(404, ''), 1), read).code).toBe('VAULT_SECRET_NOT_FOUND');
    expect(mapFailure(new RetryStop('fatal', http(403, 'permission denied'), 1), read).code).toBe(
      'VAULT_ACCESS_DENIED',
    );
    const exhausted = mapFailure(new RetryStop('exhausted', http(502, 'bad gateway'), 4), read);
    expect(exhausted).toBeInstanceOf(VaultSecretError);
    expect([exhausted.code, exhausted.attempts]).toEqual(['VAULT_RETRIES_EXHAUSTED', 4]);
    const late = mapFailure(
      new RetryStop('deadline', new TransportError('VAULT_REQUEST_TIMEOUT', 'slow'), 2),
      read,
    );
    expect([late.code, late.setting]).toEqual(['VAULT_DEADLINE_EXCEEDED', 'VAULT_STARTUP_TIMEOUT']);
  });

  it('uses the sys/health answer to explain a 5xx', () => {
    const read = { ...ctx, phase: 'read' as const, secretPath: 'A' };
    const stop = new RetryStop('exhausted', http(500, 'internal'), 4);
    const sealed = mapFailure(stop, read, { initialized: true, sealed: true });
    expect(sealed).toBeInstanceOf(VaultConfigurationError);
    expect(sealed.code).toBe('VAULT_SEALED');
    expect(mapFailure(stop, read, { initialized: false, sealed: true }).code).toBe('VAULT_UNINITIALIZED');
    expect(mapFailure(stop, read, { initialized: true, sealed: false, standby: true }).code).toBe(
      'VAULT_STANDBY',
    );
    expect(mapFailure(stop, read, { initialized: true, sealed: false }).code).toBe('VAULT_RETRIES_EXHAUSTED');
  });

  it('maps certificate failures to VAULT_TLS', () => {
    const e = mapFailure(new RetryStop('fatal', new TransportError('SELF_SIGNED_CERT_IN_CHAIN', 'x'), 1), {
      ...ctx,
      phase: 'login',
    });
    expect([e.name, e.code]).toEqual(['VaultConfigurationError', 'VAULT_TLS']);
  });
});

describe('mapFailure: redirects and proxies', () => {
  const ctx = { phase: 'login' as const, address: 'https://vault:8200', sensitive: [] };
  const stop = (status: number) =>
    new RetryStop('fatal', new VaultHttpError(status, [], {}, '/v1/auth/k8s/login', undefined), 1);

  it('a redirect left after the one followed names VAULT_ADDR, not the login settings', () => {
    const e = mapFailure(stop(307), ctx);
    expect(e).toBeInstanceOf(VaultConfigurationError);
    expect({ code: e.code, setting: e.setting }).toEqual({ code: 'VAULT_STANDBY', setting: 'VAULT_ADDR' });
  });

  it('a 407 from the proxy names the proxy variable', () => {
    const e = mapFailure(stop(407), ctx);
    expect({ code: e.code, setting: e.setting }).toEqual({
      code: 'VAULT_UNREACHABLE',
      setting: 'HTTPS_PROXY',
    });
  });
});
