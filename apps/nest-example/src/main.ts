import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { startupErrorLine } from '@vault-config/core';
import { VaultBootstrapLogger } from '@vault-config/nestjs';

/** One clear line (class, code, what to check), never a stack trace or a secret. */
function reportAndExit(error: unknown): never {
  process.stderr.write(`${startupErrorLine(error)}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  // Read before loading: Vault wins over the environment, and a secret named PORT must not move us.
  const host = process.env.HOST ?? '127.0.0.1';
  const port = Number(process.env.PORT ?? 3000);
  // AppModule's decorators start loading Vault secrets, so import it inside the error handling.
  const { AppModule } = await import('./app.module');
  const app = await NestFactory.create(AppModule, {
    // Reject instead of process.abort(), so we can print one line and exit 1.
    abortOnError: false,
    // Drops Nest's stack-trace log of a VaultError: reportAndExit prints it once.
    logger: new VaultBootstrapLogger(),
  });
  app.enableShutdownHooks();
  await app.listen(port, host);
}

main().catch(reportAndExit);
