/**
 * Opens the socket of one direct connection to Vault, plain or TLS, reading into one buffer kept for
 * the connection's life (`onread`): nothing is allocated per read, where node:http allocates a buffer
 * per read and llhttp copies each body part into another. Whatever reads the bytes must copy what it
 * keeps past the call. TLSSocket honours `onread` since Node 15 (nodejs/node#35753).
 */
import net from 'node:net';
import tls from 'node:tls';
import type { TransportTls } from '../transport';
import { tlsIdentity } from './tls-identity';
import { resumable, type TlsSessions } from './tls-sessions';

/** Large enough for what the kernel has ready in one read of a big answer; allocated per connection. */
const READ_BUFFER_BYTES = 64 * 1024;

export interface Endpoint {
  secure: boolean;
  /** A name or an address, IPv6 without brackets. */
  host: string;
  port: number;
  tls: TransportTls;
}

/**
 * Connections and TLS sessions are shared per origin and, over TLS, per TLS identity: one made
 * under one CA, client certificate or server name never serves a request made under another.
 */
export function endpointKey(endpoint: Endpoint): string {
  const origin = `${endpoint.secure ? 'https' : 'http'}://${endpoint.host}:${endpoint.port}`;
  return endpoint.secure ? `${origin}#${tlsIdentity(endpoint.tls)}` : origin;
}

/** `sessions`: where TLS sessions are kept between connections, so that new ones resume. */
export function openSocket(
  endpoint: Endpoint,
  onRead: (chunk: Buffer) => void,
  sessions: TlsSessions,
): net.Socket {
  const onread = {
    buffer: Buffer.allocUnsafe(READ_BUFFER_BYTES),
    // A fresh view per read: a reader keyed on the Buffer object never mistakes one read for another.
    callback: (bytes: number, buffer: Uint8Array) => {
      onRead(Buffer.from(buffer.buffer, buffer.byteOffset, bytes));
      return true;
    },
  };
  const { host, port } = endpoint;
  // No Nagle delay on the request's small writes, as node:http's agent does.
  if (!endpoint.secure) return net.connect({ host, port, onread }).setNoDelay(true);
  const { ca, cert, key, rejectUnauthorized, servername } = endpoint.tls;
  // @types/node does not declare `onread` on tls.connect's options, which Node reads all the same.
  const options: tls.ConnectionOptions & { onread: net.OnReadOpts } = {
    host,
    port,
    onread,
    ca,
    cert,
    key,
    rejectUnauthorized,
    // SNI carries a name, never an address (RFC 6066 §3), as Node's https agent does; the certificate
    // is checked against this name, or against the host when there is none.
    servername: servername ?? (net.isIP(host) ? undefined : host),
  };
  // The last session to this endpoint, if any, so that the handshake is abbreviated.
  return resumable(sessions, endpointKey(endpoint), (session) =>
    tls.connect(session ? { ...options, session } : options),
  ).setNoDelay(true);
}
