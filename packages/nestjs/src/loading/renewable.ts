/**
 * The current run of some work: started on first use, reused until `reset()` (or until it fails),
 * then started afresh on the next use.
 */
export class Renewable<T> {
  private pending: Promise<T> | undefined;

  constructor(private readonly start: () => Promise<T>) {}

  current(): Promise<T> {
    if (this.pending === undefined) {
      const run = this.start();
      this.pending = run;
      // A failed run is not kept: the next bootstrap tries again. The caller gets the rejection.
      run.catch(() => {
        if (this.pending === run) this.pending = undefined;
      });
    }
    return this.pending;
  }

  reset(): void {
    this.pending = undefined;
  }
}
