import type { DevState } from '../state';
import { HttpError } from './errors';
import type { TokenEntry } from '../token-store';

export type Operation = 'read' | 'list' | 'create' | 'update' | 'delete' | 'patch';

/** One parsed request, as every route sees it. */
export interface RequestContext {
  method: string;
  operation: Operation;
  /** Path after `/v1/`, no leading slash. */
  path: string;
  query: URLSearchParams;
  body: Record<string, unknown>;
  /** The caller's live token, once the router has checked it. */
  token: TokenEntry | undefined;
  /** The token as sent (`X-Vault-Token` or `Authorization: Bearer`). */
  rawToken: string | undefined;
  /** Seconds from `X-Vault-Wrap-TTL`; 0 = answer unwrapped. */
  wrapTtl: number;
  state: DevState;
}

const GO_TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const GO_FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** Go's `strconv.ParseBool`; undefined for anything it rejects. */
export function parseGoBool(value: string): boolean | undefined {
  if (GO_TRUE.has(value)) return true;
  if (GO_FALSE.has(value)) return false;
  return undefined;
}

/**
 * Vault's method → logical operation mapping (`http/logical.go`, buildLogicalRequestNoAuth): GET
 * with a non-empty `list` query value parsed by `strconv.ParseBool` (a bad value → 400 with no
 * message), `LIST`, POST/PUT → update, DELETE, PATCH; anything else → 405.
 */
export function operationFor(method: string, query: URLSearchParams): Operation | undefined {
  switch (method) {
    case 'GET':
    case 'HEAD': {
      const raw = query.get('list');
      if (raw === null || raw === '') return 'read';
      const list = parseGoBool(raw);
      if (list === undefined) throw new HttpError(400, []);
      return list ? 'list' : 'read';
    }
    case 'LIST':
      return 'list';
    case 'POST':
    case 'PUT':
      return 'update';
    case 'DELETE':
      return 'delete';
    case 'PATCH':
      return 'patch';
    default:
      return undefined;
  }
}

export const isWrite = (ctx: RequestContext): boolean =>
  ctx.operation === 'update' || ctx.operation === 'create';

export function str(body: Record<string, unknown>, key: string): string | undefined {
  const v = body[key];
  if (v === undefined || v === null || v === '') return undefined;
  return typeof v === 'string' ? v : String(v);
}

/** Vault accepts lists as JSON arrays or comma-separated strings. */
export function list(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value))
    return value
      .map(String)
      .map((s) => s.trim())
      .filter(Boolean);
  return String(value)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
