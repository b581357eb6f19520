import { Controller, Get, Module } from '@nestjs/common';
import { InjectVaultPgPool, VaultPgModule, type VaultPgPool } from '@vault-config/pg/nestjs';

/** Non-secret proof that the live pool works: which role the current credentials log in as. */
@Controller('db')
export class DatabaseController {
  constructor(@InjectVaultPgPool() private readonly db: VaultPgPool) {}

  @Get('now')
  async now(): Promise<{ now: Date; user: string } | undefined> {
    const { rows } = await this.db.query<{ now: Date; user: string }>(
      'SELECT now() AS now, current_user AS user',
    );
    return rows[0];
  }
}

/**
 * With dynamic credentials (VAULT_DYNAMIC mapping to DB_USER / DB_PASSWORD), the injected pool follows
 * every rotation: it checks a pool with the new role, swaps, lets the old pool's queries finish, and
 * only then lets the old lease (and its role) be revoked. Host, port and database come from the
 * standard PGHOST / PGPORT / PGDATABASE variables.
 */
@Module({
  imports: [VaultPgModule.forRoot({ keys: { user: 'DB_USER', password: 'DB_PASSWORD' }, pool: { max: 4 } })],
  controllers: [DatabaseController],
})
export class DatabaseModule {}
