/**
 * The bytes of one HTTP/1.1 request: request line, `host`, the caller's headers, `connection:
 * keep-alive`, then the body. Names and values are checked as node:http checks them, so a header
 * cannot smuggle a line of its own; the errors name the header, never its value (a token).
 */
import type { PoolRequest } from './connection-pool';

/** RFC 9110 §5.6.2 token: node:http's check for a header name. */
const TOKEN = /^[\^_`a-zA-Z\-0-9!#$%&'*+.|~]+$/;
/** node:http's check for a header value: no control character but tab, nothing past latin1. */
const INVALID_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

function refuse(code: string, message: string): never {
  throw Object.assign(new TypeError(message), { code });
}

export function requestBytes(request: PoolRequest): Buffer {
  const { endpoint, method, path, headers, body } = request;
  const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host;
  const defaultPort = endpoint.secure ? 443 : 80;
  let head = `${method} ${path} HTTP/1.1\r\nhost: ${endpoint.port === defaultPort ? host : `${host}:${endpoint.port}`}\r\n`;
  for (const [name, value] of Object.entries(headers)) {
    if (!TOKEN.test(name))
      refuse('ERR_INVALID_HTTP_TOKEN', `Header name must be a valid HTTP token ["${name}"]`);
    if (INVALID_VALUE.test(value))
      refuse('ERR_INVALID_CHAR', `Invalid character in header content ["${name}"]`);
    head += `${name}: ${value}\r\n`;
  }
  head += 'connection: keep-alive\r\n\r\n';
  const bytes = Buffer.from(head, 'latin1');
  return body ? Buffer.concat([bytes, body]) : bytes;
}
