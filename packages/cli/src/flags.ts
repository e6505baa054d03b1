/** Parsers for flag values: a bad value is a usage error (exit 2) raised by commander. */
import {
  PROJECT_STATUSES,
  PROJECT_TYPES,
  type ProjectStatus,
  type ProjectType,
  parseProjectStatus,
  parseProjectType,
  validateName,
} from '@dev-infra/core';
import { InvalidArgumentError } from 'commander';

/** `--type`: a project type in any letter case. */
export function typeFlag(value: string): ProjectType {
  const parsed = parseProjectType(value);
  if (!parsed) throw new InvalidArgumentError(`Use one of ${PROJECT_TYPES.join(', ')}.`);
  return parsed;
}

/** `--status`: a status in any letter case. */
export function statusFlag(value: string): ProjectStatus {
  const parsed = parseProjectStatus(value);
  if (!parsed) throw new InvalidArgumentError(`Use one of ${PROJECT_STATUSES.join(', ')}.`);
  return parsed;
}

/** `--name`: a valid project name. */
export function nameFlag(value: string): string {
  const problem = validateName(value);
  if (problem) throw new InvalidArgumentError(`The ${problem.message}.`);
  return value;
}

/** A repeatable flag (`--tag a --tag b`, also `--tag a,b`): collects every value. */
export function repeatable(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',')];
}

/** `--depth`: a whole number from 0 to 20. */
export function depthFlag(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 20)
    throw new InvalidArgumentError('Use a whole number from 0 to 20.');
  return n;
}

/** `--prefer`: which side wins a same-field conflict. */
export function preferFlag(value: string): 'local' | 'remote' {
  if (value !== 'local' && value !== 'remote')
    throw new InvalidArgumentError('Use local or remote.');
  return value;
}

/** `--jobs`: how many run at once, a whole number from 1 to 64. */
export function jobsFlag(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64)
    throw new InvalidArgumentError('Use a whole number from 1 to 64.');
  return n;
}
