import { VaultConfigurationError, type SecretsRecord } from '@vault-config/core';

/** How long ConfigService's load waits for the manager factory to begin before calling it a cycle. */
export const HANDOFF_START_BOUND_MS = 10_000;

/**
 * Carries one bootstrap's loaded secrets from the manager factory (which has DI: its options come
 * from `useFactory`/`inject`) to ConfigModule's `load` function (which has none). ConfigService
 * waits for its `load` providers, so its consumers wait for Vault.
 */
export class SecretsHandoff {
  private resolveSecrets!: (secrets: SecretsRecord) => void;
  private rejectSecrets!: (error: unknown) => void;
  private signalStart!: () => void;
  private readonly loaded = new Promise<SecretsRecord>((resolve, reject) => {
    this.resolveSecrets = resolve;
    this.rejectSecrets = reject;
  });
  private readonly started = new Promise<void>((resolve) => (this.signalStart = resolve));

  constructor() {
    // Delivered through secrets() or through the manager factory; never as an unhandled rejection.
    this.loaded.catch(() => undefined);
  }

  start(): void {
    this.signalStart();
  }

  resolve(secrets: SecretsRecord): void {
    this.resolveSecrets(secrets);
  }

  reject(error: unknown): void {
    this.rejectSecrets(error);
  }

  /** The secrets, once loaded; fails if the manager factory never begins (a dependency cycle). */
  async secrets(boundMs = HANDOFF_START_BOUND_MS): Promise<Record<string, string>> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stalled = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(stalledError(boundMs)), boundMs);
    });
    try {
      await Promise.race([this.started, stalled]);
    } finally {
      clearTimeout(timer);
    }
    return { ...(await this.loaded) };
  }
}

function stalledError(boundMs: number): VaultConfigurationError {
  return new VaultConfigurationError(
    'VAULT_CONFIG_INVALID',
    `VaultConfigModule.forRootAsync({ configModule }) waited ${boundMs / 1000} s for its options ` +
      'factory to run: when the factory depends on ConfigService, ConfigService cannot also wait for ' +
      'Vault. Drop configModule and inject VaultSecrets (or VAULT_SECRET_MANAGER) next to ConfigService ' +
      'in the factories that need the secrets.',
  );
}
