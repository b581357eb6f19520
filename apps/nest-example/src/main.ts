import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { startupErrorLine } from '@vault-config/core';
import { VaultBootstrapLogger } from '@vault-config/nestjs';
// Importing the module loads nothing: VaultConfigModule.forRoot loads while NestFactory.create runs.
import { AppModule } from './app.module';

/** One clear line (class, code, what to check), never a stack trace or a secret. */
function reportAndExit(error: unknown): never {
  process.stderr.write(`${startupErrorLine(error)}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  // Read before loading: Vault wins over the environment, and a secret named PORT must not move us.
  const host = process.env.HOST ?? '127.0.0.1';
  const port = Number(process.env.PORT ?? 3000);
  const app = await NestFactory.create(AppModule, {
    // Reject instead of process.abort(), so we can print one line and exit 1.
    abortOnError: false,
    // Drops Nest's stack-trace log of a VaultError: reportAndExit prints it once.
    logger: new VaultBootstrapLogger(),
  });
  // SIGTERM/SIGINT run app.close(): the server stops and VaultConfigModule closes its manager.
  app.enableShutdownHooks();
  // After closing, Nest re-raises the signal to end the process. Listening here absorbs that second
  // signal, so the process exits 0 on its own once nothing is left running.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => undefined);
  await app.listen(port, host);
}

main().catch(reportAndExit);
