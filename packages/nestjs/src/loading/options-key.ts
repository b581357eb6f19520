/**
 * A key equal for option objects with the same values: plain objects and arrays by content (key
 * order ignored), functions, class instances and the `env`/`logger` objects by identity.
 */
const identities = new WeakMap<object, number>();
let nextIdentity = 0;

function identity(value: object): string {
  let id = identities.get(value);
  if (id === undefined) {
    id = ++nextIdentity;
    identities.set(value, id);
  }
  return `#ref${id}`;
}

function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

const BY_IDENTITY = new Set(['env', 'logger']);

export function optionsKey(options: object): string {
  return JSON.stringify(options, function (this: unknown, key: string, value: unknown) {
    if (typeof value === 'function' || (typeof value === 'object' && value !== null && BY_IDENTITY.has(key)))
      return identity(value as object);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
    if (!isPlain(value)) return identity(value);
    const sorted: Record<string, unknown> = {};
    for (const name of Object.keys(value).sort()) sorted[name] = (value as Record<string, unknown>)[name];
    return sorted;
  });
}
