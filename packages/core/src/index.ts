/**
 * The public surface: what an app or a framework adapter uses. Everything else in src/ is internal
 * and may change in any release.
 */
export { VaultSecretManager } from './manager';
export { loadVaultSecrets } from './load';
export type { SecretsRecord } from './inject/secret-state';

export {
  VaultError,
  VaultConfigurationError,
  VaultAuthenticationError,
  VaultSecretError,
  isVaultError,
  startupErrorLine,
  type VaultErrorKind,
  type VaultErrorCode,
  type VaultConfigurationErrorCode,
  type VaultAuthenticationErrorCode,
  type VaultSecretErrorCode,
  type VaultErrorDetails,
} from './errors';

export type { VaultOptions, KvVersion, KeyTransform, EnvRecord, HealthBody } from './options';
export type { DynamicSecretSpec } from './lifecycle/options';
export type { Clock, RandomSource, TimerHandle } from './lifecycle/clock';

export {
  isReady,
  type VaultState,
  type VaultStatus,
  type VaultLastError,
  type AuthMethodName,
  type VaultLogger,
  type SecretChangeEvent,
  type SecretRotationEvent,
} from './types';
