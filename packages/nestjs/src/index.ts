export { VaultConfigModule } from './vault-config.module';
export { VaultSecrets } from './vault-secrets.service';
export { VAULT_SECRET_MANAGER } from './constants';
export { VAULT_MODULE_OPTIONS } from './module-definition';
export type { VaultModuleOptions } from './options';
export { VaultBootstrapLogger } from './bootstrap-logger';
