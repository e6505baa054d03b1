/** JSON for scripts: stable field names, pretty-printed, one document per command. */
import { writeOut } from './stdout.js';

/** Prints `value` as indented JSON to stdout. */
export function printJson(value: unknown): void {
  writeOut(`${JSON.stringify(value, null, 2)}\n`);
}
