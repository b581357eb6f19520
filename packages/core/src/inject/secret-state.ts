/**
 * The secrets the manager holds and every write into the environment. KV paths in order (later wins),
 * then dynamic secrets in order. A change is validated before it is committed: a refresh or rotation
 * that would leave a required key missing changes nothing.
 */
import { VaultSecretError } from '../errors';
import { fitsEnvironment, injectSecrets, type InjectResult } from './index';
import type { EnvRecord } from '../options';
import { diffKeys } from '../lifecycle/diff';
import { mergeInOrder, missingKeys } from '../values';

export type SecretsRecord = Readonly<Record<string, string>>;

export interface SecretStateOptions {
  env: EnvRecord;
  inject: boolean;
  override: boolean;
  required: readonly string[];
  /** What the paths were, for the "required keys missing" message. */
  describeSources(): string;
  /** A pinned KV version (VAULT_SECRET_VERSION), named when it could explain missing keys. */
  version: number | null;
}

export interface InitialCommit {
  keys: string[];
  injected: string[];
  kept: string[];
  /** Too large for the environment: left out (still served by get()). */
  tooLarge: InjectResult['tooLarge'];
}

export interface Commit {
  /** Keys added, changed or removed; none: nothing happened. */
  changed: string[];
  /** Changed values too large for the environment: left out of it. */
  tooLarge: InjectResult['tooLarge'];
}

/**
 * A frozen plain-object copy, made once per commit; get(), getAll() and the diff read it as is.
 * Filled while it has no prototype (no `__proto__` setter on the way, and V8 keeps a 1,000-key
 * object in dictionary mode: `{ ...record }` or defining the properties one by one on `{}` walks
 * 1,000 hidden-class transitions and allocates ~1.6 MB), then given Object.prototype like any object.
 */
function freeze(record: Readonly<Record<string, string>>): SecretsRecord {
  const copy = Object.create(null) as Record<string, string>;
  for (const key of Object.keys(record)) copy[key] = record[key] as string;
  return Object.freeze(Object.setPrototypeOf(copy, Object.prototype) as Record<string, string>);
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

  /** The record itself: frozen, and replaced (never changed) by the next commit. */
  snapshot(): SecretsRecord {
    return this.record;
  }

  get size(): number {
    return Object.keys(this.record).length;
  }

  /** Throws VAULT_REQUIRED_KEYS_MISSING naming every missing key. */
  private validate(next: Record<string, string>): void {
    const missing = missingKeys(this.options.required, next);
    if (missing.length > 0) {
      const { version } = this.options;
      const pinned = version !== null ? ` version ${version}, pinned by VAULT_SECRET_VERSION,` : '';
      throw new VaultSecretError(
        'VAULT_REQUIRED_KEYS_MISSING',
        `required keys missing from Vault: ${missing.join(', ')} (read ${this.options.describeSources()}${pinned}): add them in Vault or fix VAULT_PATH${pinned ? ' or VAULT_SECRET_VERSION' : ''}`,
        { keys: missing, setting: pinned ? 'VAULT_SECRET_VERSION' : 'VAULT_PATH' },
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
    let result: InjectResult = { injected: [], kept: [], tooLarge: [] };
    if (this.options.inject) {
      result = injectSecrets(this.options.env, next, this.options.override);
      for (const key of result.injected) this.injectedKeys.add(key);
    }
    this.kv = kv;
    this.dynamic.clear();
    for (const [path, values] of dynamic) this.dynamic.set(path, values);
    this.record = freeze(next);
    return { keys: Object.keys(next), ...result };
  }

  /** New KV values from a refresh. */
  commitKv(kv: Record<string, string>): Commit {
    return this.commit(kv, this.dynamic);
  }

  /** New values of one dynamic secret. */
  commitDynamic(path: string, values: Record<string, string>): Commit {
    const dynamic = new Map(this.dynamic);
    dynamic.set(path, values);
    return this.commit(this.kv, dynamic);
  }

  private commit(kv: Record<string, string>, dynamic: Map<string, Record<string, string>>): Commit {
    const next = this.compose(kv, dynamic);
    this.validate(next);
    this.kv = kv;
    if (dynamic !== this.dynamic) {
      this.dynamic.clear();
      for (const [path, values] of dynamic) this.dynamic.set(path, values);
    }
    const changed = diffKeys(this.record, next);
    if (changed.length === 0) return { changed, tooLarge: [] };
    const tooLarge = this.options.inject ? this.writeEnv(changed, next) : [];
    this.record = freeze(next);
    return { changed, tooLarge };
  }

  /**
   * Updates or removes the changed keys this manager owns in the env. A value too large for the
   * environment removes the key from it (a stale value would be worse) and is reported.
   */
  private writeEnv(changed: string[], next: Record<string, string>): InjectResult['tooLarge'] {
    const { env, override } = this.options;
    const tooLarge: InjectResult['tooLarge'] = [];
    for (const key of changed) {
      const owned = this.injectedKeys.has(key) || override || env[key] === undefined;
      if (!owned) continue;
      const value = Object.prototype.hasOwnProperty.call(next, key) ? next[key] : undefined;
      if (value !== undefined && fitsEnvironment(key, value)) {
        env[key] = value;
        this.injectedKeys.add(key);
        continue;
      }
      if (value !== undefined) tooLarge.push({ key, bytes: Buffer.byteLength(value) });
      delete env[key];
      this.injectedKeys.delete(key);
    }
    return tooLarge;
  }
}
