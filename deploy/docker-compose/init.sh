#!/bin/sh
# One-shot set-up of the dev-mode Vault for the examples (runs in the hashicorp/vault image,
# whose shell is busybox sh, hence POSIX sh). Safe to run again against the same server.
set -eu

# Dev mode already mounts a KV v2 engine at secret/; the examples (like production) use kv/.
if vault secrets list | awk '{print $1}' | grep -qx 'kv/'; then
  echo "KV already enabled at kv/"
else
  vault secrets enable -path=kv -version=2 kv
fi

# Demo values only, from a file so they never sit in a command line.
vault kv put -mount=kv ACME/DEV/MYAPP @/init/demo-secrets.json

# The same least-privilege policy as production: read on exactly kv/data/ACME/DEV/MYAPP.
vault policy write myapp-dev-read /init/myapp-dev-read.hcl

# The apps' token: read policy only (plus `default`, for renew/revoke-self). A fixed id keeps
# the compose file self-contained; that is acceptable only because this Vault is a dev toy.
if vault token lookup "$APP_TOKEN" >/dev/null 2>&1; then
  echo "app token already exists"
else
  vault token create -id="$APP_TOKEN" -policy=myapp-dev-read -orphan -ttl=768h \
    -display-name=myapp-dev >/dev/null
  echo "created the app token (policy myapp-dev-read)"
fi
