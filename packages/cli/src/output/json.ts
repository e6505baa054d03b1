/** JSON for scripts: stable field names, pretty-printed, one document per command. */
import type { IO } from './io.js';

/** Prints `value` as indented JSON to the command's stdout. */
export function printJson(io: Pick<IO, 'out'>, value: unknown): void {
  io.out(`${JSON.stringify(value, null, 2)}\n`);
}
