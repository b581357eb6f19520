export * from './errors';
export * from './types';
export { VaultSecretManager, type SecretsRecord } from './manager';
export { loadVaultSecrets } from './load';
export {
  resolveOptions,
  parseStrictBoolean,
  DEFAULT_TOKEN_PATH,
  type VaultOptions,
  type ResolvedOptions,
  type KvVersion,
  type KeyTransform,
  type EnvRecord,
} from './options';
export { toEnvValue, assertValidKey, mapKey } from './values';
export { maskKeyName, looksSensitive, createLogger, type CoreLogger } from './logger';
export { buildStatus } from './status';
export type { AuthMethod, AuthSession } from './auth';
