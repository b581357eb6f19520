import { Module } from '@nestjs/common';
import { ConditionalModule, ConfigModule } from '@nestjs/config';
import { TerminusModule } from '@nestjs/terminus';
import { VaultConfigModule } from '@vault-config/nestjs';
import { VaultHealthIndicator } from '@vault-config/nestjs/health';
import { databaseConfigProvider } from './database-config';
import { DatabaseModule } from './database.module';
import { HealthController } from './health.controller';
import { InfoController } from './info.controller';

/*
 * With options from other providers instead, `forRootAsync({ imports, inject, useFactory,
 * configModule: { isGlobal: true } })` registers ConfigModule itself so that ConfigService waits
 * for Vault; see the package README for which arrangements let a ConfigService factory see secrets.
 */
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true }),
    TerminusModule,
    // The environment contract (VAULT_ADDR, VAULT_ROLE, VAULT_PATH, …) fills in everything else.
    VaultConfigModule.forRoot({ required: ['DATABASE_URL'] }),
    // Only with dynamic database credentials configured: a pool that follows their rotations. (A
    // string condition would register it unless the variable is "false", so test for presence.)
    ConditionalModule.registerWhen(DatabaseModule, (env) => Boolean(env.VAULT_DYNAMIC)),
  ],
  controllers: [HealthController, InfoController],
  providers: [VaultHealthIndicator, databaseConfigProvider],
})
export class AppModule {}
