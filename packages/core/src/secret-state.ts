/**
 * The secrets the manager holds and every write into the environment. KV paths in order (later wins),
 * then dynamic secrets in order. A change is validated before it is committed: a refresh or rotation
 * that would leave a required key missing changes nothing.
 */
import { VaultSecretError } from './errors';
import { injectSecrets } from './inject';
import type { EnvRecord } from './options';
import { diffKeys } from './lifecycle/diff';
import { mergeInOrder, missingKeys } from './values';

export type SecretsRecord = Readonly<Record<string, string>>;

export interface SecretStateOptions {
  env: EnvRecord;
  inject: boolean;
  override: boolean;
  required: readonly string[];
  /** What the paths were, for the "required keys missing" message. */
  describeSources(): string;
}

export interface InitialCommit {
  keys: string[];
  injected: string[];
  kept: string[];
}

function freeze(record: Record<string, string>): SecretsRecord {
  return Object.freeze(Object.assign(Object.create(null), record) as Record<string, string>);
}

export class SecretState {
  private kv: Record<string, string> = {};
  private readonly dynamic = new Map<string, Record<string, string>>();
  private record: SecretsRecord = freeze({});
  /** Keys this manager wrote into the env, so later changes may update or remove them. */
  private readonly injectedKeys = new Set<string>();

  constructor(private readonly options: SecretStateOptions) {}

  get(key: string): string | undefined {
    return Object.prototype.hasOwnProperty.call(this.record, key) ? this.record[key] : undefined;
  }

  snapshot(): SecretsRecord {
    return Object.freeze({ ...this.record });
  }

  get size(): number {
    return Object.keys(this.record).length;
  }

  /** Throws VAULT_REQUIRED_KEYS_MISSING naming every missing key. */
  private validate(next: Record<string, string>): void {
    const missing = missingKeys(this.options.required, next);
    if (missing.length > 0) {
      throw new VaultSecretError(
        'VAULT_REQUIRED_KEYS_MISSING',
        `required keys missing from Vault: ${missing.join(', ')} (read ${this.options.describeSources()}): add them in Vault or fix VAULT_PATH`,
        { keys: missing, setting: 'VAULT_PATH' },
      );
    }
  }

  private compose(kv: Record<string, string>, dynamic: Map<string, Record<string, string>>) {
    return mergeInOrder([kv, ...dynamic.values()]);
  }

  /** The start-up load: validate, then inject everything at once. */
  commitInitial(kv: Record<string, string>, dynamic: Map<string, Record<string, string>>): InitialCommit {
    const next = this.compose(kv, dynamic);
    this.validate(next);
    let injected: string[] = [];
    let kept: string[] = [];
    if (this.options.inject) {
      ({ injected, kept } = injectSecrets(this.options.env, next, this.options.override));
      for (const key of injected) this.injectedKeys.add(key);
    }
    this.kv = kv;
    this.dynamic.clear();
    for (const [path, values] of dynamic) this.dynamic.set(path, values);
    this.record = freeze(next);
    return { keys: Object.keys(next), injected, kept };
  }

  /** New KV values from a refresh; returns the changed key names (none: nothing happened). */
  commitKv(kv: Record<string, string>): string[] {
    return this.commit(kv, this.dynamic);
  }

  /** New values of one dynamic secret; returns the changed key names. */
  commitDynamic(path: string, values: Record<string, string>): string[] {
    const dynamic = new Map(this.dynamic);
    dynamic.set(path, values);
    return this.commit(this.kv, dynamic);
  }

  private commit(kv: Record<string, string>, dynamic: Map<string, Record<string, string>>): string[] {
    const next = this.compose(kv, dynamic);
    this.validate(next);
    this.kv = kv;
    if (dynamic !== this.dynamic) {
      this.dynamic.clear();
      for (const [path, values] of dynamic) this.dynamic.set(path, values);
    }
    const changed = diffKeys(this.record, next);
    if (changed.length === 0) return changed;
    if (this.options.inject) this.writeEnv(changed, next);
    this.record = freeze(next);
    return changed;
  }

  /** Updates or removes the changed keys this manager owns in the env. */
  private writeEnv(changed: string[], next: Record<string, string>): void {
    const { env, override } = this.options;
    for (const key of changed) {
      const owned = this.injectedKeys.has(key) || override || env[key] === undefined;
      if (!owned) continue;
      if (key in next) {
        env[key] = next[key];
        this.injectedKeys.add(key);
      } else {
        delete env[key];
        this.injectedKeys.delete(key);
      }
    }
  }
}
