/** Keys added, changed or removed between two secret records (names only). */
export function diffKeys(
  before: Readonly<Record<string, string>>,
  after: Readonly<Record<string, string>>,
): string[] {
  const changed: string[] = [];
  for (const key of Object.keys(after)) if (before[key] !== after[key]) changed.push(key);
  for (const key of Object.keys(before)) {
    if (!Object.prototype.hasOwnProperty.call(after, key)) changed.push(key);
  }
  return changed;
}
