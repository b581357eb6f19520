/**
 * Where each Vault behaviour the tests assert comes from (the core's, the dev server's and the
 * cross-package tests). A test cites one with a `// vault: <key>` comment beside the assertion;
 * test/vault-sources.test.ts checks that every cited key is here and that every entry here is cited
 * and names a docs page or a Go file and function.
 */
export interface VaultSource {
  /** What Vault does, in a sentence. */
  fact: string;
  /** developer.hashicorp.com page, or `repo path/file.go Function`. */
  source: string;
}

const API = 'https://developer.hashicorp.com/vault/api-docs';
const DOCS = 'https://developer.hashicorp.com/vault/docs';

export const VAULT_SOURCES = {
  'kubernetes-login': {
    fact: 'POST /v1/auth/<mount>/login with role and jwt answers auth.client_token and auth.lease_duration',
    source: `${API}/auth/kubernetes#login`,
  },
  'kubernetes-login-unbound': {
    fact: 'a JWT of a service account or namespace the role does not bind is refused with 403 (a plain 500 in older plugins)',
    source: 'hashicorp/vault-plugin-auth-kubernetes path_login.go (*kubeAuthBackend).parseAndValidateJWT',
  },
  'kubernetes-login-role': {
    fact: 'a login naming a role that does not exist is refused with 400 "invalid role name"',
    source: 'hashicorp/vault-plugin-auth-kubernetes path_login.go (*kubeAuthBackend).pathLogin',
  },
  'no-handler-404': {
    fact: 'a path under no mount (a wrong auth mount) answers 404 "no handler for route"',
    source: 'hashicorp/vault vault/router.go (*Router).routeCommon',
  },
  'read-missing-404': {
    fact: 'a read of a path that holds no secret answers 404 with an empty errors list',
    source: 'hashicorp/vault sdk/logical/response_util.go RespondErrorCommon (read with no response → 404)',
  },
  'approle-login': {
    fact: 'POST /v1/auth/<mount>/login with role_id and secret_id answers auth.client_token',
    source: `${API}/auth/approle#login-with-approle`,
  },
  'approle-login-rejection': {
    fact: 'a wrong secret_id is refused with 400 "invalid role or secret ID", which does not quote it',
    source: 'hashicorp/vault builtin/credential/approle/path_login.go pathLoginUpdate',
  },
  'kv2-read': {
    fact: 'GET /v1/<mount>/data/<path>[?version=N] answers data.data and data.metadata.version',
    source: `${API}/secret/kv/kv-v2#read-secret-version`,
  },
  'kv1-read': {
    fact: 'GET /v1/<mount>/<path> answers the key/value pairs in data',
    source: `${API}/secret/kv/kv-v1#read-secret`,
  },
  'kv-preflight': {
    fact: 'GET /v1/sys/internal/ui/mounts/<path> tells the mount type and options.version; no version means KV v1',
    source: 'hashicorp/vault command/kv_helpers.go kvPreflightVersionRequest',
  },
  'token-revoke-self': {
    fact: 'POST /v1/auth/token/revoke-self revokes the calling token and answers 204',
    source: `${API}/auth/token#revoke-a-token-self`,
  },
  'token-renew-self': {
    fact: 'POST /v1/auth/token/renew-self with increment extends the token, capped by its max TTL',
    source: `${API}/auth/token#renew-a-token-self`,
  },
  'token-lookup-self': {
    fact: 'GET /v1/auth/token/lookup-self answers the calling token; a revoked token gets 403',
    source: `${API}/auth/token#lookup-a-token-self`,
  },
  'token-max-ttl': {
    fact: 'a token cannot be renewed past its max TTL; after that only a new login gives a token',
    source: `${DOCS}/concepts/tokens#token-time-to-live-periodic-tokens-and-explicit-max-ttls`,
  },
  'lease-renew': {
    fact: 'PUT /v1/sys/leases/renew with lease_id and increment answers 200 with the new lease_duration',
    source: `${API}/system/leases#renew-lease`,
  },
  'lease-revoke': {
    fact: 'PUT /v1/sys/leases/revoke with lease_id answers 204',
    source: `${API}/system/leases#revoke-lease`,
  },
  'lease-unknown': {
    fact: 'renewing a lease that is revoked or expired answers 400 "lease not found"',
    source: 'hashicorp/vault vault/expiration.go (*ExpirationManager).Renew',
  },
  'database-creds': {
    fact: 'GET /v1/database/creds/<role> answers username and password with lease_id, lease_duration, renewable',
    source: `${API}/secret/databases#generate-credentials`,
  },
  'database-revoke-drops-role': {
    fact: "revoking a PostgreSQL lease runs the role's revocation statements; the default drops the user",
    source: `${API}/secret/databases/postgresql#revocation_statements`,
  },
  'lifetime-watcher': {
    fact: 'a renewer sleeps about 2/3 of the remaining lease (with jitter) before renewing',
    source: 'hashicorp/vault api/lifetime_watcher.go (*LifetimeWatcher).calculateSleepDuration',
  },
  'sealed-503': {
    fact: 'a sealed Vault answers requests with 503 and "Vault is sealed"',
    source: 'hashicorp/vault sdk/logical/response_util.go AdjustErrorStatusCode (ErrSealed → 503)',
  },
  'health-codes': {
    fact: 'sys/health answers 200 active, 429 standby, 501 not initialized, 503 sealed',
    source: `${API}/system/health#read-health-information`,
  },
  'status-codes': {
    fact: '400 invalid request, 403 permission denied, 404 unknown path, 429 rate limited, 5xx server errors',
    source: `${API}#http-status-codes`,
  },
  'permission-denied': {
    fact: 'a path no policy grants answers 403 with "permission denied"',
    source: 'hashicorp/vault sdk/logical/response_util.go RespondErrorCommon (ErrPermissionDenied → 403)',
  },
  'plain-error-500': {
    fact: "a plugin's plain Go error with no response becomes 500 carrying its text",
    source: 'hashicorp/vault sdk/logical/response_util.go RespondErrorCommon',
  },
  'rate-limit-retry-after': {
    fact: "a rate-limit quota answers 429 with Retry-After set to the bucket's reset time",
    source: 'hashicorp/vault vault/quotas/quotas_rate_limit.go (*RateLimitQuota).allow',
  },
  'acl-plus-glob': {
    fact: 'in a policy path, + matches exactly one path segment and * a suffix',
    source: `${DOCS}/concepts/policies#policy-syntax`,
  },
  'jwt-expiry-leeway': {
    fact: 'an expired service-account JWT is refused, with 60 s of clock-skew leeway (go-jose jwt.DefaultLeeway)',
    source: 'hashicorp/cap jwt/jwt.go (*Validator).validateAll',
  },
  // The dev server's policy language and ACL (packages/testing/test).
  'policy-shorthand': {
    fact: 'the old policy = "deny|read|write|sudo" maps to deny; read, list; create, read, update, delete, list (no patch); write plus sudo',
    source: 'hashicorp/vault vault/policy.go parsePaths',
  },
  'policy-capabilities': {
    fact: 'capability names are case-sensitive; a deny ends the path block, so later capabilities and constraints are not read',
    source: 'hashicorp/vault vault/policy.go parsePaths',
  },
  'policy-wildcards': {
    fact: 'a path containing +* is refused; + is a segment wildcard only as a whole segment (HasSegmentWildcards)',
    source: 'hashicorp/vault vault/policy.go parsePaths',
  },
  'acl-priority': {
    fact: 'an exact rule wins; else among matching globs: later first wildcard, non-prefix, fewer +, longer, greater',
    source: 'hashicorp/vault vault/acl.go (*ACL).CheckAllowedFromNonExactPaths',
  },
  'acl-list-trailing-slash': {
    fact: 'a list of foo/ looks for an exact rule on foo/ then foo, then asks the globs about foo before foo/',
    source: 'hashicorp/vault vault/acl.go (*ACL).AllowOperation',
  },
  'acl-merge': {
    fact: 'two policies on one path: capabilities and parameter lists merge, an empty list wins, the lesser min and max wrapping TTLs are kept',
    source: 'hashicorp/vault vault/acl.go NewACL',
  },
  'acl-parameters': {
    fact: 'read, create, update and patch check required (looked up lowercased), denied, then allowed parameters',
    source: 'hashicorp/vault vault/acl.go (*ACL).AllowOperation',
  },
  'acl-parameter-values': {
    fact: 'a list value or a comma-separated string is allowed when all its parts are, denied when any is; * globs only at either end',
    source: 'hashicorp/vault vault/acl.go valueInAllowedParameterList',
  },
  'policy-hcl-heredoc': {
    fact: 'policies are HCL 1: a <<- heredoc loses the closing marker indentation when every line has it',
    source: 'hashicorp/hcl hcl/token/token.go unindentHeredoc',
  },
  // The dev server's JWT checks.
  'jwt-claim-order': {
    fact: 'cap decodes the claims, compares iss, sub, aud, then checks nbf, exp, iat against time.Now with 60 s leeway',
    source: 'hashicorp/cap jwt/jwt.go (*Validator).validateAll',
  },
  'jwt-claims-decoding': {
    fact: 'claims that do not decode into go-jose jwt.Claims (a text exp, a numeric aud or iss) refuse the token with the decoder error',
    source: 'hashicorp/cap jwt/jwt.go (*Validator).validateAll',
  },
  // The dev server's token store.
  'token-ttl-limits': {
    fact: 'the effective max TTL is the least of the mount/system max, the role max and the explicit max, counted in whole seconds from the issue time; a longer TTL is capped with a warning',
    source: 'hashicorp/vault sdk/framework/lease.go CalculateTTL',
  },
  'token-renew-default': {
    fact: 'a renewal without increment asks the TTL of the auth kept in the lease entry, which each renewal replaces',
    source: 'hashicorp/vault vault/expiration.go (*ExpirationManager).RenewToken',
  },
} satisfies Record<string, VaultSource>;

export type VaultSourceKey = keyof typeof VAULT_SOURCES;
