import { vaultPlugin } from './plugin';

export { vaultPlugin };
export type { VaultDecorator, VaultPluginOptions } from './types';
export default vaultPlugin;
