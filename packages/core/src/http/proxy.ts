/**
 * Which proxy a request to Vault goes through, decided as Vault's CLI does (Go's
 * `http.ProxyFromEnvironment`, golang.org/x/net/http/httpproxy): `HTTPS_PROXY` for https, `HTTP_PROXY`
 * for http (upper case first, then lower case), `NO_PROXY` excludes hosts, and requests to localhost
 * or a loopback address are never proxied. Ours rather than a library's because it must read the
 * `env` option, not only process.env, and match Go's precedence.
 */
import net from 'node:net';
import type { EnvRecord } from '../options';

export interface ProxySettings {
  http: string | null;
  https: string | null;
  noProxy: string;
}

function first(env: EnvRecord, names: string[]): string | null {
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') return value.trim();
  }
  return null;
}

export function proxySettingsFromEnv(env: EnvRecord): ProxySettings {
  return {
    http: first(env, ['HTTP_PROXY', 'http_proxy']),
    https: first(env, ['HTTPS_PROXY', 'https_proxy']),
    noProxy: first(env, ['NO_PROXY', 'no_proxy']) ?? '',
  };
}

function ipInCidr(ip: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split('/');
  const bits = Number(bitsText);
  const family = net.isIP(base ?? '');
  // A malformed CIDR matches nothing (Go's ParseCIDR fails and the entry is read as a host name).
  if (family === 0 || family !== net.isIP(ip) || !Number.isInteger(bits)) return false;
  if (bits < 0 || bits > (family === 6 ? 128 : 32)) return false;
  const list = new net.BlockList();
  list.addSubnet(base as string, bits, family === 6 ? 'ipv6' : 'ipv4');
  return list.check(ip, family === 6 ? 'ipv6' : 'ipv4');
}

/** `host`, `host:port`, `[v6]` or `[v6]:port`; a bare IPv6 address has no port. */
function splitHostPort(entry: string): [string, string] {
  const bracketed = /^\[([^\]]*)\](?::(\d+))?$/.exec(entry);
  if (bracketed) return [bracketed[1] ?? '', bracketed[2] ?? ''];
  const colon = entry.lastIndexOf(':');
  if (colon > 0 && entry.indexOf(':') === colon) return [entry.slice(0, colon), entry.slice(colon + 1)];
  return [entry, ''];
}

function excluded(host: string, port: string, noProxy: string): boolean {
  for (const raw of noProxy.split(',')) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return true;
    if (entry.includes('/')) {
      if (ipInCidr(host, entry)) return true;
      continue;
    }
    const [entryHost, entryPort] = splitHostPort(entry);
    if (entryPort !== '' && entryPort !== port) continue;
    // Go reads `*.example.com` as `.example.com`: the subdomains only.
    const name = entryHost.startsWith('*.') ? entryHost.slice(1) : entryHost;
    if (name.startsWith('.')) {
      if (host.endsWith(name)) return true;
    } else if (host === name || host.endsWith(`.${name}`)) return true;
  }
  return false;
}

/** The proxy URL for `target`, or null for a direct connection. */
export function proxyFor(target: URL, settings: ProxySettings): URL | null {
  const host = target.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return null;
  if (isLoopback(host)) return null;
  const port = target.port || (target.protocol === 'https:' ? '443' : '80');
  if (excluded(host, port, settings.noProxy)) return null;
  const chosen = target.protocol === 'https:' ? settings.https : settings.http;
  if (chosen === null) return null;
  // Go assumes http:// for a proxy given without a scheme.
  return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(chosen) ? chosen : `http://${chosen}`);
}

/** 127.0.0.0/8 and ::1; a BlockList also matches their IPv4-mapped forms, as Go's IsLoopback does. */
const LOOPBACK = new net.BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

function isLoopback(host: string): boolean {
  const family = net.isIP(host);
  return family !== 0 && LOOPBACK.check(host, family === 6 ? 'ipv6' : 'ipv4');
}
