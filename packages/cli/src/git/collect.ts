/**
 * Collecting the git state of this machine's projects into the registry entries (at each
 * sync and by `dev-infra refresh`), and the settings that govern it (`git.state`,
 * `git.jobs`, `git.timeout`).
 */
import { existsSync } from 'node:fs';
import { type GitState, hasWorkInProgress, isUnknownGitState, keptGitState } from '@dev-infra/core';
import { configValue, readConfig } from '../config/file.js';
import type { LocalProject } from '../registry/format.js';
import { collectGitStates } from './pool.js';
import { DEFAULT_GIT_BUDGET_MS } from './state.js';

/** How git state is collected on this machine. */
export interface GitSettings {
  /** False when `git.state` is set to false: nothing is collected or sent. */
  enabled: boolean;
  /** Repositories read at once (`git.jobs`; default: twice the cores). */
  jobs?: number;
  /** Per repository, in milliseconds (`git.timeout`). */
  budgetMs: number;
}

/** The settings from config.yml (invalid values were refused when set or read). */
export function gitSettings(configFile: string): GitSettings {
  const doc = readConfig(configFile);
  const state = configValue(doc, 'git.state');
  const jobs = configValue(doc, 'git.jobs');
  const timeout = configValue(doc, 'git.timeout');
  const settings: GitSettings = {
    enabled: state !== 'false',
    budgetMs: typeof timeout === 'string' ? Number(timeout) : DEFAULT_GIT_BUDGET_MS,
  };
  if (typeof jobs === 'string') settings.jobs = Number(jobs);
  return settings;
}

/** What a collection found. */
export interface CollectSummary {
  /** Projects that are git repositories (known or unknown state). */
  repositories: number;
  /** Of which with work in progress. */
  wip: number;
  unknown: number;
  /** Projects whose folder is missing here: their last state is kept. */
  missing: number;
}

/**
 * Reads the git state of each project whose folder exists and writes it onto the entry
 * (`git`); a missing folder keeps its last state (an unmounted disk is not a deleted repo).
 */
export async function collectInto(
  projects: LocalProject[],
  settings: GitSettings,
  now: () => string,
  env?: NodeJS.ProcessEnv,
  /** Keep a stored state that still says the same (see core's keptGitState): at sync. */
  keepUnchanged = false,
): Promise<CollectSummary> {
  const collected = await collectStates(projects, settings, now, env);
  return applyStates(projects, collected, now(), keepUnchanged);
}

/** States read, by project path (a project whose folder is missing has none). */
export type CollectedStates = Map<string, GitState | null>;

/** Reads the state of each project whose folder exists, touching no entry. */
export async function collectStates(
  projects: readonly LocalProject[],
  settings: GitSettings,
  now: () => string,
  env?: NodeJS.ProcessEnv,
): Promise<CollectedStates> {
  const present = projects.filter((p) => existsSync(p.path));
  const states = await collectGitStates(
    present.map((p) => p.path),
    {
      ...(settings.jobs === undefined ? {} : { jobs: settings.jobs }),
      budgetMs: settings.budgetMs,
      ...(env === undefined ? {} : { env }),
      now,
    },
  );
  return new Map(present.map((p, i) => [p.path, states[i] ?? null]));
}

/**
 * Writes collected states onto the entries at the paths read (`at`: now, for keptGitState); a
 * project without one keeps its last. By path, not id: linking during the pull gives a
 * project the server's uuid while its git is being read.
 */
export function applyStates(
  projects: LocalProject[],
  collected: CollectedStates,
  at: string,
  keepUnchanged: boolean,
): CollectSummary {
  const states: (GitState | null)[] = [];
  let missing = 0;
  for (const p of projects) {
    if (!collected.has(p.path)) {
      missing += 1;
      continue;
    }
    const state = collected.get(p.path) ?? null;
    states.push(state);
    p.git = keepUnchanged ? keptGitState(p.git, state, at) : state;
  }
  return { ...summarize(states), missing };
}

function summarize(states: readonly (GitState | null)[]): Omit<CollectSummary, 'missing'> {
  let repositories = 0;
  let wip = 0;
  let unknown = 0;
  for (const s of states) {
    if (s === null) continue;
    repositories += 1;
    if (isUnknownGitState(s)) unknown += 1;
    else if (hasWorkInProgress(s)) wip += 1;
  }
  return { repositories, wip, unknown };
}
