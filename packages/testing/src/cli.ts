import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { startVaultDevServer } from './dev-server';
import { loadSeedFile } from './seed';
import type { SeedFile } from './types';

const USAGE = `Usage: vault-dev-server [--port N] [--seed FILE] [--token-file PATH] [--root-token TOKEN]

Starts a Vault-API-compatible dev server on 127.0.0.1 and prints one JSON line:
{"address":"http://127.0.0.1:PORT","rootToken":"…","tokenFile":"…","unsealKey":"…"}`;

/** The audience of the first role that admits this service account, so its token can log in. */
function audienceFor(seed: SeedFile, namespace: string, name: string): string | undefined {
  for (const mount of Object.values(seed.kubernetes ?? {})) {
    for (const role of Object.values(mount.roles)) {
      const ok = (list: string[], v: string) => list.includes('*') || list.includes(v);
      if (ok(role.bound_service_account_names, name) && ok(role.bound_service_account_namespaces, namespace))
        return role.audience;
    }
  }
  return undefined;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      seed: { type: 'string' },
      'token-file': { type: 'string' },
      'root-token': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid --port "${values.port}"`);
  const seed = values.seed ? loadSeedFile(resolve(values.seed)) : undefined;
  const server = await startVaultDevServer({
    port,
    ...(seed ? { seed } : {}),
    ...(values['root-token'] ? { rootToken: values['root-token'] } : {}),
  });

  let tokenFile: string | null = null;
  if (values['token-file']) {
    const sa = seed?.serviceAccounts?.[0];
    if (!sa) {
      await server.close();
      throw new Error('--token-file needs a seed with at least one entry in "serviceAccounts"');
    }
    const audience = audienceFor(seed!, sa.namespace, sa.name);
    tokenFile = server.writeServiceAccountTokenFile(resolve(values['token-file']), {
      namespace: sa.namespace,
      serviceAccount: sa.name,
      ...(audience ? { audience } : {}),
      // A long-lived token: the CLI serves local work, where nobody rotates the file.
      ttlSeconds: 24 * 3600,
    });
  }

  // Handlers first: whoever reads the line may signal at once.
  const stop = () => {
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);

  process.stdout.write(
    `${JSON.stringify({ address: server.address, rootToken: server.rootToken, tokenFile, unsealKey: server.unsealKey })}\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`vault-dev-server: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
