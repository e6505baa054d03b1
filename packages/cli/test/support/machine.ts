/** A simulated machine for command tests: its own DEV_INFRA_HOME and a folder of projects. */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { makeTempDir } from '../../../../test-support/tmp.js';
import { runCli } from './cli.js';
import { runInProcess } from './context.js';

export interface Listed {
  id: string;
  name: string;
  path: string;
  remote_url: string | null;
  description: string | null;
  tags: string[];
  project_type: string | null;
  status: string;
  template: string | null;
  template_version: string | null;
  created_at: string;
  missing: boolean;
}

/** A fresh machine (DEV_INFRA_HOME) and a folder for its projects. */
export function machine() {
  const root = makeTempDir('dev-infra-cmd-');
  const home = join(root, 'home');
  const code = join(root, 'code');
  mkdirSync(code);
  /** Runs a command in this process, against in-memory streams. */
  const cli = (args: string[], cwd?: string, env?: NodeJS.ProcessEnv) =>
    runInProcess(args, { home, cwd: cwd ?? code, ...(env ? { env } : {}) });
  /** Runs the built binary, for what only a real process shows (exit codes, --debug, HOME). */
  const bin = (args: string[], cwd?: string, env?: NodeJS.ProcessEnv) =>
    runCli(home, args, { cwd: cwd ?? code, ...(env ? { env } : {}) });
  const list = async (...args: string[]): Promise<Listed[]> => {
    const r = await cli(['list', '--json', ...args]);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as Listed[];
  };
  const registryText = () => readFileSync(join(home, 'registry.json'), 'utf8');
  return { root, home, code, cli, bin, list, registryText };
}

export type Machine = ReturnType<typeof machine>;

/** Runs a command that must succeed on `m` (the failure shows its stderr); returns its stdout. */
export async function ok(m: Machine, args: string[]): Promise<string> {
  const r = await m.cli(args);
  expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r.stdout;
}
