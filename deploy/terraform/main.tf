# Terraform equivalent of deploy/vault/setup.sh (hashicorp/vault provider).
#
#   terraform init && terraform apply \
#     -var kubernetes_host=https://203.0.113.10:6443 \
#     -var kubernetes_ca_cert="$(cat k8s-ca.crt)" \
#     -var token_reviewer_jwt="$(cat reviewer.jwt)"
#
# The provider reads VAULT_ADDR and VAULT_TOKEN from the environment.
# Note: token_reviewer_jwt ends up in Terraform state; protect the state like a secret, or
# leave it unset when Vault runs in the cluster (Vault then uses its own pod token).

terraform {
  required_version = ">= 1.3"
  required_providers {
    vault = {
      source  = "hashicorp/vault"
      version = ">= 4.0"
    }
  }
}

variable "env" {
  type    = string
  default = "dev"
}

variable "app" {
  type    = string
  default = "myapp"
}

variable "namespace" {
  description = "Kubernetes namespace of the app's ServiceAccount."
  type        = string
  default     = "myapp"
}

variable "org" {
  description = "First segment of the KV path ORG/{ENV}/{APP}."
  type        = string
  default     = "ACME"
}

variable "kv_mount" {
  type    = string
  default = "kv"
}

variable "manage_kv_mount" {
  description = "Create the KV v2 mount here. Set false when another configuration owns it (it is shared by every app)."
  type        = bool
  default     = true
}

variable "kubernetes_host" {
  description = "Kubernetes API server URL as Vault reaches it."
  type        = string
  default     = "https://kubernetes.default.svc"
}

variable "kubernetes_ca_cert" {
  description = "PEM CA of the API server. null: Vault in a pod uses its local ca.crt."
  type        = string
  default     = null
}

variable "token_reviewer_jwt" {
  description = "JWT for the TokenReview API (needs system:auth-delegator). null: Vault in a pod uses its own token."
  type        = string
  default     = null
  sensitive   = true
}

variable "audience" {
  description = "Audience the pod's projected token must carry; empty string disables the check."
  type        = string
  default     = "vault"
}

variable "token_ttl" {
  description = "Login token TTL, seconds."
  type        = number
  default     = 3600
}

variable "token_max_ttl" {
  description = "Login token max TTL across renewals, seconds."
  type        = number
  default     = 86400
}

locals {
  auth_mount      = "kubernetes-${var.env}-${var.app}"
  role            = "${var.env}-${var.app}"
  service_account = "vault-auth-${var.env}-${var.app}"
  policy          = "${var.app}-${var.env}-read"
  kv_path         = "${var.org}/${upper(var.env)}/${upper(var.app)}"
}

resource "vault_mount" "kv" {
  count       = var.manage_kv_mount ? 1 : 0
  path        = var.kv_mount
  type        = "kv"
  options     = { version = "2" }
  description = "KV v2 for vault-config apps"
}

resource "vault_auth_backend" "kubernetes" {
  type        = "kubernetes"
  path        = local.auth_mount
  description = "vault-config: ${var.app} (${var.env})"
}

resource "vault_kubernetes_auth_backend_config" "this" {
  backend            = vault_auth_backend.kubernetes.path
  kubernetes_host    = var.kubernetes_host
  kubernetes_ca_cert = var.kubernetes_ca_cert
  token_reviewer_jwt = var.token_reviewer_jwt
}

# Read on exactly one KV v2 path (the `data/` segment is how KV v2 serves secret data).
resource "vault_policy" "read" {
  name   = local.policy
  policy = <<-EOT
    path "${var.kv_mount}/data/${local.kv_path}" {
      capabilities = ["read"]
    }
  EOT
}

resource "vault_kubernetes_auth_backend_role" "this" {
  backend                          = vault_auth_backend.kubernetes.path
  role_name                        = local.role
  bound_service_account_names      = [local.service_account]
  bound_service_account_namespaces = [var.namespace]
  audience                         = var.audience == "" ? null : var.audience
  token_policies                   = [vault_policy.read.name]
  token_ttl                        = var.token_ttl
  token_max_ttl                    = var.token_max_ttl
}

output "app_environment" {
  description = "The vault-config environment variables for the Deployment."
  value = {
    VAULT_ROLE                 = local.role
    VAULT_PATH                 = local.kv_path
    VAULT_MOUNT_POINT          = var.kv_mount
    VAULT_K8S_AUTH_MOUNT_POINT = local.auth_mount
  }
}
