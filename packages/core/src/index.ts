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
  type HealthBody,
} from './options';
export { toEnvValue, assertValidKey, mapKey } from './values';
export { RESERVED_KEYS, RESERVED_PREFIXES, isReservedKey, isEnvVarName, safeKeyName } from './key-policy';
export { MAX_ENV_ENTRY_BYTES } from './inject';
export { healthBody } from './health-body';
export { describeKeys, createLogger, type CoreLogger } from './logger';
export { buildStatus } from './status';
export type { AuthMethod, AuthSession } from './auth';
