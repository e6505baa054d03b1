/** A count with its noun, singular for one: `1 project`, `2 projects`. */
export function counted(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}
