import type {
  SecretChangeEvent,
  SecretRotationEvent,
  VaultOptions,
  VaultSecretManager,
  VaultStatus,
} from '@vault-config/core';
import type { Observable } from 'rxjs';

export interface VaultPluginOptions extends VaultOptions {
  /**
   * Serve the cached status: `true` for `GET /health`, or a path. 200 for ready/degraded/disabled,
   * 503 otherwise, `Cache-Control: no-store`. It never calls Vault. Default: no route.
   */
  healthRoute?: boolean | string;
  /**
   * Reject `ready()`/`listen()` when loading fails (default true). With `false` the app starts, the
   * failure is logged, `app.vault.getStatus().state` is `failed` and the health route answers 503
   * while loading is retried in the background (capped, jittered backoff); once it succeeds the
   * state is `ready` and `app.vault.changes$` announces the keys (reason `load`). A configuration
   * error is not retried.
   */
  failOnError?: boolean;
}

/** `app.vault`: secrets, status and events of the one manager this plugin owns. */
export interface VaultDecorator {
  /** A loaded secret, or `undefined`. */
  get(key: string): string | undefined;
  /** A frozen copy of every loaded secret. */
  readonly secrets: Readonly<Record<string, string>>;
  getStatus(): VaultStatus;
  /** The reference service's name for `getStatus()`. */
  get_status(): VaultStatus;
  readonly status$: Observable<VaultStatus>;
  readonly changes$: Observable<SecretChangeEvent>;
  /** New dynamic credentials, with their values, so the app can swap its connection pool. */
  readonly rotations$: Observable<SecretRotationEvent>;
  /** The underlying core manager, for anything the decorator does not cover. */
  readonly manager: VaultSecretManager;
}

declare module 'fastify' {
  interface FastifyInstance {
    vault: VaultDecorator;
  }
}
