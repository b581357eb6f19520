import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { VaultModuleOptions } from './options';

export const {
  ConfigurableModuleClass: VaultConfigurableModule,
  MODULE_OPTIONS_TOKEN: VAULT_MODULE_OPTIONS,
  OPTIONS_TYPE: VAULT_MODULE_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: VAULT_MODULE_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<VaultModuleOptions>({ moduleName: 'VaultConfig' })
  .setClassMethodName('forRoot')
  // One manager per application: global by default, like most config modules are used.
  .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
