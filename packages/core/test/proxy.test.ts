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
    // Loopback means 127.0.0.0/8 and ::1 as addresses, not names that look like them.
    ['https://127.9.9.9', { HTTPS_PROXY: 'http://p:1' }, null],
    ['https://128.0.0.1', { HTTPS_PROXY: 'http://p:1' }, 'http://p:1/'],
    ['https://127.example', { HTTPS_PROXY: 'http://p:1' }, 'http://p:1/'],
    ['http://[::2]:8200', { HTTP_PROXY: 'http://p:1' }, 'http://p:1/'],
    ['http://[::ffff:127.0.0.1]:8200', { HTTP_PROXY: 'http://p:1' }, null],
    ['http://[::ffff:10.0.0.1]:8200', { HTTP_PROXY: 'http://p:1' }, 'http://p:1/'],
    ['https://vault.localhost', { HTTPS_PROXY: 'http://p:1' }, null],
    ['https://localhost.example', { HTTPS_PROXY: 'http://p:1' }, 'http://p:1/'],
    // No proxy for the scheme: direct.
    ['https://vault.example', { HTTP_PROXY: 'http://p:1' }, null],
    // A blank variable counts as unset; values are trimmed.
    ['https://vault.example', { HTTPS_PROXY: '  ', https_proxy: 'http://lower:1' }, 'http://lower:1/'],
    ['https://vault.example', { HTTPS_PROXY: ' http://p:1 ' }, 'http://p:1/'],
    // A scheme is kept whatever its case; none means http://.
    ['https://vault.example', { HTTPS_PROXY: 'https://p:1' }, 'https://p:1/'],
    ['https://vault.example', { HTTPS_PROXY: 'HTTP://p:1' }, 'http://p:1/'],
    ['https://vault.example', { HTTPS_PROXY: 'socks5://p:1' }, 'socks5://p:1'],
    // NO_PROXY before no_proxy; entries trimmed, case-insensitive, empty ones skipped.
    [
      'https://vault.example',
      { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'other', no_proxy: 'vault.example' },
      'http://p:1/',
    ],
    ['https://vault.example', { HTTPS_PROXY: 'http://p:1', NO_PROXY: ' , x.test,  VAULT.Example ' }, null],
    ['https://vault.example', { HTTPS_PROXY: 'http://p:1', NO_PROXY: ',,' }, 'http://p:1/'],
    // A leading dot (or Go's `*.`) matches subdomains only; no dot matches the host and its subdomains.
    ['https://vault.example', { HTTPS_PROXY: 'http://p:1', NO_PROXY: '.vault.example' }, 'http://p:1/'],
    ['https://a.vault.example', { HTTPS_PROXY: 'http://p:1', NO_PROXY: '*.vault.example' }, null],
    ['https://vault.example', { HTTPS_PROXY: 'http://p:1', NO_PROXY: '*.vault.example' }, 'http://p:1/'],
    ['https://xvault.example', { HTTPS_PROXY: 'http://p:1', NO_PROXY: '.vault.example' }, 'http://p:1/'],
    // The port: the scheme's default when the URL has none.
    ['https://vault.example', { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'vault.example:443' }, null],
    ['http://vault.example', { HTTP_PROXY: 'http://p:1', NO_PROXY: 'vault.example:80' }, null],
    ['http://vault.example', { HTTP_PROXY: 'http://p:1', NO_PROXY: 'vault.example:443' }, 'http://p:1/'],
    // A leading colon is no host:port, and an empty entry no host (a trailing-dot name would end with it).
    ['https://vault.example', { HTTPS_PROXY: 'http://p:1', NO_PROXY: ':443' }, 'http://p:1/'],
    ['https://vault.example.', { HTTPS_PROXY: 'http://p:1', NO_PROXY: ':443' }, 'http://p:1/'],
    ['https://vault.example.', { HTTPS_PROXY: 'http://p:1', NO_PROXY: ',,' }, 'http://p:1/'],
    // A scheme is only one at the start of the value.
    ['https://vault.example', { HTTPS_PROXY: 'p:1/?next=http://x' }, 'http://p:1/?next=http://x'],
    // IPv6: bare, bracketed, bracketed with a port.
    ['https://[fd00::1]:8200', { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'fd00::1' }, null],
    ['https://[fd00::1]:8200', { HTTPS_PROXY: 'http://p:1', NO_PROXY: '[fd00::1]' }, null],
    ['https://[fd00::1]:8200', { HTTPS_PROXY: 'http://p:1', NO_PROXY: '[fd00::1]:8200' }, null],
    ['https://[fd00::1]:8200', { HTTPS_PROXY: 'http://p:1', NO_PROXY: '[fd00::1]:443' }, 'http://p:1/'],
    ['https://[fd00::2]:8200', { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'fd00::1' }, 'http://p:1/'],
    ['https://[fd00::1]:8200', { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'a[fd00::1]' }, 'http://p:1/'],
    ['https://[fd00::1]:8200', { HTTPS_PROXY: 'http://p:1', NO_PROXY: '[fd00::1]:8200x' }, 'http://p:1/'],
    // CIDR: IPv6 too; a CIDR never matches a name or the other family; malformed CIDRs match nothing.
    ['https://[fd00::5]', { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'fd00::/8' }, null],
    ['https://[fe00::5]', { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'fd00::/8' }, 'http://p:1/'],
    ['https://10.1.2.3', { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'fd00::/8' }, 'http://p:1/'],
    ['https://vault.example', { HTTPS_PROXY: 'http://p:1', NO_PROXY: '10.0.0.0/8' }, 'http://p:1/'],
    ['https://10.1.2.3', { HTTPS_PROXY: 'http://p:1', NO_PROXY: '10.0.0.0/x' }, 'http://p:1/'],
    ['https://10.1.2.3', { HTTPS_PROXY: 'http://p:1', NO_PROXY: '10.0.0.0/8.5' }, 'http://p:1/'],
    ['https://10.1.2.3', { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'ten/8' }, 'http://p:1/'],
    ['https://10.1.2.3', { HTTPS_PROXY: 'http://p:1', NO_PROXY: '/8' }, 'http://p:1/'],
    ['https://vault.example', { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'ten/8' }, 'http://p:1/'],
    ['https://10.1.2.3', { HTTPS_PROXY: 'http://p:1', NO_PROXY: '10.0.0.0/33' }, 'http://p:1/'],
    ['https://11.1.2.3', { HTTPS_PROXY: 'http://p:1', NO_PROXY: '0.0.0.0/0' }, null],
    ['https://10.1.2.3', { HTTPS_PROXY: 'http://p:1', NO_PROXY: '10.0.0.0/-1' }, 'http://p:1/'],
    ['https://10.1.2.3', { HTTPS_PROXY: 'http://p:1', NO_PROXY: '10.0.0.0/32, 10.1.2.3/32' }, null],
    ['https://[fd00::5]', { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'fd00::/129' }, 'http://p:1/'],
    ['https://[fd00::5]', { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'fd00::5/128' }, null],
    ['https://10.1.2.3', { HTTPS_PROXY: 'http://p:1', NO_PROXY: '10.1.2.0/24' }, null],
    ['https://10.1.3.3', { HTTPS_PROXY: 'http://p:1', NO_PROXY: '10.1.2.0/24' }, 'http://p:1/'],
  ])('%s with %j → %s', (target, vars, expected) => {
    const proxy = proxyFor(new URL(target), env(vars as Record<string, string>));
    expect(proxy?.href ?? null).toBe(expected);
  });
});

describe('proxySettingsFromEnv', () => {
  it('reads upper case before lower case; NO_PROXY defaults to empty', () => {
    expect(proxySettingsFromEnv({})).toEqual({ http: null, https: null, noProxy: '' });
    expect(
      proxySettingsFromEnv({
        http_proxy: 'h-lower',
        HTTPS_PROXY: 's-upper',
        https_proxy: 's-lower',
        no_proxy: ' a , b ',
      }),
    ).toEqual({ http: 'h-lower', https: 's-upper', noProxy: 'a , b' });
  });
});
