import { randomUUID } from 'node:crypto';

/** What a route returns; the server serialises it. `body: undefined` with 204 means no content. */
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface EnvelopeFields {
  data?: unknown;
  auth?: unknown;
  lease_id?: string;
  renewable?: boolean;
  lease_duration?: number;
  warnings?: string[] | null;
  mount_type?: string;
}

/** Vault's `logical.HTTPResponse` success envelope, keys in Vault's order. */
export function envelope(fields: EnvelopeFields) {
  return {
    request_id: randomUUID(),
    lease_id: fields.lease_id ?? '',
    renewable: fields.renewable ?? false,
    lease_duration: fields.lease_duration ?? 0,
    data: fields.data ?? null,
    wrap_info: null,
    warnings: fields.warnings && fields.warnings.length > 0 ? fields.warnings : null,
    auth: fields.auth ?? null,
    mount_type: fields.mount_type ?? '',
  };
}

export const ok = (fields: EnvelopeFields, status = 200): Reply => ({ status, body: envelope(fields) });
export const noContent = (): Reply => ({ status: 204 });
export const raw = (body: unknown, status = 200): Reply => ({ status, body });
