/** Injection token of the one `VaultSecretManager` the module owns. */
export const VAULT_SECRET_MANAGER = Symbol.for('@vault-config/nestjs.VAULT_SECRET_MANAGER');

/** Internal: how an application gives its manager back on shutdown. */
export const VAULT_MANAGER_LEASE = Symbol.for('@vault-config/nestjs.VAULT_MANAGER_LEASE');
