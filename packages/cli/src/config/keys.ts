/** The settings `dev-infra config` knows; later issues add theirs here. */
import { hostname } from 'node:os';
import {
  DEFAULT_SYNC_FREQUENCY,
  parseSyncFrequency,
  syncFrequencyProblem,
  validateName,
} from '@dev-infra/core';
import { UsageError } from '../errors.js';

/** Where a setting is stored: config.yml, or the registry's machine record. */
export type ConfigStore = 'config' | 'machine';

/** One setting. */
export interface ConfigKey {
  key: string;
  store: ConfigStore;
  description: string;
  /** The value in effect when none is set. */
  defaultValue: () => string;
  /** Never printed in full (API keys). */
  secret?: boolean;
  /** Returns the value to store, or throws a UsageError. */
  check?: (value: string) => string;
}

export const CONFIG_KEYS: readonly ConfigKey[] = [
  {
    key: 'machine.name',
    store: 'machine',
    description: "this machine's name as other machines see it (default: the hostname)",
    defaultValue: () => hostname(),
    check: (value) => {
      const problem = validateName(value);
      if (problem) throw new UsageError(problem.message.replace(/^name/, 'machine.name'));
      return value.trim();
    },
  },
  {
    key: 'clone_root',
    store: 'config',
    description: 'folder where `dev-infra clone` puts new checkouts (default: ~/code)',
    defaultValue: () => '~/code',
    check: (value) => {
      const v = value.trim();
      if (!v.startsWith('/') && !v.startsWith('~'))
        throw new UsageError('clone_root must be an absolute path or start with ~');
      return v;
    },
  },
  {
    key: 'git.state',
    store: 'config',
    description:
      "collect each checkout's git state at sync and send it (true, the default, or false)",
    defaultValue: () => 'true',
    check: (value) => {
      const v = value.trim().toLowerCase();
      if (v !== 'true' && v !== 'false') throw new UsageError('git.state must be true or false');
      return v;
    },
  },
  {
    key: 'git.jobs',
    store: 'config',
    description: 'how many repositories git state is read from at once (default: 2 per core)',
    defaultValue: () => 'auto',
    check: (value) => positiveInteger('git.jobs', value, 256),
  },
  {
    key: 'git.timeout',
    store: 'config',
    description: 'milliseconds one repository may take before its state is unknown (default 5000)',
    defaultValue: () => '5000',
    check: (value) => positiveInteger('git.timeout', value, 600_000),
  },
  {
    key: 'sync.frequency',
    store: 'config',
    description:
      'how often the shell hook starts a background sync: 30s, 10m, 1h... or off (default: 10m)',
    defaultValue: () => DEFAULT_SYNC_FREQUENCY,
    check: (value) => {
      const problem = syncFrequencyProblem(value);
      if (problem) throw new UsageError(problem);
      // Stored as typed (trimmed, lower case): `off` and `0` both mean off.
      return parseSyncFrequency(value) === 'off' ? 'off' : value.trim().toLowerCase();
    },
  },
];

function positiveInteger(key: string, value: string, max: number): string {
  const v = value.trim();
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > max)
    throw new UsageError(`${key} must be a whole number from 1 to ${max}`);
  return String(Number(v));
}

/** Looks a key up; a usage error listing the valid keys when it is unknown. */
export function findConfigKey(key: string): ConfigKey {
  const found = CONFIG_KEYS.find((k) => k.key === key);
  if (!found)
    throw new UsageError(
      `unknown config key "${key}"; valid keys: ${CONFIG_KEYS.map((k) => k.key).join(', ')}`,
    );
  return found;
}
