/**
 * What a TLS connection trusts and presents, as one short string: the CA, the client certificate and
 * key, the server name and whether the peer is verified. Connections and TLS sessions are shared only
 * under the same identity, as node:https's Agent names its pools by these options. The options are
 * digested, never kept as text: they may hold a client key.
 */
import { createHash } from 'node:crypto';
import type { TransportTls } from '../transport';

/** Digested once per options object: the transport builds its TLS options once and never changes them. */
const identities = new WeakMap<TransportTls, string>();

export function tlsIdentity(options: TransportTls): string {
  let identity = identities.get(options);
  if (identity === undefined) {
    identity = digest(options);
    identities.set(options, identity);
  }
  return identity;
}

function digest({ ca, cert, key, rejectUnauthorized, servername }: TransportTls): string {
  const hash = createHash('sha256');
  for (const part of [ca, cert, key]) {
    // Each piece with its length, and a mark for a part left out: no two lists digest alike.
    for (const piece of Array.isArray(part) ? part : [part]) {
      if (piece === undefined) hash.update('-');
      else hash.update(`${piece.length}:`).update(piece);
    }
    hash.update('|');
  }
  hash.update(`${servername ?? ''}|${rejectUnauthorized ? 'verify' : 'no-verify'}`);
  return hash.digest('base64url');
}
