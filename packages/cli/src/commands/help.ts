/** The "Examples:" block at the end of a command's help. */
export const examples = (...lines: string[]) =>
  `\nExamples:\n${lines.map((l) => `  $ dev-infra ${l}`).join('\n')}\n`;
