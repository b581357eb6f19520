#!/usr/bin/env bash
# Configure Vault for one app that loads its secrets with vault-config over kubernetes auth.
#
#   VAULT_ADDR=https://vault.example.com VAULT_TOKEN=... \
#   K8S_HOST=https://203.0.113.10:6443 K8S_CA_CERT_FILE=k8s-ca.crt \
#   TOKEN_REVIEWER_JWT_FILE=reviewer.jwt ./deploy/vault/setup.sh
#
# Creates, following the naming conventions (env `dev`, app `myapp`, org `ACME` by default):
#   KV v2 engine            kv/                        (enabled if missing)
#   kubernetes auth mount   kubernetes-{env}-{app}/    (enabled if missing, config rewritten)
#   policy                  {app}-{env}-read           read on exactly kv/data/{ORG}/{ENV}/{APP}
#   role                    {env}-{app}                bound to ServiceAccount vault-auth-{env}-{app}
#                                                      in namespace {NS}
# Safe to re-run: every step either checks first or overwrites with the same values.
# It never writes secret values: put those in with `vault kv put` (see the end of the output).
set -euo pipefail

# --- parameters (environment variables) ---
ENV="${ENV:-dev}"       # environment name, lower case in mount/role/SA names
APP="${APP:-myapp}"     # application name
NS="${NS:-myapp}"       # Kubernetes namespace of the app's ServiceAccount
ORG="${ORG:-ACME}"      # first segment of the KV path
KV_MOUNT="${KV_MOUNT:-kv}"
# Kubernetes API server as Vault reaches it. The default works when Vault runs in the cluster.
K8S_HOST="${K8S_HOST:-https://kubernetes.default.svc}"
# PEM CA of the API server. Unset: Vault in a pod uses its own ca.crt; elsewhere set it.
K8S_CA_CERT_FILE="${K8S_CA_CERT_FILE:-}"
# JWT Vault uses to call TokenReview. Unset: Vault in a pod uses its own (re-read) token.
# For Vault outside the cluster, the token of deploy/kubernetes/token-reviewer.yaml.
TOKEN_REVIEWER_JWT_FILE="${TOKEN_REVIEWER_JWT_FILE:-}"
# `true` stops Vault (in a pod) from falling back to its local token and CA.
DISABLE_LOCAL_CA_JWT="${DISABLE_LOCAL_CA_JWT:-false}"
# Audience the pod's token must carry (the Deployment projects a token with audience `vault`).
# Empty: no audience check (Vault then logs a warning on role write and login).
AUDIENCE="${AUDIENCE-vault}"
TOKEN_TTL="${TOKEN_TTL:-1h}"          # lifetime of a login token (renewable)
TOKEN_MAX_TTL="${TOKEN_MAX_TTL:-24h}" # hard cap across renewals

die() {
  echo "setup.sh: $*" >&2
  exit 1
}

# Names go into Vault paths: refuse anything that could change which path is meant.
for var in ENV APP NS ORG KV_MOUNT; do
  [[ "${!var}" =~ ^[A-Za-z0-9][A-Za-z0-9_-]*$ ]] || die "$var must be letters, digits, - or _ (got '${!var}')"
done
[[ -z "$K8S_CA_CERT_FILE" || -r "$K8S_CA_CERT_FILE" ]] || die "K8S_CA_CERT_FILE is not readable: $K8S_CA_CERT_FILE"
[[ -z "$TOKEN_REVIEWER_JWT_FILE" || -r "$TOKEN_REVIEWER_JWT_FILE" ]] ||
  die "TOKEN_REVIEWER_JWT_FILE is not readable: $TOKEN_REVIEWER_JWT_FILE"
command -v vault >/dev/null || die "the vault CLI is not on PATH"
[[ -n "${VAULT_ADDR:-}" ]] || die "VAULT_ADDR is not set"
# Fails early (and says why) when the CLI has no valid token.
vault token lookup >/dev/null || die "the vault CLI is not logged in (set VAULT_TOKEN or run vault login)"

ENV_UC="$(tr '[:lower:]' '[:upper:]' <<<"$ENV")"
APP_UC="$(tr '[:lower:]' '[:upper:]' <<<"$APP")"
AUTH_MOUNT="kubernetes-${ENV}-${APP}"
ROLE="${ENV}-${APP}"
SERVICE_ACCOUNT="vault-auth-${ENV}-${APP}"
POLICY="${APP}-${ENV}-read"
KV_PATH="${ORG}/${ENV_UC}/${APP_UC}"

# --- 1. KV version 2 at kv/ ---
# `vault secrets list -detailed` shows a mount's options as map[version:2] for KV v2.
kv_line="$(vault secrets list -detailed | awk -v m="${KV_MOUNT}/" '$1 == m' || true)"
if [[ -z "$kv_line" ]]; then
  vault secrets enable -path="$KV_MOUNT" -version=2 kv
elif [[ "$kv_line" != *"version:2"* ]]; then
  # Upgrading in place (vault kv enable-versioning) makes the mount briefly unavailable and
  # cannot be undone: leave that decision to a person.
  die "${KV_MOUNT}/ exists but is not KV version 2; upgrade it with 'vault kv enable-versioning ${KV_MOUNT}' or pick another KV_MOUNT"
else
  echo "KV v2 already enabled at ${KV_MOUNT}/"
fi

# --- 2. kubernetes auth at kubernetes-{env}-{app}/ ---
if vault auth list | awk '{print $1}' | grep -qxF "${AUTH_MOUNT}/"; then
  echo "kubernetes auth already enabled at ${AUTH_MOUNT}/"
else
  vault auth enable -path="$AUTH_MOUNT" -description="vault-config: ${APP} (${ENV})" kubernetes
fi

# How Vault checks a login: it sends the pod's JWT to the Kubernetes TokenReview API.
# - kubernetes_host: the API server URL.
# - kubernetes_ca_cert: CA to trust for that URL (@file = read from the file).
# - token_reviewer_jwt: the bearer token for TokenReview; needs system:auth-delegator.
#   Omitted: Vault in a pod uses its local SA token (re-read, so short-lived tokens work,
#   Vault 1.9.3+); Vault elsewhere sends the client's own JWT, which works only for
#   API-server-audience tokens whose SA holds system:auth-delegator.
# Values are passed as @file so no JWT ends up in the process list or shell history.
config_args=("kubernetes_host=${K8S_HOST}" "disable_local_ca_jwt=${DISABLE_LOCAL_CA_JWT}")
[[ -n "$K8S_CA_CERT_FILE" ]] && config_args+=("kubernetes_ca_cert=@${K8S_CA_CERT_FILE}")
[[ -n "$TOKEN_REVIEWER_JWT_FILE" ]] && config_args+=("token_reviewer_jwt=@${TOKEN_REVIEWER_JWT_FILE}")
vault write "auth/${AUTH_MOUNT}/config" "${config_args[@]}"

# --- 3. policy {app}-{env}-read: read on exactly one KV v2 path ---
vault policy write "$POLICY" - <<POLICY
# Policy ${POLICY} ({app}-{env}-read): what role ${ROLE}'s tokens may do.
# Exactly one KV v2 path, read only. KV v2 serves secret data under <mount>/data/<path>,
# so the policy names the \`data/\` segment. No list, no metadata, no wildcard: a token that
# leaks from ${APP} can read ${APP}'s ${ENV} secrets and nothing else.
# Renewing, looking up and revoking its own token come from Vault's built-in \`default\` policy.
path "${KV_MOUNT}/data/${KV_PATH}" {
  capabilities = ["read"]
}
POLICY

# --- 4. role {env}-{app} ---
# A login succeeds only for a token of ServiceAccount vault-auth-{env}-{app} in namespace NS
# (and, when AUDIENCE is set, whose `aud` claim contains it; Vault also asks TokenReview to
# check that audience). The token gets only the read policy above (plus `default`).
vault write "auth/${AUTH_MOUNT}/role/${ROLE}" \
  bound_service_account_names="$SERVICE_ACCOUNT" \
  bound_service_account_namespaces="$NS" \
  audience="$AUDIENCE" \
  token_policies="$POLICY" \
  token_ttl="$TOKEN_TTL" \
  token_max_ttl="$TOKEN_MAX_TTL"

cat <<DONE

Vault is ready for ${APP} (${ENV}). Set these on the Deployment (deploy/kubernetes does):
  VAULT_ADDR=${VAULT_ADDR}
  VAULT_ROLE=${ROLE}
  VAULT_PATH=${KV_PATH}
  VAULT_MOUNT_POINT=${KV_MOUNT}
  VAULT_K8S_AUTH_MOUNT_POINT=${AUTH_MOUNT}
ServiceAccount: ${SERVICE_ACCOUNT} in namespace ${NS}${AUDIENCE:+ (projected token audience: ${AUDIENCE})}

Now store the secrets, from a JSON file rather than the command line (shell history):
  vault kv put -mount=${KV_MOUNT} ${KV_PATH} @secrets.json
DONE
