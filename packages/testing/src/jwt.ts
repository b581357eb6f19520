import { createSign, createVerify, generateKeyPairSync, type KeyObject } from 'node:crypto';

/** The issuer Kubernetes API servers usually use; the default for minted tokens. */
export const DEFAULT_ISSUER = 'https://kubernetes.default.svc.cluster.local';
/** go-jose's default clock-skew leeway, which Vault's kubernetes plugin uses. */
export const LEEWAY_SECONDS = 60;

const b64url = (input: Buffer | string): string => Buffer.from(input).toString('base64url');

/** An RS256 key pair per server: our stand-in for the cluster's service-account signing key. */
export class JwtSigner {
  private readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly kid: string;

  constructor() {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = pair.privateKey;
    this.publicKey = pair.publicKey;
    this.kid = b64url(Buffer.from(String(Date.now()) + Math.random())).slice(0, 16);
  }

  sign(payload: Record<string, unknown>): string {
    const header = b64url(JSON.stringify({ alg: 'RS256', kid: this.kid, typ: 'JWT' }));
    const body = b64url(JSON.stringify(payload));
    const signature = createSign('RSA-SHA256').update(`${header}.${body}`).sign(this.privateKey);
    return `${header}.${body}.${b64url(signature)}`;
  }

  /** Returns the payload when the signature is ours; undefined for anything unparseable or forged. */
  verify(token: string): Record<string, unknown> | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const [h, p, s] = parts as [string, string, string];
    try {
      const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as { alg?: string };
      if (header.alg !== 'RS256') return undefined;
      const valid = createVerify('RSA-SHA256')
        .update(`${h}.${p}`)
        .verify(this.publicKey, Buffer.from(s, 'base64url'));
      if (!valid) return undefined;
      const payload: unknown = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
      return payload && typeof payload === 'object' ? (payload as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  }
}

/** vault-plugin-auth-kubernetes path_login.go allowedSigningAlgs. */
const ALLOWED_ALGS = new Set(['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512']);

/**
 * The claims of a compact JWS without checking its signature, as the kubernetes plugin's
 * DontVerifySignature key set does (the signature is checked later by TokenReview, for which our
 * `verify` stands in). Undefined when it does not parse or uses an algorithm the plugin refuses.
 */
export function decodeUnverified(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as { alg?: string };
    if (!ALLOWED_ALGS.has(header.alg as string)) return undefined;
    const payload: unknown = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
    return payload && typeof payload === 'object' && !Array.isArray(payload)
      ? (payload as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** cap's DefaultLeewaySeconds: how far a missing exp/nbf is placed from the claims that are set. */
export const CAP_DEFAULT_LEEWAY_SECONDS = 150;
const REGISTERED = ['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti'];
/** Go's strings.EqualFold, close enough for claim names (covers the long s and the Kelvin sign). */
const fold = (s: string) => s.toUpperCase().toLowerCase();

/** go-jose v4 jwt/errors.go: what jwt.Claims' own decoders return. */
export const ERR_NUMERIC_DATE = 'go-jose/go-jose/jwt: expected number value to unmarshal NumericDate';
export const ERR_AUDIENCE = 'go-jose/go-jose/jwt: expected string or array value to unmarshal to Audience';
const goKind = (v: unknown): string =>
  Array.isArray(v) ? 'array' : typeof v === 'boolean' ? 'bool' : typeof v;

/**
 * cap's json.Unmarshal of the claims into go-jose's jwt.Claims. Go walks the keys sorted; the
 * NumericDate and Audience decoders stop it at once, while a non-string iss/sub/jti is remembered
 * and reported only when nothing stops it (encoding/json saveError).
 */
function decodeError(claims: Record<string, unknown>): string | undefined {
  let typeError: string | undefined;
  for (const name of ['aud', 'exp', 'iat', 'iss', 'jti', 'nbf', 'sub']) {
    const v = claims[name];
    if (v === undefined) continue;
    if (name === 'aud') {
      // A null aud still reaches Audience.UnmarshalJSON, which refuses it.
      const ok = typeof v === 'string' || (Array.isArray(v) && v.every((a) => typeof a === 'string'));
      if (!ok) return ERR_AUDIENCE;
    } else if (name === 'exp' || name === 'iat' || name === 'nbf') {
      if (v !== null && typeof v !== 'number') return ERR_NUMERIC_DATE;
    } else if (v !== null && typeof v !== 'string') {
      typeError ??= `json: cannot unmarshal ${goKind(v)} into Go struct field Claims.${name} of type string`;
    }
  }
  return typeError;
}

/**
 * hashicorp/cap jwt/jwt.go validateAll, after the signature, as `ValidateAllowMissingIatNbfExp`
 * (what the kubernetes plugin calls): registered-claim collisions, the decoding into jwt.Claims, iss,
 * sub, aud; a token with none of
 * iat/nbf/exp passes; a missing exp becomes max(iat, nbf) + 150 s and a missing nbf becomes iat (or
 * exp − 150 s); then nbf, exp, iat are checked in that order with go-jose's 60 s clock-skew leeway.
 * `nowSeconds` keeps its fraction: Go compares time.Time to the nanosecond. Returns the error message
 * Vault sends with 403, or undefined when the claims pass.
 */
export function checkClaims(
  claims: Record<string, unknown>,
  expected: { issuer?: string; subject?: string; audience?: string },
  nowSeconds: number,
): string | undefined {
  for (const key of Object.keys(claims)) {
    const twin = REGISTERED.find((name) => name !== key && fold(name) === fold(key));
    if (twin)
      return `ambiguous claim: key "${key}" collides with registered claim "${twin}" under case folding`;
  }
  const undecodable = decodeError(claims);
  if (undecodable) return undecodable;
  if (expected.issuer && claims.iss !== expected.issuer) return 'invalid issuer (iss) claim';
  if (expected.subject && claims.sub !== expected.subject) return 'invalid subject (sub) claim';
  if (expected.audience) {
    // Decoded above: a string, a list of strings, or absent (which matches nothing).
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!aud.includes(expected.audience))
      return 'invalid audience (aud) claim: audience claim does not match any expected audience';
  }
  // NumericDate keeps whole seconds; a missing (or null) claim is 0, as cap's zero NumericDate.
  const time = (name: string): number => (typeof claims[name] === 'number' ? Math.trunc(claims[name]) : 0);
  const i = time('iat');
  const e0 = time('exp');
  const n0 = time('nbf');
  if (i === 0 && e0 === 0 && n0 === 0) return undefined;
  const exp = e0 === 0 ? Math.max(i, n0) + CAP_DEFAULT_LEEWAY_SECONDS : e0;
  const nbf = n0 === 0 ? (i !== 0 ? i : exp - CAP_DEFAULT_LEEWAY_SECONDS) : n0;
  if (nowSeconds + LEEWAY_SECONDS < nbf) return 'invalid not before (nbf) claim: token not yet valid';
  if (nowSeconds - LEEWAY_SECONDS > exp) return 'invalid expiration time (exp) claim: token is expired';
  // A missing iat is 0 (1970), which no clock is before.
  if (nowSeconds + LEEWAY_SECONDS < i) return 'invalid issued at (iat) claim: token issued in the future';
  return undefined;
}
