import { str, type RequestContext } from '../http/context';
import { badRequest, unsupportedOperation, unsupportedPath } from '../http/errors';
import { noContent, ok, type Reply } from '../http/envelope';
import { parseDuration } from '../util';

function leaseIdOf(ctx: RequestContext, suffix: string): string {
  const id = str(ctx.body, 'lease_id') ?? (suffix || undefined);
  if (!id) throw badRequest('lease_id must be specified');
  return id;
}

/** `sys/leases/{renew,revoke,lookup}` (PUT or POST; the id in the body or as a path suffix). */
export async function leasesRoute(ctx: RequestContext): Promise<Reply> {
  const m = /^sys\/(?:leases\/)?(renew|revoke|lookup)(?:\/(.*))?$/.exec(ctx.path);
  if (!m) throw unsupportedPath();
  if (ctx.operation !== 'update') throw unsupportedOperation();
  const action = m[1]!;
  const id = leaseIdOf(ctx, m[2] ?? '');
  const { leases } = ctx.state;

  if (action === 'revoke') {
    const sync = ctx.body.sync === undefined ? true : ctx.body.sync === true || ctx.body.sync === 'true';
    if (!sync) {
      void leases.revoke(id);
      return { status: 202 };
    }
    await leases.revoke(id);
    return noContent();
  }

  const lease = leases.get(id);
  if (action === 'lookup') {
    if (!lease) throw badRequest('invalid lease');
    return ok({ data: leases.lookupData(lease), mount_type: 'system' });
  }

  if (!lease) throw badRequest('lease not found');
  if (!lease.renewable) throw badRequest('lease is not renewable');
  let increment: number | undefined;
  try {
    increment = parseDuration(ctx.body.increment);
  } catch (err) {
    throw badRequest((err as Error).message);
  }
  const { ttl, warning } = leases.renew(lease, increment);
  await lease.onRenew?.(new Date(lease.expiresAt));
  return ok({
    lease_id: lease.id,
    renewable: lease.renewable,
    lease_duration: ttl,
    warnings: warning ? [warning] : null,
    mount_type: 'system',
  });
}
