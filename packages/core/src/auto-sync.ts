/**
 * Automatic background sync (the shell hook): the `sync.frequency` setting, the next-due stamp
 * the hook reads with shell builtins, and the small bounded log of background runs.
 */

/** `sync.frequency` when none is set. */
export const DEFAULT_SYNC_FREQUENCY = '10m';

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** The longest period accepted (a year): past it the stamp's arithmetic stops meaning much. */
const MAX_FREQUENCY_SECONDS = 366 * 86_400;

/**
 * Seconds between automatic syncs for a `sync.frequency` value (`30s`, `10m`, `1h`, `2d`, or a
 * sum like `1h30m`), 'off' when automatic sync is disabled (`off` or `0`), undefined when the
 * value is not one of those.
 */
export function parseSyncFrequency(text: string): number | 'off' | undefined {
  const value = text.trim().toLowerCase();
  if (value === 'off' || /^0+$/.test(value)) return 'off';
  if (!/^(\d+[smhd])+$/.test(value)) return undefined;
  let seconds = 0;
  for (const [, count, unit] of value.matchAll(/(\d+)([smhd])/g))
    seconds += Number(count) * UNIT_SECONDS[unit!]!;
  if (seconds === 0) return 'off';
  return seconds <= MAX_FREQUENCY_SECONDS ? seconds : undefined;
}

/** The one-line problem with a `sync.frequency` value, or undefined when it is valid. */
export function syncFrequencyProblem(text: string): string | undefined {
  return parseSyncFrequency(text) === undefined
    ? `sync.frequency must be a duration like 30s, 10m, 1h or 1h30m (at most 366d), or off (or 0) to disable automatic sync; got "${text}"`
    : undefined;
}

/**
 * The stamp file's text: the epoch second the next automatic sync is due, or `off`. The shell
 * hook compares it with the clock using builtins only, so a prompt with nothing due starts
 * nothing.
 */
export function syncStamp(nowMs: number, frequency: number | 'off'): string {
  if (frequency === 'off') return 'off\n';
  return `${Math.floor(nowMs / 1000) + frequency}\n`;
}

/** One background run as the log keeps it. */
export interface BackgroundRun {
  /** ISO time the run ended. */
  at: string;
  ok: boolean;
  /** What went wrong (one line), or a short summary of a success. */
  message: string;
}

/** Lines kept in the background log, and its size bound in bytes. */
export const BACKGROUND_LOG_LINES = 20;
export const BACKGROUND_LOG_BYTES = 8 * 1024;
/** A longer message is cut: the log stays small whatever an error says. */
const MESSAGE_CHARS = 400;

/** A run as one log line: `TIME ok MESSAGE` or `TIME failed MESSAGE`, line breaks flattened. */
export function formatBackgroundRun(run: BackgroundRun): string {
  let message = run.message.replace(/[\r\n]+/g, ' ').trim();
  if (message.length > MESSAGE_CHARS) message = `${message.slice(0, MESSAGE_CHARS - 1)}…`;
  return `${run.at} ${run.ok ? 'ok' : 'failed'} ${message}`.trimEnd();
}

/** A log line read back; undefined for a line this version did not write. */
export function parseBackgroundRun(line: string): BackgroundRun | undefined {
  const m = /^(\S+) (ok|failed)(?: (.*))?$/.exec(line);
  if (!m) return undefined;
  return { at: m[1]!, ok: m[2] === 'ok', message: m[3] ?? '' };
}

/**
 * The log's text once `line` is appended: its last BACKGROUND_LOG_LINES lines, fewer if they
 * pass BACKGROUND_LOG_BYTES (the newest line is always kept).
 */
export function appendBoundedLog(existing: string, line: string): string {
  const lines = existing.split('\n').filter((l) => l !== '');
  lines.push(line);
  let kept = lines.slice(-BACKGROUND_LOG_LINES);
  const encoder = new TextEncoder();
  const bytes = (ls: string[]) => ls.reduce((n, l) => n + encoder.encode(l).length + 1, 0);
  while (kept.length > 1 && bytes(kept) > BACKGROUND_LOG_BYTES) kept = kept.slice(1);
  return `${kept.join('\n')}\n`;
}

/** The last run the log records, if any. */
export function lastBackgroundRun(text: string): BackgroundRun | undefined {
  const lines = text.split('\n').filter((l) => l !== '');
  for (let i = lines.length - 1; i >= 0; i--) {
    const run = parseBackgroundRun(lines[i]!);
    if (run) return run;
  }
  return undefined;
}
