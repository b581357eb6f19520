/**
 * node-vault, loaded without the two modules it requires at load time but never calls with the
 * options `createVaultHttpClient` passes: axios (its default HTTP client; we pass our own transport
 * as `request-promise`) and debug (we pass a no-op `debug`). axios and what it pulls in are about
 * two thirds of node-vault's load time (~50 of ~75 ms of CPU in a fresh process).
 *
 * During node-vault's own load only, each of them is a stand-in in `require.cache` that loads the
 * real module the first time anything touches it, so a node-vault that did call them still works.
 * Right after, the stand-ins leave the cache: anyone else's `require('axios')` gets the real module.
 * A module that is already loaded (the app uses axios) is left alone: there is nothing to save.
 */
import Module, { createRequire } from 'node:module';
import type nodeVault from 'node-vault';
import { requireHere } from '../lazy';

export type NodeVaultFactory = typeof nodeVault;

type AnyFunction = (...args: unknown[]) => unknown;

/**
 * A function-shaped proxy for the object `load()` returns, loaded at first use. `onCall` decides
 * what calling it does (by default: call the real one).
 */
export function deferred(
  load: () => object,
  onCall: (args: unknown[]) => unknown = (args) => Reflect.apply(load() as AnyFunction, undefined, args),
): AnyFunction {
  // A plain function target, so `new` works; its `prototype` is writable, so `get` may report any value.
  return new Proxy(function standIn() {} as AnyFunction, {
    apply: (_target, _self, args: unknown[]) => onCall(args),
    construct: (_target, args: unknown[]) => Reflect.construct(load() as AnyFunction, args) as object,
    get: (_target, key) => Reflect.get(load(), key) as unknown,
    has: (_target, key) => Reflect.has(load(), key),
    set: (_target, key, value) => Reflect.set(load(), key, value),
  });
}

function once<T>(load: () => T): () => T {
  let loaded: { value: T } | undefined;
  return () => (loaded ??= { value: load() }).value;
}

/** Puts `exports` in the cache as the module at `file`; returns how to take it out again. */
function cacheStandIn(file: string, exports: unknown): () => void {
  const cache = requireHere.cache;
  if (cache[file]) return () => undefined;
  const standIn = new Module(file);
  standIn.filename = file;
  standIn.loaded = true;
  standIn.exports = exports;
  cache[file] = standIn;
  return () => {
    if (cache[file] === standIn) delete cache[file];
  };
}

/** node-vault's factory, without loading axios or debug unless something calls them. */
export function loadNodeVault(): NodeVaultFactory {
  const entry = requireHere.resolve('node-vault');
  if (requireHere.cache[entry]) return requireHere(entry) as NodeVaultFactory;
  const fromNodeVault = createRequire(entry);
  const axios = once(() => fromNodeVault('axios') as object);
  const debug = once(() => fromNodeVault('debug') as object);
  const removals: Array<() => void> = [];
  try {
    for (const [id, standIn] of [
      ['axios', deferred(axios)],
      // node-vault calls `require('debug')('node-vault')` at load: hand back a logger that loads
      // debug on its first line.
      ['debug', deferred(debug, (args) => deferred(once(() => (debug() as AnyFunction)(...args) as object)))],
    ] as const) {
      let file: string;
      try {
        file = fromNodeVault.resolve(id);
      } catch {
        continue; // not resolvable from node-vault: its own require will say so
      }
      removals.push(cacheStandIn(file, standIn));
    }
    return requireHere(entry) as NodeVaultFactory;
  } finally {
    for (const remove of removals) remove();
  }
}
