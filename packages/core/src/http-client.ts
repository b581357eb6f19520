/**
 * The node-vault client, configured from resolved options: address, namespace, timeout, TLS.
 * - `debug` is a no-op: node-vault logs request bodies (the JWT, secret ids) through `debug`, which
 *   `DEBUG=*` would print.
 * - node-vault reads VAULT_TOKEN, VAULT_NAMESPACE and VAULT_SKIP_VERIFY from process.env on its own
 *   (VAULT_SKIP_VERIFY=false even turns verification off there); we set every one explicitly.
 * - Responses go through our handler so failures carry status, headers and Vault's message.
 */
import { readFileSync } from 'node:fs';
import nodeVault from 'node-vault';
import { VaultConfigurationError } from './errors';
import { VaultHttpError } from './http-error';
import type { ResolvedOptions } from './options';
import { createTransport, type Transport, type TransportResponse } from './transport';

export type NodeVaultClient = nodeVault.client;

export interface VaultHttpClient {
  client: NodeVaultClient;
  transport: Transport;
  /** Per-request options: a timeout and an abort signal bounded by the start-up deadline. */
  requestOptions(timeoutMs: number, signal?: AbortSignal): Record<string, unknown>;
  close(): void;
}

function readPem(file: string, setting: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new VaultConfigurationError('VAULT_TLS', `${setting} file "${file}" cannot be read (${code})`, {
      setting,
    });
  }
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
    ...(options.caCert !== null ? { ca: readPem(options.caCert, 'VAULT_CACERT') } : {}),
    ...(options.clientCert !== null ? { cert: readPem(options.clientCert, 'VAULT_CLIENT_CERT') } : {}),
    ...(options.clientKey !== null ? { key: readPem(options.clientKey, 'VAULT_CLIENT_KEY') } : {}),
  };
  const transport = createTransport(tls, options.timeoutMs);
  const client = nodeVault({
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
