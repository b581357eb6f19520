# Policy myapp-dev-read ({app}-{env}-read): what role dev-myapp's tokens may do.
# Exactly one KV v2 path, read only. KV v2 serves secret data under <mount>/data/<path>,
# so the policy names the `data/` segment. No list, no metadata, no wildcard: a token that
# leaks from myapp can read myapp's dev secrets and nothing else.
# Renewing, looking up and revoking its own token come from Vault's built-in `default` policy.
path "kv/data/ACME/DEV/MYAPP" {
  capabilities = ["read"]
}
