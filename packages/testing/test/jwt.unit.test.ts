/**
 * The dev server's JWT code at its boundaries, without a server: cap's claim rules (hashicorp/cap
 * jwt/jwt.go validateAll) at exactly the leeway, missing-claim defaults, claim types and audiences;
 * the unverified decode the kubernetes plugin does first (path_login.go, allowedSigningAlgs); and
 * the RS256 signer that stands in for the cluster's key.
 */
import { createSign, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CAP_DEFAULT_LEEWAY_SECONDS,
  ERR_AUDIENCE,
  ERR_NUMERIC_DATE,
  JwtSigner,
  LEEWAY_SECONDS,
  checkClaims,
  decodeUnverified,
} from '../src/jwt';

const NOW = 1_800_000_000;
const check = (claims: Record<string, unknown>, expected: Parameters<typeof checkClaims>[1] = {}) =>
  checkClaims(claims, expected, NOW);
const EXPIRED = 'invalid expiration time (exp) claim: token is expired';
const NOT_YET = 'invalid not before (nbf) claim: token not yet valid';
const FUTURE = 'invalid issued at (iat) claim: token issued in the future';

describe('cap time rules at exactly the 60 s leeway', () => {
  it.each([
    ['exp 60 s ago (at the leeway)', { exp: NOW - LEEWAY_SECONDS }, undefined],
    ['exp 61 s ago', { exp: NOW - LEEWAY_SECONDS - 1 }, EXPIRED],
    ['nbf 60 s ahead (at the leeway)', { nbf: NOW + LEEWAY_SECONDS, exp: NOW + 600 }, undefined],
    ['nbf 61 s ahead', { nbf: NOW + LEEWAY_SECONDS + 1, exp: NOW + 600 }, NOT_YET],
    ['iat 60 s ahead (at the leeway)', { iat: NOW + LEEWAY_SECONDS, exp: NOW + 600 }, undefined],
    [
      'iat 61 s ahead, nbf set earlier',
      { iat: NOW + LEEWAY_SECONDS + 1, nbf: NOW - 10, exp: NOW + 600 },
      FUTURE,
    ],
    [
      'fractional nbf is truncated like a NumericDate',
      { nbf: NOW + LEEWAY_SECONDS + 0.5, exp: NOW + 600 },
      undefined,
    ],
  ] as const)('%s', (_why, claims, expected) => {
    expect(check(claims)).toBe(expected);
  });

  it('a missing nbf is iat, or exp − 150 s without iat', () => {
    // nbf = iat: an iat 61 s ahead is refused as not yet valid first (nbf is checked before iat).
    expect(check({ iat: NOW + LEEWAY_SECONDS + 1, exp: NOW + 600 })).toBe(NOT_YET);
    // nbf = exp − 150 s: an exp far ahead puts nbf ahead too.
    expect(check({ exp: NOW + CAP_DEFAULT_LEEWAY_SECONDS + LEEWAY_SECONDS + 1 })).toBe(NOT_YET);
    expect(check({ exp: NOW + CAP_DEFAULT_LEEWAY_SECONDS + LEEWAY_SECONDS })).toBeUndefined();
  });

  it('a missing exp is the later of iat and nbf, plus 150 s', () => {
    const limit = CAP_DEFAULT_LEEWAY_SECONDS + LEEWAY_SECONDS;
    expect(check({ iat: NOW - limit })).toBeUndefined();
    expect(check({ iat: NOW - limit - 1 })).toBe(EXPIRED);
    expect(check({ iat: NOW - limit - 100, nbf: NOW - limit })).toBeUndefined();
    expect(check({ nbf: NOW - limit - 1 })).toBe(EXPIRED);
  });

  it('null time claims count as missing', () => {
    expect(check({ iat: null, nbf: null, exp: null })).toBeUndefined();
    expect(check({ exp: null, iat: NOW - 400 })).toBe(EXPIRED);
  });

  it('time is compared to the fraction of a second, as Go compares time.Time', () => {
    // vault: jwt-claim-order
    expect(checkClaims({ exp: NOW - LEEWAY_SECONDS }, {}, NOW)).toBeUndefined();
    expect(checkClaims({ exp: NOW - LEEWAY_SECONDS }, {}, NOW + 0.5)).toBe(EXPIRED);
    expect(checkClaims({ nbf: NOW + LEEWAY_SECONDS + 1, exp: NOW + 600 }, {}, NOW + 0.5)).toBe(NOT_YET);
    expect(checkClaims({ nbf: NOW + LEEWAY_SECONDS + 1, exp: NOW + 600 }, {}, NOW + 1)).toBeUndefined();
  });
});

describe('cap decoding the claims into go-jose jwt.Claims, before any comparison', () => {
  const typeError = (kind: string, name: string) =>
    `json: cannot unmarshal ${kind} into Go struct field Claims.${name} of type string`;

  it.each([
    ['exp as text', { exp: 'soon' }, ERR_NUMERIC_DATE],
    ['iat as a boolean', { iat: true, exp: NOW }, ERR_NUMERIC_DATE],
    ['nbf as an object', { exp: NOW, nbf: {} }, ERR_NUMERIC_DATE],
    ['aud as a number', { aud: 1, exp: NOW }, ERR_AUDIENCE],
    ['aud as null', { aud: null, exp: NOW }, ERR_AUDIENCE],
    ['aud as a list holding a number', { aud: ['a', 2], exp: NOW }, ERR_AUDIENCE],
    ['iss as a number', { iss: 5, exp: NOW }, typeError('number', 'iss')],
    ['sub as a boolean', { sub: false, exp: NOW }, typeError('bool', 'sub')],
    ['jti as a list', { jti: [], exp: NOW }, typeError('array', 'jti')],
    ['sub as an object', { sub: {}, exp: NOW }, typeError('object', 'sub')],
    // Go walks the keys sorted: a NumericDate error stops it even after a type error was seen.
    ['iss as a number, then nbf as text', { iss: 5, nbf: 'x', exp: NOW }, ERR_NUMERIC_DATE],
    ['iss as a number, then sub as a number', { iss: 5, sub: 6, exp: NOW }, typeError('number', 'iss')],
    ['aud bad and exp bad: aud first', { exp: 'x', aud: 1 }, ERR_AUDIENCE],
  ])('%s', (_why, claims, expected) => {
    // vault: jwt-claims-decoding
    expect(check(claims, { issuer: 'k8s' })).toBe(expected);
  });

  it('null iss, sub and jti decode as empty: only a comparison can then refuse them', () => {
    // vault: jwt-claims-decoding
    expect(check({ iss: null, sub: null, jti: null, exp: NOW })).toBeUndefined();
    expect(check({ iss: null, exp: NOW }, { issuer: 'k8s' })).toBe('invalid issuer (iss) claim');
  });
});

describe('cap claim comparisons', () => {
  it('iss, sub and aud (one string or a list) are compared only when expected', () => {
    const claims = { iss: 'k8s', sub: 'system:serviceaccount:ns:sa', aud: 'vault', exp: NOW + 60 };
    expect(
      check(claims, { issuer: 'k8s', subject: 'system:serviceaccount:ns:sa', audience: 'vault' }),
    ).toBeUndefined();
    expect(check(claims, { subject: 'system:serviceaccount:ns:other' })).toBe('invalid subject (sub) claim');
    expect(check(claims, { issuer: 'other' })).toBe('invalid issuer (iss) claim');
    expect(check({ ...claims, aud: ['a', 'vault'] }, { audience: 'vault' })).toBeUndefined();
    const noAud = 'invalid audience (aud) claim: audience claim does not match any expected audience';
    expect(check({ ...claims, aud: ['a'] }, { audience: 'vault' })).toBe(noAud);
    expect(check({ iss: 'k8s', exp: NOW + 60 }, { audience: 'vault' })).toBe(noAud);
    expect(check({ ...claims, aud: 'vaultx' }, { audience: 'vault' })).toBe(noAud);
  });

  it('a claim name that folds onto a registered one is refused, Go’s EqualFold style', () => {
    expect(check({ EXP: 1, exp: NOW + 60 })).toBe(
      'ambiguous claim: key "EXP" collides with registered claim "exp" under case folding',
    );
    expect(check({ Sub: 'x' })).toBe(
      'ambiguous claim: key "Sub" collides with registered claim "sub" under case folding',
    );
    expect(check({ subject: 'x', exp: NOW + 60 })).toBeUndefined();
  });
});

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

describe('decodeUnverified', () => {
  it.each(['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512'])('%s is accepted', (alg) => {
    expect(decodeUnverified(`${b64({ alg })}.${b64({ sub: 'x' })}.sig`)).toEqual({ sub: 'x' });
  });

  it.each([
    ['HS256 (not a key the plugin allows)', `${b64({ alg: 'HS256' })}.${b64({ sub: 'x' })}.s`],
    ['none', `${b64({ alg: 'none' })}.${b64({ sub: 'x' })}.`],
    ['no alg', `${b64({})}.${b64({ sub: 'x' })}.s`],
    ['two parts', `${b64({ alg: 'RS256' })}.${b64({ sub: 'x' })}`],
    ['four parts', `${b64({ alg: 'RS256' })}.${b64({ sub: 'x' })}.s.t`],
    ['a payload that is an array', `${b64({ alg: 'RS256' })}.${b64([1])}.s`],
    ['a payload that is null', `${b64({ alg: 'RS256' })}.${b64(null)}.s`],
    ['a payload that is text', `${b64({ alg: 'RS256' })}.${b64('x')}.s`],
    ['a header that is not JSON', `e30x.${b64({ sub: 'x' })}.s`],
    ['an alg that is not text', `${b64({ alg: ['RS256'] })}.${b64({ sub: 'x' })}.s`],
    ['a header that is null', `${b64(null)}.${b64({ sub: 'x' })}.s`],
    ['a payload that is not JSON', `${b64({ alg: 'RS256' })}.e30x.s`],
  ])('%s is refused', (_why, token) => {
    expect(decodeUnverified(token)).toBeUndefined();
  });
});

describe('JwtSigner', () => {
  const signer = new JwtSigner();
  const other = new JwtSigner();

  it('makes a 2048-bit RSA key and a 16-character key id of its own', () => {
    const fresh = new JwtSigner();
    expect(fresh.publicKey.asymmetricKeyType).toBe('rsa');
    expect(fresh.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(fresh.kid).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(fresh.kid).not.toBe(new JwtSigner().kid);
  });

  it('refuses a token with anything after the signature, or a right signature under another alg', () => {
    const token = signer.sign({ sub: 'x' });
    expect(signer.verify(token)).toEqual({ sub: 'x' });
    expect(signer.verify(`${token}.extra`)).toBeUndefined();
    // Signed with this server's own key, but the header names RS384: only RS256 is ours.
    const privateKey = (signer as unknown as { privateKey: KeyObject }).privateKey;
    const h = Buffer.from(JSON.stringify({ alg: 'RS384', kid: signer.kid })).toString('base64url');
    const p = Buffer.from(JSON.stringify({ sub: 'x' })).toString('base64url');
    const s = createSign('RSA-SHA256').update(`${h}.${p}`).sign(privateKey).toString('base64url');
    expect(signer.verify(`${h}.${p}.${s}`)).toBeUndefined();
  });

  it('verifies its own RS256 tokens and returns the payload; refuses another key’s', () => {
    const token = signer.sign({ sub: 'x', n: 1 });
    const [header] = token.split('.');
    expect(JSON.parse(Buffer.from(header!, 'base64url').toString())).toEqual({
      alg: 'RS256',
      kid: signer.kid,
      typ: 'JWT',
    });
    expect(signer.verify(token)).toEqual({ sub: 'x', n: 1 });
    expect(other.verify(token)).toBeUndefined();
    expect(signer.kid).toHaveLength(16);
    expect(signer.kid).not.toBe(other.kid);
  });

  it('refuses a tampered payload, another alg, a wrong shape and garbage', () => {
    const token = signer.sign({ sub: 'x' });
    const [h, , s] = token.split('.');
    expect(signer.verify(`${h}.${b64({ sub: 'y' })}.${s}`)).toBeUndefined();
    expect(signer.verify(`${b64({ alg: 'HS256' })}.${token.split('.')[1]}.${s}`)).toBeUndefined();
    expect(signer.verify(`${h}.${token.split('.')[1]}`)).toBeUndefined();
    expect(signer.verify('a.b.c')).toBeUndefined();
    const signedArray = signer.sign([1] as unknown as Record<string, unknown>);
    expect(signer.verify(signedArray)).toEqual([1]);
    const signedNull = signer.sign(null as unknown as Record<string, unknown>);
    expect(signer.verify(signedNull)).toBeUndefined();
    expect(signer.verify(signer.sign('x' as unknown as Record<string, unknown>))).toBeUndefined();
  });
});
