import { startupErrorLine } from '@vault-config/core';
import { buildApp } from './app';

/** One clear line (class, code, what to check), never a stack trace or a secret. */
function reportAndExit(error: unknown): never {
  process.stderr.write(`${startupErrorLine(error)}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  // Read before loading: Vault wins over the environment, and a secret named PORT must not move us.
  const host = process.env.HOST ?? '127.0.0.1';
  const port = Number(process.env.PORT ?? 3000);
  const app = await buildApp();
  try {
    await app.listen({ host, port });
  } catch (error) {
    await app.close().catch(() => undefined);
    reportAndExit(error);
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      app.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
}

main().catch(reportAndExit);
