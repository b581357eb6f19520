import { Controller, Get, Inject } from '@nestjs/common';
import { VaultSecrets } from '@vault-config/nestjs';
import { DATABASE_CONFIG, type DatabaseConfig } from './database-config';

/** Non-secret facts only: shows that a provider built from a Vault secret exists. */
@Controller('info')
export class InfoController {
  constructor(
    @Inject(DATABASE_CONFIG) private readonly database: DatabaseConfig,
    @Inject(VaultSecrets) private readonly vault: VaultSecrets,
  ) {}

  @Get()
  info() {
    const { host, port, database } = this.database;
    return { database: { host, port, database }, vault: { keys: this.vault.getStatus().keys } };
  }
}
