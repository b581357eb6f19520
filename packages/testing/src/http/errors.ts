/** An error the router turns into Vault's `{"errors":[...]}` body with the given status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly errors: string[],
    readonly headers: Record<string, string> = {},
  ) {
    super(errors[0] ?? `HTTP ${status}`);
  }
}

/** go-multierror's formatting, which Vault uses for ACL and token failures. */
export function multierror(...messages: string[]): string {
  const n = messages.length;
  return `${n} error${n === 1 ? '' : 's'} occurred:\n${messages.map((m) => `\t* ${m}`).join('\n')}\n\n`;
}

export const badRequest = (message: string): HttpError => new HttpError(400, [message]);
/** No token on an authenticated path: the plain message. */
export const permissionDenied = (): HttpError => new HttpError(403, ['permission denied']);
/** An ACL denial (valid token, policy does not allow): the multierror form. */
export const aclDenied = (): HttpError => new HttpError(403, [multierror('permission denied')]);
/** Unknown, expired or revoked token: modern Vault reports both messages. */
export const invalidToken = (): HttpError =>
  new HttpError(403, [multierror('permission denied', 'invalid token')]);
/** A read that found nothing. */
export const notFound = (): HttpError => new HttpError(404, []);
export const noHandler = (path: string): HttpError =>
  new HttpError(404, [`no handler for route "${path}". route entry not found.`]);
export const unsupportedPath = (): HttpError => new HttpError(404, [multierror('unsupported path')]);
export const unsupportedOperation = (): HttpError =>
  new HttpError(405, [multierror('unsupported operation')]);
export const sealed = (): HttpError => new HttpError(503, ['Vault is sealed']);
