/**
 * The seed of a seeded test: the environment variable when set (to replay a run); in CI one
 * taken from the commit, so `.ci/run` before a push sees the run CI will make; elsewhere the
 * clock, so each local run tries new cases.
 */
import { execFileSync } from 'node:child_process';

export function testSeed(variable: string): number {
  const given = process.env[variable];
  if (given) return Number(given);
  if (process.env.CI) {
    try {
      const head = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
      return Number.parseInt(head.slice(0, 8), 16) % 2 ** 31;
    } catch {
      // Not a git checkout: fall back to the clock; the seed is printed either way.
    }
  }
  return Date.now() % 2 ** 31;
}
