/**
 * Last line of defence for text that came from outside (Vault's error strings, Node's messages):
 * removes known credentials, anything shaped like a JWT or a Vault token, and caps the length.
 */

const JWT = /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
const VAULT_TOKEN = /\b(?:hv[sbr]|s|b|r)\.[A-Za-z0-9_-]{16,}/g;
const MAX_LENGTH = 300;

export function redact(text: string, known: readonly (string | null | undefined)[] = []): string {
  let out = text;
  for (const value of known) {
    if (value && value.length >= 4) out = out.split(value).join('[redacted]');
  }
  out = out.replace(JWT, '[redacted-jwt]').replace(VAULT_TOKEN, '[redacted-token]');
  out = out.replace(/\s+/g, ' ').trim();
  return out.length > MAX_LENGTH ? `${out.slice(0, MAX_LENGTH)}…` : out;
}
