/**
 * The node-vault client, configured from resolved options: address, namespace, timeout, TLS.
 * - `debug` is a no-op: node-vault logs request bodies (the JWT, secret ids) through `debug`, which
 *   `DEBUG=*` would print.
 * - node-vault reads VAULT_TOKEN, VAULT_NAMESPACE and VAULT_SKIP_VERIFY from process.env on its own
 *   (VAULT_SKIP_VERIFY=false even turns verification off there); we set every one explicitly.
 * - Responses go through our handler so failures carry status, headers and Vault's message.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readBoundedFileSync } from '../bounded-file';
import type nodeVault from 'node-vault';
import { loadNodeVault } from './node-vault';
import { VaultConfigurationError } from '../errors';
import { VaultHttpError } from './http-error';
import type { ResolvedOptions } from '../options';
import { createTransport, type Transport, type TransportResponse } from './transport';

export type NodeVaultClient = nodeVault.client;

export interface VaultHttpClient {
  client: NodeVaultClient;
  transport: Transport;
  /** Per-request options: a timeout and an abort signal bounded by the start-up deadline. */
  requestOptions(timeoutMs: number, signal?: AbortSignal): Record<string, unknown>;
  close(): void;
}

/** At import, as a static import would: start-up needs it, and its load is CPU the login cannot hide. */
const createNodeVault = loadNodeVault();

/** A PEM file is a few KiB; a CA bundle well under 1 MiB. */
const MAX_PEM_BYTES = 1024 * 1024;

function readPem(file: string, setting: string): Buffer {
  try {
    return readBoundedFileSync(file, MAX_PEM_BYTES);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    const why =
      code === 'ENOTREG'
        ? 'is not a regular file'
        : code === 'EFBIG'
          ? `is larger than ${MAX_PEM_BYTES / 1024 / 1024} MiB`
          : `cannot be read (${code})`;
    throw new VaultConfigurationError('VAULT_TLS', `${setting} file "${file}" ${why}`, { setting });
  }
}

/** VAULT_CAPATH: every file in the directory must hold PEM, as go-rootcerts' LoadCAPath requires. */
function readCaPath(dir: string): Buffer[] {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new VaultConfigurationError(
      'VAULT_TLS',
      `VAULT_CAPATH directory "${dir}" cannot be read (${code})`,
      {
        setting: 'VAULT_CAPATH',
      },
    );
  }
  const pems = names
    .map((name) => join(dir, name))
    .filter((file) => !statSync(file, { throwIfNoEntry: false })?.isDirectory())
    .map((file) => {
      const pem = readPem(file, 'VAULT_CAPATH');
      if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
        throw new VaultConfigurationError(
          'VAULT_TLS',
          `VAULT_CAPATH file "${file}" holds no PEM certificate: keep only CA certificates in that directory`,
          { setting: 'VAULT_CAPATH' },
        );
      }
      return pem;
    });
  if (pems.length === 0) {
    throw new VaultConfigurationError('VAULT_TLS', `VAULT_CAPATH directory "${dir}" holds no certificate`, {
      setting: 'VAULT_CAPATH',
    });
  }
  return pems;
}

function toVaultResponse(response: TransportResponse): Promise<unknown> {
  const { statusCode, body, headers, malformed, request } = response;
  if ((statusCode === 200 || statusCode === 204) && !malformed) return Promise.resolve(body);
  const errors =
    body && typeof body === 'object' && Array.isArray((body as { errors?: unknown }).errors)
      ? ((body as { errors: unknown[] }).errors.filter((e) => typeof e === 'string') as string[])
      : [];
  return Promise.reject(new VaultHttpError(statusCode, errors, headers, request.path, body, malformed));
}

export function createVaultHttpClient(options: ResolvedOptions): VaultHttpClient {
  if (options.address === null) throw new Error('createVaultHttpClient needs an address');
  if ((options.clientCert === null) !== (options.clientKey === null)) {
    const setting = options.clientCert === null ? 'VAULT_CLIENT_CERT' : 'VAULT_CLIENT_KEY';
    throw new VaultConfigurationError(
      'VAULT_CONFIG_INVALID',
      `${setting} is required too: a client certificate needs both VAULT_CLIENT_CERT and VAULT_CLIENT_KEY`,
      { setting },
    );
  }
  const tls = {
    rejectUnauthorized: !options.skipVerify,
    ...(options.ca !== null ? { ca: options.ca } : {}),
    ...(options.caCert === null && options.caPath !== null ? { ca: readCaPath(options.caPath) } : {}),
    ...(options.caCert !== null ? { ca: readPem(options.caCert, 'VAULT_CACERT') } : {}),
    ...(options.tlsServerName !== null ? { servername: options.tlsServerName } : {}),
    ...(options.clientCert !== null ? { cert: readPem(options.clientCert, 'VAULT_CLIENT_CERT') } : {}),
    ...(options.clientKey !== null ? { key: readPem(options.clientKey, 'VAULT_CLIENT_KEY') } : {}),
  };
  const transport = createTransport(tls, options.timeoutMs, options.proxy);
  const client = createNodeVault({
    endpoint: options.address,
    apiVersion: 'v1',
    debug: () => undefined,
    'request-promise': transport,
    rpDefaults: { strictSSL: !options.skipVerify, timeout: options.timeoutMs },
    ...(options.namespace !== null ? { namespace: options.namespace } : {}),
  } as nodeVault.VaultOptions);
  // Never inherit process.env.VAULT_TOKEN / VAULT_NAMESPACE: only what options resolved counts.
  client.token = undefined as unknown as string;
  (client as unknown as { namespace?: string }).namespace = options.namespace ?? undefined;
  client.handleVaultResponse = toVaultResponse as NodeVaultClient['handleVaultResponse'];

  return {
    client,
    transport,
    requestOptions: (timeoutMs, signal) => ({ timeout: timeoutMs, ...(signal ? { signal } : {}) }),
    close: () => transport.close(),
  };
}
