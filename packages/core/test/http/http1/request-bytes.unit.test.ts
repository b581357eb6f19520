/**
 * The bytes of a request on a direct connection: what goes on the wire, and the header names and
 * values refused as node:http refuses them (ERR_INVALID_HTTP_TOKEN, ERR_INVALID_CHAR), naming the
 * header but never its value.
 */
import { describe, expect, it } from 'vitest';
import type { Endpoint } from '../../../src/http/http1/connect';
import { requestBytes } from '../../../src/http/http1/request-bytes';

const at = (host: string, port: number, secure = false): Endpoint => ({
  secure,
  host,
  port,
  tls: { rejectUnauthorized: true },
});

describe('requestBytes', () => {
  it('request line, host with its port, the headers as given, keep-alive, then the body', () => {
    const body = Buffer.from('{"role":"r"}');
    const bytes = requestBytes({
      endpoint: at('127.0.0.1', 8200),
      method: 'POST',
      path: '/v1/auth/k/login?x=1',
      headers: { 'X-Vault-Token': 'tok', 'content-length': String(body.length) },
      body,
    });
    expect(bytes.toString('latin1')).toBe(
      'POST /v1/auth/k/login?x=1 HTTP/1.1\r\nhost: 127.0.0.1:8200\r\nX-Vault-Token: tok\r\n' +
        'content-length: 12\r\nconnection: keep-alive\r\n\r\n{"role":"r"}',
    );
  });

  it.each([
    ['http on 80: no port', at('vault.example', 80), 'vault.example'],
    ['https on 443: no port', at('vault.example', 443, true), 'vault.example'],
    ['https on 80: the port', at('vault.example', 80, true), 'vault.example:80'],
    ['an IPv6 address in brackets', at('::1', 8200), '[::1]:8200'],
  ])('host header: %s', (_name, endpoint, host) => {
    const text = requestBytes({ endpoint, method: 'GET', path: '/', headers: {} }).toString('latin1');
    expect(text.split('\r\n')[1]).toBe(`host: ${host}`);
  });

  it.each([
    ['a line break in a value', { 'X-Vault-Token': 'CANARY\r\nx-injected: 1' }, 'ERR_INVALID_CHAR'],
    ['a NUL in a value', { 'X-Vault-Token': 'CANARY\u0000' }, 'ERR_INVALID_CHAR'],
    ['a character past latin1', { 'X-Vault-Token': 'CANARY\u20ac' }, 'ERR_INVALID_CHAR'],
    ['a space in a name', { 'X-Vault Token': 'CANARY' }, 'ERR_INVALID_HTTP_TOKEN'],
    ['a colon in a name', { 'x:y': 'CANARY' }, 'ERR_INVALID_HTTP_TOKEN'],
  ])('refused: %s, naming the header and not the value', (_name, headers, code) => {
    const name = Object.keys(headers)[0] as string;
    let error: (Error & { code?: string }) | undefined;
    try {
      requestBytes({ endpoint: at('127.0.0.1', 8200), method: 'GET', path: '/', headers });
    } catch (e) {
      error = e as Error & { code?: string };
    }
    expect(error?.code).toBe(code);
    expect(error?.message).toContain(`["${name}"]`);
    expect(error?.message).not.toContain('CANARY');
  });

  it('a tab and latin1 letters in a value are sent', () => {
    const text = requestBytes({
      endpoint: at('h', 80),
      method: 'GET',
      path: '/',
      headers: { 'x-a': 'a\tb é' },
    }).toString('latin1');
    expect(text).toContain('x-a: a\tb é\r\n');
  });
});
