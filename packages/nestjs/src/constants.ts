/** Injection token of the one `VaultSecretManager` the module owns. */
export const VAULT_SECRET_MANAGER = Symbol.for('@vault-config/nestjs.VAULT_SECRET_MANAGER');
