/**
 * The one rule for text received from elsewhere (HTTP clients, other machines through
 * work-prod): C0 controls, DEL and C1 controls are refused, NUL always; newline and tab
 * only in fields that hold free text. Bidirectional overrides pass: the CLI escapes them
 * on print, and refusing them would reject legitimate right-to-left text.
 */

/** Fields whose text may hold newline and tab. */
export const MULTILINE_FIELDS: ReadonlySet<string> = new Set(['description']);

/** True when `text` holds a character refused in a field of this kind. */
export function hasForbiddenControl(text: string, multiline: boolean): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (multiline && (c === 0x0a || c === 0x09)) continue;
    if (c <= 0x1f || (c >= 0x7f && c <= 0x9f)) return true;
  }
  return false;
}

/** True when `text` is an RFC 3339 timestamp that Date parses. */
export function isTimestamp(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})?$/.test(text)) {
    return false;
  }
  return Number.isFinite(Date.parse(text));
}
