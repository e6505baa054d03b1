/**
 * The order names are listed in: case-insensitive, accents folded (`Éclair` beside `eclair`),
 * ties broken by code point, so the order is total and the same on every machine and in every
 * locale (a registry synced across machines lists alike everywhere, and scripts can rely on
 * it). It is not `localeCompare`: loading ICU's collator alone costs about 14 ms, a tenth of
 * `list`'s whole start-up, and its order follows each machine's locale.
 */
const keys = new Map<string, string>();
// biome-ignore lint/suspicious/noControlCharactersInRegex: the whole ASCII range is the point
const ASCII = /^[\u0000-\u007f]*$/;

/** The string names are compared by. */
function sortKey(s: string): string {
  let key = keys.get(s);
  if (key === undefined) {
    const folded = ASCII.test(s) ? s : s.normalize('NFD').replace(/\p{M}/gu, '');
    key = folded.toLowerCase();
    keys.set(s, key);
  }
  return key;
}

/** Compares two strings in listing order. */
export function compareText(a: string, b: string): number {
  const ka = sortKey(a);
  const kb = sortKey(b);
  if (ka !== kb) return ka < kb ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Orders objects by their `name`, in listing order. */
export const byName = (a: { name: string }, b: { name: string }): number =>
  compareText(a.name, b.name);
