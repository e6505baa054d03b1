/** Text from another program or machine, made safe to print on a terminal. */

/**
 * One line with every control character (C0, DEL, C1) and bidirectional override shown as an
 * escape such as `\x1b`: such text could otherwise move the cursor, retitle the window or
 * reorder what the user reads.
 */
export function safeLine(text: string): string {
  return text.replace(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
    /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g,
    (ch) => {
      const code = ch.charCodeAt(0);
      return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`;
    },
  );
}

/** The non-empty lines of a program's output (a lone `\r`, as in progress meters, ends one too), each safe. */
export function safeLines(text: string): string[] {
  return text
    .split(/\r\n|\r|\n/)
    .map((line) => line.trimEnd())
    .filter((line) => line.trim() !== '')
    .map(safeLine);
}
