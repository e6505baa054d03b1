/** The command's streams, and what they are attached to. */
export interface IO {
  /** Writes to stdout; after the reader has gone (`| head -1`) it drops the rest quietly. */
  out(text: string | Uint8Array): void;
  err(text: string): void;
  readonly outIsTTY: boolean;
  readonly errIsTTY: boolean;
  /** Whether stdout is coloured: a terminal, and neither NO_COLOR nor TERM=dumb. */
  readonly colour: boolean;
}
