/**
 * A promise that starts its work only when someone awaits it (calls `then`), and asks `run` again
 * on every `then`, so `run` decides whether to reuse or restart the work. It must be a real
 * `Promise`: Nest's `DependenciesScanner.scanForModules` awaits an entry of `imports` only when it
 * is `instanceof Promise` (a bare thenable would be taken for a module class).
 * p-lazy memoizes its first run forever; here a manager closed by `app.close()` must be replaced at
 * the next bootstrap, so `run` owns the caching.
 */
export class LazyPromise<T> extends Promise<T> {
  // Derived promises (then/catch/finally) are plain ones.
  static override get [Symbol.species](): PromiseConstructor {
    return Promise;
  }

  readonly #run: () => Promise<T>;
  readonly #label: string;

  /** `label` is what Nest's module hashing sees of this import, so distinct loads stay distinct. */
  constructor(run: () => Promise<T>, label: string) {
    // The base promise never settles; every reader goes through `then`.
    super(() => undefined);
    this.#run = run;
    this.#label = label;
  }

  override then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.#run().then(onFulfilled, onRejected);
  }

  toJSON(): string {
    return this.#label;
  }
}
