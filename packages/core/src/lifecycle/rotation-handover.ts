/**
 * Hands an old dynamic lease over to its replacement: consumers that still use the old credentials
 * (a connection pool draining) retain it; it is revoked once every consumer has released it, or
 * after a short grace when nobody retained it. At its expiry Vault drops it anyway.
 */
import type { TimerGroup } from './clock';

/** Longest wait before revoking an old lease nobody retained. */
export const UNRETAINED_GRACE_MS = 10_000;

export interface Handover {
  /** Called by a consumer while handling the rotation event; call the result when done with the old credentials. */
  retain(): () => void;
  /** Starts the countdown once every listener has seen the event. */
  arm(): void;
  /** Settles now without revoking (close() revokes it itself). */
  cancel(): void;
}

export function createHandover(options: {
  timers: TimerGroup;
  now: () => number;
  expiresAt: number;
  revoke: () => void;
  settled: () => void;
}): Handover {
  let holds = 0;
  let armed = false;
  let done = false;
  const settle = (revoke: boolean) => {
    if (done) return;
    done = true;
    if (revoke) options.revoke();
    options.settled();
  };
  const remaining = () => options.expiresAt - options.now();
  return {
    retain() {
      if (done) return () => undefined;
      holds += 1;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        holds -= 1;
        if (holds === 0 && armed) settle(remaining() > 0);
      };
    },
    arm() {
      armed = true;
      // Whatever happens, nothing is held past the old lease's own expiry.
      options.timers.at(remaining(), () => settle(false));
      if (holds === 0) {
        const grace = Math.min(UNRETAINED_GRACE_MS, Math.max(0, remaining() / 2));
        options.timers.at(grace, () => {
          if (holds === 0) settle(remaining() > 0);
        });
      }
    },
    cancel() {
      settle(false);
    },
  };
}
