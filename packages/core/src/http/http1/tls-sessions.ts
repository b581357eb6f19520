/**
 * The latest TLS session per endpoint, offered on the next connection to it so that it resumes
 * (an abbreviated handshake) instead of paying a full one, as node:https's Agent does with its
 * session cache (lib/https.js: `_getSession`, `_cacheSession`, `_evictSession`).
 */
import { createHash } from 'node:crypto';
import type tls from 'node:tls';
import type { TransportTls } from '../transport';

/** The https Agent's default `maxCachedSessions`: a floor on memory if endpoints keep changing. */
const MAX_SESSIONS = 100;

/**
 * The origin and every TLS option that decides whom we trust and who we are: a session made under
 * one CA, client certificate, name or verification setting is never offered under another. The
 * options are digested, not kept: the key may hold a client key's material.
 */
export function sessionKey(origin: string, options: TransportTls, servername: string | undefined): string {
  const { ca, cert, key, rejectUnauthorized } = options;
  const digest = createHash('sha256');
  for (const part of [ca, cert, key]) {
    for (const piece of Array.isArray(part) ? part : [part]) {
      digest.update(piece === undefined ? '-' : `${piece.length}:`);
      if (piece !== undefined) digest.update(piece);
    }
    digest.update('|');
  }
  const trust = `${servername ?? ''}|${rejectUnauthorized ? 'verify' : 'no-verify'}`;
  return `${origin}|${trust}|${digest.digest('base64')}`;
}

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
  // session with it, so that the next connection starts afresh.
  socket.once('close', (hadError: boolean) => {
    if (hadError && latest) sessions.evict(key, latest);
  });
  return socket;
}
