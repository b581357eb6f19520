/**
 * Kubernetes auth: the pod's service-account JWT, read fresh from the file on every login because
 * the kubelet rotates it, sent with node-vault's `kubernetesLogin` to the configured mount.
 */
import { readBoundedFile } from '../bounded-file';
import { VaultAuthenticationError } from '../errors';
import type { AuthMethod } from './types';
import { sessionFromLogin } from './types';

/** A projected service-account token is 1–2 KiB; anything far larger is not one. */
export const MAX_TOKEN_FILE_BYTES = 64 * 1024;

const WHY: Record<string, string> = {
  ENOTREG: 'is not a regular file (a FIFO, socket, device or directory would block or mislead start-up)',
  EFBIG: `is larger than ${MAX_TOKEN_FILE_BYTES / 1024} KiB, too large for a service-account token`,
};

export async function readServiceAccountToken(tokenPath: string): Promise<string> {
  let content: string;
  try {
    content = (await readBoundedFile(tokenPath, MAX_TOKEN_FILE_BYTES)).toString('utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new VaultAuthenticationError(
        'VAULT_TOKEN_FILE_MISSING',
        `service-account token file "${tokenPath}" does not exist: check the pod mounts a service-account token (automountServiceAccountToken) or set VAULT_K8S_TOKEN_PATH`,
        { setting: 'VAULT_K8S_TOKEN_PATH' },
      );
    }
    const why = (code && WHY[code]) ?? `cannot be read (${code ?? 'error'})`;
    throw new VaultAuthenticationError(
      'VAULT_TOKEN_FILE_UNREADABLE',
      `service-account token file "${tokenPath}" ${why}: check file permissions and VAULT_K8S_TOKEN_PATH`,
      { setting: 'VAULT_K8S_TOKEN_PATH' },
    );
  }
  const jwt = content.trim();
  if (jwt === '') {
    throw new VaultAuthenticationError(
      'VAULT_TOKEN_FILE_EMPTY',
      `service-account token file "${tokenPath}" is empty: check the projected token volume and VAULT_K8S_TOKEN_PATH`,
      { setting: 'VAULT_K8S_TOKEN_PATH' },
    );
  }
  return jwt;
}

export function kubernetesAuth(options: { role: string; mountPoint: string; tokenPath: string }): AuthMethod {
  let lastJwt: string | undefined;
  return {
    name: 'kubernetes',
    loginHint: `VAULT_ROLE ("${options.role}") exists on auth mount "${options.mountPoint}" and binds this pod's service-account name and namespace (and audience)`,
    authMountSetting: 'VAULT_K8S_AUTH_MOUNT_POINT',
    usesNetwork: true,
    async login(client, requestOptions) {
      const jwt = await readServiceAccountToken(options.tokenPath);
      lastJwt = jwt;
      const body = await client.kubernetesLogin({
        role: options.role,
        jwt,
        mount_point: options.mountPoint,
        requestOptions,
      });
      return sessionFromLogin(body);
    },
    sensitiveValues: () => (lastJwt ? [lastJwt] : []),
  };
}
