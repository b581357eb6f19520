/**
 * The manager's event streams (`changes$`, `rotations$`) without loading rxjs at start-up: the
 * subject exists from the first read of the stream on.
 */
import type { Observable, Subject } from 'rxjs';
import { rxjs } from './lazy';

/** A hot stream created on first read (rxjs loads then); events before that had no subscriber anyway. */
export class LazyEvents<T> {
  private subject: Subject<T> | undefined;
  private observable: Observable<T> | undefined;
  private completed = false;

  get stream(): Observable<T> {
    if (!this.observable) {
      this.subject = new (rxjs().Subject)<T>();
      if (this.completed) this.subject.complete();
      this.observable = this.subject.asObservable();
    }
    return this.observable;
  }

  next(event: T): void {
    this.subject?.next(event);
  }

  complete(): void {
    this.completed = true;
    this.subject?.complete();
  }
}
