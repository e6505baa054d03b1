/**
 * `sync --background` and what the shell hook reads: the next-due stamp (`sync-due`), the
 * lock that keeps one background sync at a time (`sync-background.lock`, the holder's PID)
 * and the bounded log of background runs (`sync-background.log`), all beside the registry.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  appendBoundedLog,
  type BackgroundRun,
  DEFAULT_SYNC_FREQUENCY,
  formatBackgroundRun,
  lastBackgroundRun,
  parseSyncFrequency,
  syncStamp,
} from '@dev-infra/core';
import { configValue, readConfig } from '../config/file.js';
import { oneLine } from '../errors.js';
import { ensurePrivateDir, PRIVATE_FILE, replacePrivateFile } from '../private-files.js';
import type { DevInfraPaths } from '../registry/paths.js';

/** Set in the environment of the detached process `sync --background` starts. */
export const BACKGROUND_CHILD_ENV = 'DEV_INFRA_SYNC_BACKGROUND_CHILD';

/** A lock older than this is taken over even if its PID is alive (the PID was reused). */
const LOCK_MAX_AGE_MS = 60 * 60 * 1000;

/** The background sync's files, in the registry's folder. */
export function backgroundFiles(paths: DevInfraPaths) {
  return {
    stamp: join(paths.dataDir, 'sync-due'),
    lock: join(paths.dataDir, 'sync-background.lock'),
    log: join(paths.dataDir, 'sync-background.log'),
  };
}

/** `sync.frequency` in effect: seconds, or 'off'. A bad value throws (config.yml is checked). */
export function syncFrequency(paths: DevInfraPaths): number | 'off' {
  const stored = configValue(readConfig(paths.configFile), 'sync.frequency');
  const text = typeof stored === 'string' && stored !== '' ? stored : DEFAULT_SYNC_FREQUENCY;
  // readConfig has already refused a value that does not parse.
  return parseSyncFrequency(text) ?? 'off';
}

/** Records when the next automatic sync is due (now + `frequency`, or never when off). */
export function writeNextDue(paths: DevInfraPaths, nowMs: number, frequency: number | 'off'): void {
  ensurePrivateDir(paths.dataDir);
  replacePrivateFile(backgroundFiles(paths).stamp, syncStamp(nowMs, frequency));
}

/**
 * After `sync.frequency` changed: off writes `off` (the hook then does nothing), anything
 * else removes the stamp so the next prompt starts a sync that writes the new period's stamp.
 */
export function resetNextDue(paths: DevInfraPaths, frequency: number | 'off'): void {
  if (frequency === 'off') writeNextDue(paths, 0, 'off');
  else rmSync(backgroundFiles(paths).stamp, { force: true });
}

/** Moves the stamp forward after a successful foreground sync; never fails the sync. */
export function afterForegroundSync(paths: DevInfraPaths, nowMs: number): void {
  try {
    writeNextDue(paths, nowMs, syncFrequency(paths));
  } catch {
    // The stamp only saves a background sync; a later one writes it again.
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, but another user's.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The PID in a lock file, or undefined when it holds none (torn write, garbage). */
function lockHolder(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the lock at `file` is held by a live process (and not so old its PID was reused). */
export function backgroundLockHeld(file: string): boolean {
  let mtimeMs: number;
  try {
    mtimeMs = statSync(file).mtimeMs;
  } catch {
    return false;
  }
  const pid = lockHolder(file);
  // A lock without a PID may be one being written this instant: held, unless it is old.
  const young = Date.now() - mtimeMs < LOCK_MAX_AGE_MS;
  return young && (pid === undefined ? Date.now() - mtimeMs < 10_000 : pidAlive(pid));
}

/**
 * Takes the background lock: created with O_EXCL holding this PID. A lock whose holder is dead
 * is taken over once. Returns the release, or undefined when another background sync holds it
 * (the caller exits quietly rather than queue).
 */
export function tryBackgroundLock(file: string, pid = process.pid): (() => void) | undefined {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', PRIVATE_FILE);
      try {
        writeFileSync(fd, `${pid}\n`);
      } finally {
        closeSync(fd);
      }
      return () => {
        // Only our own lock: a taken-over one belongs to its new holder.
        if (lockHolder(file) === pid) rmSync(file, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (backgroundLockHeld(file)) return undefined;
    // Stale. Two takers may race here; the registry lock still serialises their syncs.
    rmSync(file, { force: true });
  }
  return undefined;
}

/** Appends a run to the bounded log (0600). */
export function logBackgroundRun(paths: DevInfraPaths, run: BackgroundRun): void {
  const file = backgroundFiles(paths).log;
  let existing = '';
  try {
    existing = readFileSync(file, 'utf8');
  } catch {
    // No log yet.
  }
  ensurePrivateDir(paths.dataDir);
  replacePrivateFile(file, appendBoundedLog(existing, formatBackgroundRun(run)));
}

/** The last background run the log records (for `status`), if any. */
export function lastRun(paths: DevInfraPaths): BackgroundRun | undefined {
  try {
    return lastBackgroundRun(readFileSync(backgroundFiles(paths).log, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Starts the background sync as a detached process of its own (its own session: closing the
 * terminal or Ctrl-C at the prompt does not reach it) and returns at once. Nothing is started
 * while another background sync runs.
 */
export function spawnBackgroundSync(
  paths: DevInfraPaths,
  env: NodeJS.ProcessEnv,
  /** Passed on to the child (`--no-git`). */
  flags: readonly string[] = [],
): boolean {
  if (backgroundLockHeld(backgroundFiles(paths).lock)) return false;
  const bin = process.argv[1];
  if (bin === undefined) return false;
  const child = spawn(process.execPath, [bin, 'sync', '--background', ...flags], {
    detached: true,
    stdio: 'ignore',
    env: { ...env, [BACKGROUND_CHILD_ENV]: '1' },
  });
  // Nothing waits for it; a failure to start shows as no new line in the log.
  child.on('error', () => {});
  child.unref();
  return true;
}

/** A short summary of a successful background run, for the log. */
export function summary(pulled: number, pushed: number): string {
  return `pulled ${pulled}, pushed ${pushed}`;
}

/** A failure's one line for the log (errors already name no secret). */
export const failureLine = (error: unknown) => oneLine(error);
