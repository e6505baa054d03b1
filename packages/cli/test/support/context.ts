/**
 * A context for running commands in-process (the GitHub CLI's `iostreams.Test()`): stdout and
 * stderr kept in memory, a fixed environment and DEV_INFRA_HOME, a chosen terminal and colour,
 * and a fixed clock when one is given.
 */
import { tmpdir } from 'node:os';
import { main } from '../../src/cli.js';
import type { Context } from '../../src/context.js';
import { colourEnabled } from '../../src/output/colour.js';
import { resolvePaths } from '../../src/registry/paths.js';
import { remoteFor } from '../../src/sync/remote-config.js';

export interface TestContext extends Context {
  /** Everything written to stdout so far. */
  stdout(): string;
  stderr(): string;
}

export interface TestContextOptions {
  /** The machine's DEV_INFRA_HOME. */
  home: string;
  /** More environment (DEV_INFRA_REMOTE, timeouts...), on top of DEV_INFRA_HOME alone. */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Whether stdout (and stderr) are terminals; colour follows (and NO_COLOR) unless given. */
  tty?: boolean;
  colour?: boolean;
  /** The clock's time; the real clock when not given. */
  now?: Date;
}

export function testContext(options: TestContextOptions): TestContext {
  const env: NodeJS.ProcessEnv = { DEV_INFRA_HOME: options.home, ...options.env };
  const paths = resolvePaths(env);
  const out: Buffer[] = [];
  const err: string[] = [];
  const tty = options.tty === true;
  return {
    paths,
    env,
    cwd: options.cwd ?? tmpdir(),
    io: {
      out: (text) => {
        out.push(Buffer.from(text));
      },
      err: (text) => {
        err.push(text);
      },
      outIsTTY: tty,
      errIsTTY: tty,
      colour: options.colour ?? colourEnabled(tty, env),
    },
    now: () => (options.now ? new Date(options.now) : new Date()),
    remote: async () => remoteFor(paths, env),
    exitCode: 0,
    stdout: () => Buffer.concat(out).toString('utf8'),
    stderr: () => err.join(''),
  };
}

/** What `dev-infra ARGS` printed and its exit code, run in this process. */
export interface InProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `dev-infra ARGS` in this process through the full command line (commander included). */
export async function runInProcess(
  args: string[],
  options: TestContextOptions,
): Promise<InProcessResult> {
  const ctx = testContext(options);
  await main(['node', 'dev-infra', ...args], ctx);
  return { code: ctx.exitCode, stdout: ctx.stdout(), stderr: ctx.stderr() };
}
