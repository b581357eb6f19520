import { describe, expect, it } from 'vitest';
import { proxyFor, proxySettingsFromEnv } from '../src/http/proxy';

const env = (e: Record<string, string>) => proxySettingsFromEnv(e);

describe('proxyFor: Go http.ProxyFromEnvironment semantics (golang.org/x/net/http/httpproxy)', () => {
  it.each([
    // [target, env, expected proxy or null]
    ['https://vault.example:8200', { HTTPS_PROXY: 'http://p:3128' }, 'http://p:3128/'],
    ['http://vault.example:8200', { HTTPS_PROXY: 'http://p:3128' }, null],
    ['http://vault.example:8200', { HTTP_PROXY: 'p:3128' }, 'http://p:3128/'],
    ['https://vault.example', { https_proxy: 'http://lower:1' }, 'http://lower:1/'],
    [
      'https://vault.example',
      { HTTPS_PROXY: 'http://upper:1', https_proxy: 'http://lower:1' },
      'http://upper:1/',
    ],
    ['https://vault.example', { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'vault.example' }, null],
    ['https://a.vault.example', { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'vault.example' }, null],
    ['https://a.vault.example', { HTTPS_PROXY: 'http://p:1', no_proxy: '.vault.example' }, null],
    ['https://othervault.example', { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'vault.example' }, 'http://p:1/'],
    [
      'https://vault.example:8200',
      { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'vault.example:443' },
      'http://p:1/',
    ],
    ['https://vault.example:8200', { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'vault.example:8200' }, null],
    ['https://10.1.2.3:8200', { HTTPS_PROXY: 'http://p:1', NO_PROXY: '10.0.0.0/8' }, null],
    ['https://11.1.2.3:8200', { HTTPS_PROXY: 'http://p:1', NO_PROXY: '10.0.0.0/8' }, 'http://p:1/'],
    ['https://vault.example', { HTTPS_PROXY: 'http://p:1', NO_PROXY: '*' }, null],
    ['https://127.0.0.1:8200', { HTTPS_PROXY: 'http://p:1' }, null],
    ['http://localhost:8200', { HTTP_PROXY: 'http://p:1' }, null],
    ['http://[::1]:8200', { HTTP_PROXY: 'http://p:1' }, null],
  ])('%s with %j → %s', (target, vars, expected) => {
    const proxy = proxyFor(new URL(target), env(vars as Record<string, string>));
    expect(proxy?.href ?? null).toBe(expected);
  });
});
