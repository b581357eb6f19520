/**
 * VAULT_ADDR as it may be quoted in a message: credentials (`user:password@`), the query
 * (`?token=...`) and the fragment masked, whatever else is wrong with the text.
 */
export function describeAddress(raw: string): string {
  return raw
    .replace(
      /^((?:[a-z][a-z0-9+.-]*:)?\/\/)?[^/?#@]*@/i,
      (_m, scheme: string | undefined) => `${scheme ?? ''}***@`,
    )
    .replace(/\?[^#]*/, '?***')
    .replace(/#.*/, '#***');
}
