/**
 * Service-account JWT checks, in the order Vault's kubernetes plugin applies them
 * (vault-plugin-auth-kubernetes path_login.go parseAndValidateJWT → hashicorp/cap jwt/jwt.go
 * validateAll via ValidateAllowMissingIatNbfExp; then the bound names, the namespaces, and only then
 * TokenReview, for which the dev server's own RS256 key stands in).
 *
 * cap's rules: claim-name collisions under case folding are refused; iss, sub, aud are compared;
 * a token with none of iat/nbf/exp passes (the "AllowMissing" variant); a missing exp becomes
 * max(iat, nbf) + 150 s (DefaultLeewaySeconds); a missing nbf becomes iat, else exp − 150 s; then nbf,
 * exp and iat are checked in that order with go-jose's 60 s clock-skew leeway.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVaultDevServer, type VaultDevServer } from '@vault-config/testing';
import { checkClaims } from '../src/jwt';
import { call } from './helpers';

const NOW = 1_800_000_000;
const check = (claims: Record<string, unknown>, expected: Parameters<typeof checkClaims>[1] = {}) =>
  checkClaims(claims, expected, NOW);

describe('cap claim rules (unit, injected clock)', () => {
  const rows: [string, Record<string, unknown>, Parameters<typeof checkClaims>[1], string | undefined][] = [
    ['all time claims valid', { iat: NOW, nbf: NOW, exp: NOW + 600 }, {}, undefined],
    ['no iat, nbf or exp at all passes (ValidateAllowMissingIatNbfExp)', { sub: 'x' }, {}, undefined],
    ['missing exp: iat + 150 s still ahead (within leeway) passes', { iat: NOW - 200 }, {}, undefined],
    [
      'missing exp: iat + 150 s + 60 s leeway behind now is expired',
      { iat: NOW - 211 },
      {},
      'invalid expiration time (exp) claim: token is expired',
    ],
    ['missing exp: nbf later than iat sets the start', { iat: NOW - 1000, nbf: NOW - 100 }, {}, undefined],
    ['exp within the 60 s leeway passes', { exp: NOW - 60 }, {}, undefined],
    [
      'exp beyond the leeway is expired',
      { exp: NOW - 61 },
      {},
      'invalid expiration time (exp) claim: token is expired',
    ],
    ['nbf within the leeway passes', { nbf: NOW + 60, exp: NOW + 600 }, {}, undefined],
    [
      'nbf beyond the leeway is not yet valid',
      { nbf: NOW + 61, exp: NOW + 600 },
      {},
      'invalid not before (nbf) claim: token not yet valid',
    ],
    [
      'nbf is checked before exp (both bad → nbf message)',
      { nbf: NOW + 1000, exp: NOW - 1000 },
      {},
      'invalid not before (nbf) claim: token not yet valid',
    ],
    [
      'iat in the future beyond the leeway',
      { iat: NOW + 61, nbf: NOW, exp: NOW + 600 },
      {},
      'invalid issued at (iat) claim: token issued in the future',
    ],
    ['issuer compared only when expected', { iss: 'a', exp: NOW + 1 }, {}, undefined],
    ['wrong issuer', { iss: 'a', exp: NOW + 1 }, { issuer: 'b' }, 'invalid issuer (iss) claim'],
    [
      'issuer is checked before time claims',
      { iss: 'a', exp: NOW - 1000 },
      { issuer: 'b' },
      'invalid issuer (iss) claim',
    ],
    ['audience as a list', { aud: ['x', 'vault'], exp: NOW + 1 }, { audience: 'vault' }, undefined],
    [
      'audience missing',
      { exp: NOW + 1 },
      { audience: 'vault' },
      'invalid audience (aud) claim: audience claim does not match any expected audience',
    ],
    [
      'audience before time claims',
      { aud: 'x', exp: NOW - 1000 },
      { audience: 'vault' },
      'invalid audience (aud) claim: audience claim does not match any expected audience',
    ],
    [
      'a claim colliding with a registered one under case folding',
      { EXP: NOW + 1 },
      {},
      'ambiguous claim: key "EXP" collides with registered claim "exp" under case folding',
    ],
    [
      'the long s folds to s',
      { ſub: 'x' },
      {},
      'ambiguous claim: key "ſub" collides with registered claim "sub" under case folding',
    ],
  ];
  it.each(rows)('%s', (_why, claims, expected, message) => {
    expect(check(claims, expected)).toBe(message);
  });
});

describe('login order (HTTP)', () => {
  let vault: VaultDevServer;
  let other: VaultDevServer;
  beforeAll(async () => {
    vault = await startVaultDevServer();
    other = await startVaultDevServer();
    vault.enableKubernetesAuth('k8s');
    vault.writeKubernetesRole('k8s', 'r', {
      bound_service_account_names: ['app'],
      bound_service_account_namespaces: ['ns'],
    });
  });
  afterAll(async () => {
    await vault.close();
    await other.close();
  });
  const login = (jwt: string) => call(vault, 'POST', 'auth/k8s/login', { body: { role: 'r', jwt } });

  it('claims and bindings are checked before the signature (TokenReview comes last)', async () => {
    // Signed by another key (TokenReview would refuse it), but the namespace is wrong: that is reported first.
    const wrongNs = await login(other.mintServiceAccountJwt({ namespace: 'x', serviceAccount: 'app' }));
    expect(wrongNs.json.errors).toEqual(['namespace not authorized']);
    const expired = await login(
      other.mintServiceAccountJwt({ namespace: 'ns', serviceAccount: 'app', ttlSeconds: -500 }),
    );
    expect(expired.json.errors).toEqual(['invalid expiration time (exp) claim: token is expired']);
    // Everything else right: the forged signature is "permission denied".
    const forged = await login(other.mintServiceAccountJwt({ namespace: 'ns', serviceAccount: 'app' }));
    expect(forged.status).toBe(403);
    expect(forged.json.errors).toEqual(['permission denied']);
    const good = await login(vault.mintServiceAccountJwt({ namespace: 'ns', serviceAccount: 'app' }));
    expect(good.status).toBe(200);
  });

  it('claims that do not decode into jwt.Claims are 403 with the decoder’s error', async () => {
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const token = (claims: Record<string, unknown>) => `${b64({ alg: 'RS256' })}.${b64(claims)}.sig`;
    const textExp = await login(token({ exp: 'tomorrow' }));
    expect(textExp.status).toBe(403);
    // vault: jwt-claims-decoding
    expect(textExp.json.errors).toEqual([
      'go-jose/go-jose/jwt: expected number value to unmarshal NumericDate',
    ]);
    const numericIss = await login(token({ iss: 7, exp: Math.floor(Date.now() / 1000) + 60 }));
    expect(numericIss.json.errors).toEqual([
      'json: cannot unmarshal number into Go struct field Claims.iss of type string',
    ]);
  });

  it('an unparseable token or a refused algorithm is "permission denied"', async () => {
    expect((await login('a.b.c')).json.errors).toEqual(['permission denied']);
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"x"}').toString('base64url')}.`;
    expect((await login(none)).json.errors).toEqual(['permission denied']);
  });
});
