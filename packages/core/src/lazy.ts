/**
 * Dependencies that start-up does not need (rxjs, lossless-json, the proxy agent), loaded
 * synchronously the first time they are used, from either build (CJS or ESM) and from source.
 * A process that never reads an observable, meets no inexact number and uses no proxy never loads them.
 * From the ESM build this loads rxjs's CommonJS copy; its observables work with the app's rxjs
 * operators and `firstValueFrom` all the same (rxjs recognizes observables by shape, not by class).
 */
import { createRequire } from 'node:module';

export const requireHere = createRequire(typeof __filename === 'string' ? __filename : import.meta.url);

/** A loader: the first call requires `id`, later calls return the same module. */
export function lazyModule<T>(id: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= requireHere(id) as T);
}

export const rxjs = lazyModule<typeof import('rxjs')>('rxjs');
