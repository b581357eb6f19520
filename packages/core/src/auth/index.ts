/** Builds the auth method the resolved options selected. */
import type { ResolvedOptions } from '../options';
import { appRoleAuth } from './approle';
import { kubernetesAuth } from './kubernetes';
import { tokenAuth } from './token';
import type { AuthMethod } from './types';

export type { AuthMethod, AuthSession } from './types';
export { readServiceAccountToken } from './kubernetes';

export function createAuthMethod(options: ResolvedOptions): AuthMethod {
  switch (options.authMethod) {
    case 'token':
      return tokenAuth(options.token as string);
    case 'approle':
      return appRoleAuth({
        roleId: options.roleId as string,
        secretId: options.secretId,
        mountPoint: options.appRoleMountPoint,
      });
    case 'kubernetes':
      return kubernetesAuth({
        role: options.role as string,
        mountPoint: options.k8sAuthMountPoint as string,
        tokenPath: options.tokenPath,
      });
    default:
      throw new Error('createAuthMethod called without an auth method (Vault disabled)');
  }
}
