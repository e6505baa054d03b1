/** JSON for scripts: stable field names, pretty-printed, one document per command. */

/** Prints `value` as indented JSON to stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
