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

/**
 * hashicorp/cap's claim checks in its order (iss, aud, then time claims with leeway). Returns the
 * error message Vault sends with 403, or undefined when the claims pass.
 */
export function checkClaims(
  claims: Record<string, unknown>,
  expected: { issuer?: string; audience?: string },
  nowSeconds: number,
): string | undefined {
  if (expected.issuer !== undefined && claims.iss !== expected.issuer) return 'invalid issuer (iss) claim';
  if (expected.audience) {
    const aud = Array.isArray(claims.aud) ? claims.aud : claims.aud === undefined ? [] : [claims.aud];
    if (!aud.includes(expected.audience))
      return 'invalid audience (aud) claim: audience claim does not match any expected audience';
  }
  const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
  const exp = num(claims.exp);
  const nbf = num(claims.nbf);
  const iat = num(claims.iat);
  if (exp !== undefined && nowSeconds - LEEWAY_SECONDS > exp)
    return 'invalid expiration time (exp) claim: token is expired';
  if (nbf !== undefined && nowSeconds + LEEWAY_SECONDS < nbf)
    return 'invalid not before (nbf) claim: token not yet valid';
  if (iat !== undefined && nowSeconds + LEEWAY_SECONDS < iat)
    return 'invalid issued at (iat) claim: token issued in the future';
  return undefined;
}
