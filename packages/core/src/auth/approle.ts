/** AppRole auth (VAULT_ROLE_ID / VAULT_SECRET_ID) with node-vault's `approleLogin`. */
import type { AuthMethod } from './types';
import { sessionFromLogin } from './types';

export function appRoleAuth(options: {
  roleId: string;
  secretId: string | null;
  mountPoint: string;
}): AuthMethod {
  return {
    name: 'approle',
    loginHint: `VAULT_ROLE_ID and VAULT_SECRET_ID are current for a role on auth mount "${options.mountPoint}" (secret ids expire and can be single-use)`,
    authMountSetting: 'VAULT_APPROLE_MOUNT_POINT',
    usesNetwork: true,
    async login(client, requestOptions) {
      const body = await client.approleLogin({
        role_id: options.roleId,
        ...(options.secretId !== null ? { secret_id: options.secretId } : {}),
        mount_point: options.mountPoint,
        requestOptions,
      });
      return sessionFromLogin(body);
    },
    sensitiveValues: () => [options.roleId, ...(options.secretId ? [options.secretId] : [])],
  };
}
