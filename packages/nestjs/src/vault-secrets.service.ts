import { Inject, Injectable, Optional, type OnModuleDestroy } from '@nestjs/common';
import type { SecretChangeEvent, SecretRotationEvent, VaultStatus } from '@vault-config/core';
import type { Observable } from 'rxjs';
import { VAULT_MANAGER_LEASE, VAULT_SECRET_MANAGER } from './constants';
import type { ManagerLease, VaultSecretSource } from './secret-source';

/** Secrets, status and events of the application's Vault manager. */
@Injectable()
export class VaultSecrets implements OnModuleDestroy {
  constructor(
    @Inject(VAULT_SECRET_MANAGER) readonly manager: VaultSecretSource,
    @Optional() @Inject(VAULT_MANAGER_LEASE) private readonly lease?: ManagerLease,
  ) {}

  get(key: string): string | undefined {
    return this.manager.get(key);
  }

  getAll(): Readonly<Record<string, string>> {
    return this.manager.getAll();
  }

  getStatus(): VaultStatus {
    return this.manager.getStatus();
  }

  /** The reference service's name for `getStatus()`. */
  get_status(): VaultStatus {
    return this.manager.getStatus();
  }

  get status$(): Observable<VaultStatus> {
    return this.manager.status$;
  }

  get changes$(): Observable<SecretChangeEvent> {
    return this.manager.changes$;
  }

  /** New dynamic credentials, with their values, so the app can swap its connection pool. */
  get rotations$(): Observable<SecretRotationEvent> {
    return this.manager.rotations$;
  }

  /** `app.close()` (and SIGTERM with `enableShutdownHooks()`) stops every timer the core started. */
  async onModuleDestroy(): Promise<void> {
    await (this.lease ? this.lease.release() : this.manager.close());
  }
}
