/**
 * The latest TLS session per endpoint, offered on the next connection to it so that it resumes
 * (an abbreviated handshake) instead of paying a full one, as node:https's Agent does with its
 * session cache (lib/https.js: `_getSession`, `_cacheSession`, `_evictSession`).
 */
import type tls from 'node:tls';

/** The https Agent's default `maxCachedSessions`: a bound on memory if endpoints keep changing. */
const MAX_SESSIONS = 100;

/** Keyed by `endpointKey`: the origin and the TLS identity, so a session is never offered under other TLS options. */
export class TlsSessions {
  private readonly sessions = new Map<string, Buffer>();

  get size(): number {
    return this.sessions.size;
  }

  get(key: string): Buffer | undefined {
    return this.sessions.get(key);
  }

  /** Keeps the newest session only: TLS 1.3 sends tickets after the handshake, each one replacing the last. */
  set(key: string, session: Buffer): void {
    this.sessions.delete(key);
    this.sessions.set(key, session);
    if (this.sessions.size > MAX_SESSIONS) {
      const oldest = this.sessions.keys().next().value as string;
      this.sessions.delete(oldest);
    }
  }

  /**
   * Forgets `session` after a connection that used it failed; one that another connection stored
   * since stays.
   */
  evict(key: string, session: Buffer): void {
    if (this.sessions.get(key) === session) this.sessions.delete(key);
  }

  clear(): void {
    this.sessions.clear();
  }
}

/** Offers the endpoint's session to `tls.connect`, and keeps or drops what the socket then reports. */
export function resumable(
  sessions: TlsSessions,
  key: string,
  connect: (session: Buffer | undefined) => tls.TLSSocket,
): tls.TLSSocket {
  let latest = sessions.get(key);
  const socket = connect(latest);
  socket.on('session', (session: Buffer) => {
    latest = session;
    sessions.set(key, session);
  });
  // As the agent: a connection that ends in an error (a failed handshake among them) takes its
  // session with it, so that the next connection starts afresh. At the error, not at 'close' after
  // it: a retry opened in between must not offer the session again.
  socket.once('error', () => {
    if (latest) sessions.evict(key, latest);
  });
  return socket;
}
