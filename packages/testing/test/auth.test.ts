import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVaultDevServer, type VaultDevServer } from '@vault-config/testing';
import { call, ENVELOPE_KEYS } from './helpers';

const MOUNT = 'kubernetes-dev-myapp';
const SA = { namespace: 'myapp', serviceAccount: 'vault-auth-dev-myapp' };
let vault: VaultDevServer;
beforeAll(async () => {
  vault = await startVaultDevServer();
  vault.enableKubernetesAuth(MOUNT);
  vault.writeKubernetesRole(MOUNT, 'dev-myapp', {
    bound_service_account_names: ['vault-auth-dev-myapp'],
    bound_service_account_namespaces: ['myapp'],
    token_policies: ['myapp-dev-read'],
    token_ttl: 600,
    token_max_ttl: 900,
  });
  vault.writeKubernetesRole(MOUNT, 'wild', {
    bound_service_account_names: ['*'],
    bound_service_account_namespaces: ['team-*'],
    audience: 'vault',
  });
});
afterAll(() => vault.close());

const login = (body: Record<string, unknown>, mount = MOUNT) =>
  call(vault, 'POST', `auth/${mount}/login`, { body });

describe('kubernetes login', () => {
  it('returns the auth block Vault returns', async () => {
    const r = await login({ role: 'dev-myapp', jwt: vault.mintServiceAccountJwt(SA) });
    expect(r.status).toBe(200);
    expect(Object.keys(r.json)).toEqual(ENVELOPE_KEYS);
    expect(r.json.data).toBeNull();
    const auth = r.json.auth;
    expect(auth.client_token).toMatch(/^hvs\./);
    expect(auth).toMatchObject({
      policies: ['default', 'myapp-dev-read'],
      token_policies: ['default', 'myapp-dev-read'],
      lease_duration: 600,
      renewable: true,
      token_type: 'service',
      orphan: true,
      mfa_requirement: null,
      num_uses: 0,
    });
    expect(Object.keys(auth.metadata).sort()).toEqual([
      'role',
      'service_account_name',
      'service_account_namespace',
      'service_account_secret_name',
      'service_account_uid',
    ]);
    expect(auth.metadata).toMatchObject({ role: 'dev-myapp', service_account_name: 'vault-auth-dev-myapp' });
  });

  it.each([
    [{ jwt: 'x' }, 400, 'missing role'],
    [{ role: 'dev-myapp' }, 400, 'missing jwt'],
    [{ role: 'nope', jwt: 'x' }, 400, 'invalid role name "nope"'],
    [{ role: 'dev-myapp', jwt: 'not.a.jwt' }, 403, 'permission denied'],
  ])('rejects %j with %i %s', async (body, status, message) => {
    const r = await login(body);
    expect(r.status).toBe(status);
    expect(r.json).toEqual({ errors: [message] });
  });

  it('rejects a JWT signed by another key with 403 permission denied', async () => {
    const other = await startVaultDevServer();
    try {
      const r = await login({ role: 'dev-myapp', jwt: other.mintServiceAccountJwt(SA) });
      expect(r.status).toBe(403);
      expect(r.json).toEqual({ errors: ['permission denied'] });
    } finally {
      await other.close();
    }
  });

  it('rejects wrong service account name and namespace with 403', async () => {
    const name = await login({
      role: 'dev-myapp',
      jwt: vault.mintServiceAccountJwt({ namespace: 'myapp', serviceAccount: 'other' }),
    });
    expect(name.status).toBe(403);
    expect(name.json).toEqual({ errors: ['service account name not authorized'] });
    const ns = await login({
      role: 'dev-myapp',
      jwt: vault.mintServiceAccountJwt({ namespace: 'other', serviceAccount: 'vault-auth-dev-myapp' }),
    });
    expect(ns.status).toBe(403);
    expect(ns.json).toEqual({ errors: ['namespace not authorized'] });
  });

  it('rejects expired and not-yet-valid tokens with the JWT library messages (60 s leeway)', async () => {
    const expired = await login({
      role: 'dev-myapp',
      jwt: vault.mintServiceAccountJwt({ ...SA, ttlSeconds: -120 }),
    });
    expect(expired.status).toBe(403);
    expect(expired.json).toEqual({ errors: ['invalid expiration time (exp) claim: token is expired'] });
    const early = await login({
      role: 'dev-myapp',
      jwt: vault.mintServiceAccountJwt({ ...SA, notBeforeSeconds: 300 }),
    });
    expect(early.status).toBe(403);
    expect(early.json).toEqual({ errors: ['invalid not before (nbf) claim: token not yet valid'] });
  });

  it('checks audience and globs on bound names/namespaces', async () => {
    const sa = { namespace: 'team-a', serviceAccount: 'anything' };
    const noAud = await login({ role: 'wild', jwt: vault.mintServiceAccountJwt(sa) });
    expect(noAud.status).toBe(403);
    expect(noAud.json.errors[0]).toBe(
      'invalid audience (aud) claim: audience claim does not match any expected audience',
    );
    const ok = await login({ role: 'wild', jwt: vault.mintServiceAccountJwt({ ...sa, audience: 'vault' }) });
    expect(ok.status).toBe(200);
    expect(ok.json.auth.policies).toEqual(['default']);
  });

  it('checks the issuer only when the mount sets one', async () => {
    vault.enableKubernetesAuth('k8s-iss', { issuer: 'https://issuer.example' });
    vault.writeKubernetesRole('k8s-iss', 'r', {
      bound_service_account_names: ['*'],
      bound_service_account_namespaces: ['*'],
    });
    const bad = await login({ role: 'r', jwt: vault.mintServiceAccountJwt(SA) }, 'k8s-iss');
    expect(bad.status).toBe(403);
    expect(bad.json).toEqual({ errors: ['invalid issuer (iss) claim'] });
    const good = await login(
      { role: 'r', jwt: vault.mintServiceAccountJwt({ ...SA, issuer: 'https://issuer.example' }) },
      'k8s-iss',
    );
    expect(good.status).toBe(200);
  });

  it('500 without backend config; 404 no handler for a mount that does not exist', async () => {
    vault.enableKubernetesAuth('k8s-bare', { configured: false });
    vault.writeKubernetesRole('k8s-bare', 'r', {
      bound_service_account_names: ['*'],
      bound_service_account_namespaces: ['*'],
    });
    const bare = await login({ role: 'r', jwt: vault.mintServiceAccountJwt(SA) }, 'k8s-bare');
    expect(bare.status).toBe(500);
    expect(bare.json).toEqual({ errors: ['could not load backend configuration'] });
    const none = await login({ role: 'r', jwt: 'x' }, 'missing');
    expect(none.status).toBe(404);
    expect(none.json.errors[0]).toContain('no handler for route "auth/missing/login"');
  });

  it('mints tokens with the projected service-account claims', () => {
    const jwt = vault.mintServiceAccountJwt(SA);
    const [header, payload] = jwt
      .split('.')
      .slice(0, 2)
      .map((p) => JSON.parse(Buffer.from(p, 'base64url').toString()));
    expect(header.alg).toBe('RS256');
    expect(payload.sub).toBe('system:serviceaccount:myapp:vault-auth-dev-myapp');
    expect(payload['kubernetes.io']).toMatchObject({
      namespace: 'myapp',
      serviceaccount: { name: 'vault-auth-dev-myapp' },
      pod: { name: expect.any(String), uid: expect.any(String) },
    });
    expect(payload.exp - payload.iat).toBe(3600);
    expect(payload.nbf).toBe(payload.iat);
  });
});

describe('token self endpoints', () => {
  const loginToken = async () =>
    (await login({ role: 'dev-myapp', jwt: vault.mintServiceAccountJwt(SA) })).json.auth
      .client_token as string;

  it('lookup-self returns the token data', async () => {
    const token = await loginToken();
    const r = await call(vault, 'GET', 'auth/token/lookup-self', { token });
    expect(r.status).toBe(200);
    expect(r.json.auth).toBeNull();
    expect(r.json.data).toMatchObject({
      id: token,
      policies: ['default', 'myapp-dev-read'],
      path: `auth/${MOUNT}/login`,
      renewable: true,
      orphan: true,
      type: 'service',
      creation_ttl: 600,
      explicit_max_ttl: 0,
      num_uses: 0,
    });
    expect(r.json.data.ttl).toBeGreaterThan(590);
    expect(r.json.data.display_name).toBe(`${MOUNT}-myapp-vault-auth-dev-myapp`);
  });

  it('renew-self extends the TTL and caps it at the max TTL with a warning', async () => {
    const token = await loginToken();
    const r = await call(vault, 'POST', 'auth/token/renew-self', { token, body: { increment: '5m' } });
    expect(r.status).toBe(200);
    expect(r.json.auth).toMatchObject({ client_token: token, lease_duration: 300 });
    expect(r.json.warnings).toBeNull();
    const capped = await call(vault, 'POST', 'auth/token/renew-self', { token, body: { increment: '1h' } });
    expect(capped.json.auth.lease_duration).toBeLessThanOrEqual(900);
    expect(capped.json.auth.lease_duration).toBeGreaterThan(890);
    expect(capped.json.warnings[0]).toMatch(
      /^TTL of "1h0m0s" exceeded the effective max_ttl of ".*"; TTL value is capped accordingly$/,
    );
  });

  it('renew-self of a non-renewable token is 400', async () => {
    const token = vault.createToken({ renewable: false });
    const r = await call(vault, 'POST', 'auth/token/renew-self', { token, body: {} });
    expect(r.status).toBe(400);
    expect(r.json).toEqual({ errors: ['lease is not renewable'] });
  });

  it('revoke-self answers 204 and the token is dead afterwards', async () => {
    const token = await loginToken();
    const r = await call(vault, 'POST', 'auth/token/revoke-self', { token });
    expect(r.status).toBe(204);
    expect(r.text).toBe('');
    const after = await call(vault, 'GET', 'auth/token/lookup-self', { token });
    expect(after.status).toBe(403);
    expect(after.json.errors[0]).toContain('permission denied');
  });

  it('a token expires at its TTL', async () => {
    const token = vault.createToken({ ttl: 1 });
    expect((await call(vault, 'GET', 'auth/token/lookup-self', { token })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await call(vault, 'GET', 'auth/token/lookup-self', { token })).status).toBe(403);
  });

  it('auth/token/create issues a child token (root only for other policies)', async () => {
    const r = await call(vault, 'POST', 'auth/token/create', {
      token: vault.rootToken,
      body: { policies: ['myapp-dev-read'], ttl: '1h' },
    });
    expect(r.status).toBe(200);
    expect(r.json.auth).toMatchObject({
      policies: ['default', 'myapp-dev-read'],
      lease_duration: 3600,
      renewable: true,
    });
    const child = r.json.auth.client_token as string;
    const denied = await call(vault, 'POST', 'auth/token/create', { token: child, body: {} });
    expect(denied.status).toBe(403);
  });
});

describe('approle', () => {
  it('issues role-id and secret-id over HTTP and logs in', async () => {
    const root = vault.rootToken;
    await call(vault, 'POST', 'sys/auth/approle', { token: root, body: { type: 'approle' } });
    await call(vault, 'POST', 'auth/approle/role/app', {
      token: root,
      body: { token_policies: 'a,b', token_ttl: '20m' },
    });
    const roleId = (await call(vault, 'GET', 'auth/approle/role/app/role-id', { token: root })).json.data
      .role_id;
    const secret = await call(vault, 'POST', 'auth/approle/role/app/secret-id', { token: root, body: {} });
    expect(secret.json.data.secret_id).toEqual(expect.any(String));
    const r = await call(vault, 'POST', 'auth/approle/login', {
      body: { role_id: roleId, secret_id: secret.json.data.secret_id },
    });
    expect(r.status).toBe(200);
    expect(r.json.auth).toMatchObject({
      policies: ['a', 'b', 'default'],
      lease_duration: 1200,
      metadata: { role_name: 'app' },
    });
    const bad = await call(vault, 'POST', 'auth/approle/login', {
      body: { role_id: roleId, secret_id: 'wrong' },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.errors[0]).toBe('invalid role or secret ID');
    expect((await call(vault, 'POST', 'auth/approle/login', { body: {} })).json.errors[0]).toBe(
      'missing role_id',
    );
  });

  it('works through the helpers too', async () => {
    vault.enableAppRole('ar');
    const { roleId, secretId } = vault.writeAppRole('ar', 'svc', { token_policies: ['x'] });
    const r = await call(vault, 'POST', 'auth/ar/login', { body: { role_id: roleId, secret_id: secretId } });
    expect(r.json.auth.policies).toEqual(['default', 'x']);
  });
});
