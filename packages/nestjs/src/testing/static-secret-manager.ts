import type { SecretChangeEvent, SecretRotationEvent, VaultStatus } from '@vault-config/core';
import { BehaviorSubject, Subject, type Observable } from 'rxjs';
import type { VaultSecretSource } from '../secret-source';

/**
 * Fixed secrets in place of a manager, for unit tests: no Vault, no token file, no timers. Its
 * status is `disabled` (Vault not used, readiness up) with the number of keys it holds.
 */
export class StaticSecretManager implements VaultSecretSource {
  private readonly secrets: Readonly<Record<string, string>>;
  private readonly status: BehaviorSubject<VaultStatus>;
  private readonly changes = new Subject<SecretChangeEvent>();
  private readonly rotations = new Subject<SecretRotationEvent>();
  readonly status$: Observable<VaultStatus>;
  readonly changes$: Observable<SecretChangeEvent>;
  readonly rotations$: Observable<SecretRotationEvent>;

  /** Values `env` had before `inject` wrote over them, restored by `close()`. */
  private readonly previous = new Map<string, string | undefined>();

  /** With `env`, writes the secrets there (as `forRoot` injects into `process.env`) until `close()`. */
  constructor(
    secrets: Record<string, string>,
    private readonly env?: Record<string, string | undefined>,
  ) {
    for (const [key, value] of Object.entries(secrets)) {
      if (typeof value !== 'string')
        throw new TypeError(`VaultConfigModule.forTesting: the value of "${key}" must be a string`);
    }
    this.secrets = Object.freeze({ ...secrets });
    if (env) {
      for (const [key, value] of Object.entries(this.secrets)) {
        this.previous.set(key, env[key]);
        env[key] = value;
      }
    }
    this.status = new BehaviorSubject<VaultStatus>({
      authenticated: false,
      secrets_loaded: true,
      vault_url: null,
      vault_path: null,
      vault_role: null,
      state: 'disabled',
      auth_method: null,
      keys: Object.keys(this.secrets).length,
      loaded_at: new Date().toISOString(),
      token_expires_at: null,
      last_error: null,
    });
    this.status$ = this.status.asObservable();
    this.changes$ = this.changes.asObservable();
    this.rotations$ = this.rotations.asObservable();
  }

  getHealthBody(): VaultStatus {
    return this.status.getValue();
  }

  get(key: string): string | undefined {
    return Object.prototype.hasOwnProperty.call(this.secrets, key) ? this.secrets[key] : undefined;
  }

  getAll(): Readonly<Record<string, string>> {
    return this.secrets;
  }

  getStatus(): VaultStatus {
    return { ...this.status.getValue() };
  }

  get_status(): VaultStatus {
    return this.getStatus();
  }

  async close(): Promise<void> {
    for (const [key, value] of this.previous) {
      if (value === undefined) delete this.env?.[key];
      else if (this.env) this.env[key] = value;
    }
    this.previous.clear();
    this.changes.complete();
    this.rotations.complete();
    this.status.complete();
  }

  /** Printing a manager shows its status, never the values. */
  toJSON(): VaultStatus {
    return this.getStatus();
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `StaticSecretManager ${JSON.stringify(this.getStatus())}`;
  }
}
