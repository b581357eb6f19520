import { VaultSecretManager } from './manager';
import { showStatusOnly } from './safe-inspect';

export * from './errors';
export * from './types';

// console.log(manager) and JSON loggers show the status, never the secrets or the token.
showStatusOnly(VaultSecretManager);

export { VaultSecretManager };
export type { SecretsRecord } from './manager';
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
