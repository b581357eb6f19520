import { str, type RequestContext } from '../http/context';
import { badRequest, HttpError, unsupportedOperation } from '../http/errors';
import { ok, type Reply } from '../http/envelope';
import { parseDuration } from '../util';
import { wrapInfo } from '../wrapping';

/** vault/logical_system.go: the answer for an unknown, used or expired wrapping token. */
const INVALID_WRAPPING_TOKEN = 'wrapping token is not valid or does not exist';

/**
 * `sys/wrapping/unwrap`: the token in the body, else the caller's own token when it is a wrapping
 * token. Answers the wrapped HTTP body as it was, once.
 */
export function unwrap(ctx: RequestContext): Reply {
  if (ctx.operation !== 'update') throw unsupportedOperation();
  const token = str(ctx.body, 'token') ?? ctx.rawToken;
  const entry = ctx.state.wraps.take(token);
  if (!entry) throw badRequest(INVALID_WRAPPING_TOKEN);
  return { status: 200, body: entry.body };
}

/** `sys/wrapping/lookup` (unauthenticated): creation path, time and TTL. */
export function wrappingLookup(ctx: RequestContext): Reply {
  if (ctx.operation !== 'update' && ctx.operation !== 'read') throw unsupportedOperation();
  const token = str(ctx.body, 'token') ?? ctx.query.get('token') ?? undefined;
  if (!token) throw badRequest('missing "token" value in input');
  const entry = ctx.state.wraps.get(token);
  if (!entry) throw badRequest(INVALID_WRAPPING_TOKEN);
  return ok({
    data: {
      creation_path: entry.creationPath,
      creation_time: wrapInfo(token, entry, '').creation_time,
      creation_ttl: entry.ttl,
    },
  });
}

/** The `X-Vault-Wrap-TTL` header in seconds (http/logical.go requestWrapInfo); 0 = no wrapping. */
export function wrapTtl(header: string | string[] | undefined): number {
  const raw = Array.isArray(header) ? header[0] : header;
  if (raw === undefined || raw === '') return 0;
  let seconds: number | undefined;
  try {
    seconds = parseDuration(/^\d+$/.test(raw) ? Number(raw) : raw);
  } catch (err) {
    throw new HttpError(400, [`error parsing X-Vault-Wrap-TTL header: ${(err as Error).message}`]);
  }
  if (!seconds || seconds < 0) return 0;
  return seconds;
}

/** Wraps a successful envelope: the caller gets only `wrap_info` (http/logical.go respondLogical). */
export function wrapReply(ctx: RequestContext, reply: Reply, ttl: number): Reply {
  const body = reply.body as Record<string, unknown> | undefined;
  if (reply.status !== 200 || !body || (body.data == null && body.auth == null)) return reply;
  const { token, entry } = ctx.state.wraps.wrap(body, ctx.path, ttl);
  const auth = body.auth as { accessor?: string } | null;
  return {
    status: 200,
    body: {
      request_id: '',
      lease_id: '',
      renewable: false,
      lease_duration: 0,
      data: null,
      wrap_info: wrapInfo(token, entry, auth?.accessor ?? ''),
      warnings: null,
      auth: null,
      mount_type: '',
    },
  };
}
