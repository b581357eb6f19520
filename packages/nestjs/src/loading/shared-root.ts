import { Logger, type DynamicModule } from '@nestjs/common';
import type { VaultSecretManager } from '@vault-config/core';
import { loadedConfigModule } from '../config-module';
import { VAULT_MANAGER_LEASE, VAULT_SECRET_MANAGER } from '../constants';
import { createManager, initializeOrStartAnyway } from '../create-manager';
import { VAULT_MODULE_OPTIONS } from '../module-definition';
import type { VaultRootOptions } from '../options';
import { VaultSecrets } from '../vault-secrets.service';
import { LazyPromise } from './lazy-promise';
import { optionsKey } from './options-key';
import { Renewable } from './renewable';

/** The classes the two layers of a `forRoot` import resolve to (set by the module file). */
export interface RootModuleClasses {
  shell: DynamicModule['module'];
  loaded: DynamicModule['module'];
}

const roots = new Map<string, SharedRoot>();
/** Roots whose manager is open, to warn when a process logs in with several option sets. */
const open = new Set<SharedRoot>();

/**
 * Everything `forRoot` with one set of options shares in a process: one manager, loaded when the
 * first application bootstraps, given back by each application on shutdown, closed by the last,
 * and loaded afresh by the next bootstrap.
 */
class SharedRoot {
  readonly load = new Renewable(() => this.start());
  readonly module: Promise<DynamicModule>;
  private manager: VaultSecretManager | undefined;
  private users = 0;

  constructor(
    private readonly options: VaultRootOptions,
    private readonly classes: RootModuleClasses,
    label: number,
  ) {
    const global = options.isGlobal ?? true;
    // Two layers: the outer one resolves without any I/O, so `overrideModule(outer)` in a test
    // replaces it without loading; the inner one loads, while Nest scans, before any provider.
    const loaded = new LazyPromise(() => this.load.current(), `vault-config:${label}`);
    const shell: DynamicModule = {
      module: classes.shell,
      global,
      imports: [loaded],
      exports: [classes.loaded],
    };
    this.module = new LazyPromise(() => Promise.resolve(shell), `vault-config-root:${label}`);
  }

  private async start(): Promise<DynamicModule> {
    warnIfSeveral(this);
    const manager = createManager(this.options);
    try {
      await initializeOrStartAnyway(manager, this.options);
      const config = this.options.configModule ? [await loadedConfigModule(this.options.configModule)] : [];
      this.manager = manager;
      this.users = 0;
      open.add(this);
      return {
        module: this.classes.loaded,
        global: this.options.isGlobal ?? true,
        imports: config,
        providers: [
          { provide: VAULT_MODULE_OPTIONS, useValue: this.options },
          {
            provide: VAULT_SECRET_MANAGER,
            useFactory: () => {
              this.users += 1;
              return manager;
            },
          },
          { provide: VAULT_MANAGER_LEASE, useValue: { release: () => this.release(manager) } },
          VaultSecrets,
        ],
        exports: [VAULT_SECRET_MANAGER, VaultSecrets, VAULT_MODULE_OPTIONS, ...config],
      };
    } catch (error) {
      await manager.close();
      throw error;
    }
  }

  private async release(manager: VaultSecretManager): Promise<void> {
    if (manager !== this.manager) return;
    this.users -= 1;
    if (this.users > 0) return;
    this.manager = undefined;
    open.delete(this);
    this.load.reset();
    await manager.close();
  }
}

function warnIfSeveral(starting: SharedRoot): void {
  const others = [...open].filter((root) => root !== starting).length;
  if (others === 0) return;
  new Logger('VaultConfig').warn(
    `VaultConfigModule.forRoot() is loading with ${others + 1} different sets of options in this ` +
      'process: each has its own manager and Vault login. Call forRoot once (the module is global) ' +
      'or pass equal options to share one manager.',
  );
}

/** The `forRoot` import for these options: the same promise for equal options. */
export function sharedRoot(options: VaultRootOptions, classes: RootModuleClasses): Promise<DynamicModule> {
  const key = optionsKey(options);
  let root = roots.get(key);
  if (root === undefined) {
    // A number, not the key: the label is printable and the key may hold a token.
    root = new SharedRoot(options, classes, roots.size + 1);
    roots.set(key, root);
  }
  return root.module;
}
