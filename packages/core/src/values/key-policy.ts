/**
 * Which secret key names may become environment variables, and how a refused name is quoted.
 * A KV secret is data that someone with write access to one path controls; these names would let
 * it steer the app's runtime (run code, turn TLS checks off, reroute traffic, repoint Vault).
 */

/** Refused unless allowed by name (VAULT_ALLOW_KEYS). Compared case-insensitively. */
export const RESERVED_KEYS: readonly string[] = [
  'PATH',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'ALL_PROXY',
  'BASH_ENV',
  'ENV',
  'IFS',
  'SHELLOPTS',
  'OPENSSL_CONF',
  'OPENSSL_MODULES',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'UV_THREADPOOL_SIZE',
];

/**
 * Prefixes refused the same way: Node's own variables (NODE_OPTIONS, NODE_TLS_REJECT_UNAUTHORIZED,
 * NODE_EXTRA_CA_CERTS, NODE_PATH...; NODE_ENV excepted), the dynamic loader's (LD_PRELOAD...,
 * DYLD_INSERT_LIBRARIES...) and this library's own settings (VAULT_*).
 */
export const RESERVED_PREFIXES: readonly string[] = ['NODE_', 'LD_', 'DYLD_', 'VAULT_'];
const NOT_RESERVED = new Set(['NODE_ENV']);

/** Kubernetes' rule for an env var name (IsEnvVarName): letters, digits, `_`, `-`, `.`; no leading digit. */
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

export function isEnvVarName(name: string): boolean {
  return ENV_NAME.test(name);
}

/** Every reserved name and prefix, any case: a printable ASCII name it misses is not reserved. */
const MAYBE_RESERVED = new RegExp(`^(?:(?:${RESERVED_KEYS.join('|')})$|${RESERVED_PREFIXES.join('|')})`, 'i');
const PRINTABLE_ASCII = /^[ -~]*$/;

export function isReservedKey(name: string, allowed: readonly string[] = []): boolean {
  // Checked once per secret key: most names are ASCII and miss, without an upper-cased copy each.
  if (PRINTABLE_ASCII.test(name) && !MAYBE_RESERVED.test(name)) return false;
  const upper = name.toUpperCase();
  if (NOT_RESERVED.has(upper) || allowed.includes(upper)) return false;
  return RESERVED_KEYS.includes(upper) || RESERVED_PREFIXES.some((p) => upper.startsWith(p));
}

const SHOWN_CHARS = 40;

/**
 * A key name as messages may quote it. A valid name is shown whole. Anything else may be a secret
 * pasted as a key (`DATABASE_URL=postgres://app:pw@db`): only its leading name-like part is shown,
 * then the first offending character, then `***`.
 */
export function safeKeyName(name: string): string {
  if (name === '' || (isEnvVarName(name) && name.length <= 256)) return name;
  const lead = /^[A-Za-z0-9_.-]*/.exec(name)?.[0] ?? '';
  if (lead.length === name.length) return `${name.slice(0, SHOWN_CHARS)}***`;
  const next = name.charAt(lead.length);
  const shownNext = next === '=' || next === ' ' || next === ':' ? next : '';
  return `${lead.slice(0, SHOWN_CHARS)}${shownNext}***`;
}
