// Loaded with `node --import` in front of the CLI: writes the process's peak resident set size
// (KiB, from getrusage) to BENCH_MAXRSS_FILE when it exits, so no external `time` is needed.
import { writeFileSync } from 'node:fs';

process.on('exit', () => {
  if (process.env.BENCH_MAXRSS_FILE)
    writeFileSync(process.env.BENCH_MAXRSS_FILE, String(process.resourceUsage().maxRSS));
});
