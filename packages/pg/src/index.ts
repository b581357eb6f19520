export {
  createVaultPgPool,
  VaultPgPool,
  type PoolSecretSource,
  type SwapEvent,
  type RetiredEvent,
} from './vault-pg-pool';
export { VaultPoolError } from './errors';
export type { VaultPgPoolOptions } from './options';
