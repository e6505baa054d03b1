/**
 * A command's output kept for grouped or JSON display, bounded: a command that prints
 * gigabytes (a runaway log, `yes`) must not take the CLI's memory with it. Keeps the first
 * and the last half of the limit, where a build's command line and its error usually are.
 */

/** Per stream and project: far beyond any build log a person reads, small for a process. */
export const CAPTURE_LIMIT = 8 * 1024 * 1024;

export class BoundedCapture {
  private readonly head: Buffer[] = [];
  private headBytes = 0;
  private tail: Buffer[] = [];
  private tailBytes = 0;
  /** Bytes received and not kept. */
  dropped = 0;

  constructor(private readonly limit = CAPTURE_LIMIT) {}

  push(chunk: Buffer): void {
    const half = Math.floor(this.limit / 2);
    if (this.headBytes < half) {
      const part = chunk.subarray(0, half - this.headBytes);
      this.head.push(part);
      this.headBytes += part.length;
      chunk = chunk.subarray(part.length);
      if (chunk.length === 0) return;
    }
    this.tail.push(chunk);
    this.tailBytes += chunk.length;
    // Drop whole chunks from the front, then trim the first one kept.
    while (this.tailBytes > half) {
      const first = this.tail[0]!;
      const excess = this.tailBytes - half;
      if (first.length <= excess) {
        this.tail.shift();
        this.tailBytes -= first.length;
        this.dropped += first.length;
      } else {
        this.tail[0] = first.subarray(excess);
        this.tailBytes -= excess;
        this.dropped += excess;
      }
    }
  }

  /** What was kept, with one line saying how much was left out between its two halves. */
  bytes(): Buffer {
    const parts = [...this.head];
    if (this.dropped > 0)
      parts.push(Buffer.from(`\n[dev-infra: ${this.dropped} bytes of output not shown]\n`));
    parts.push(...this.tail);
    return Buffer.concat(parts);
  }
}
