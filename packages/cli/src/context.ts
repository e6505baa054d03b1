/**
 * What a command may use of the world, handed to every command's run (the GitHub CLI's
 * Factory and IOStreams): its files, environment and folder, stdout and stderr, a clock and
 * the remote. Commands reach for no globals, so tests run them in-process with a test
 * context (test/support/context.ts) instead of rewriting process.env or mocking stdout.
 */
import { colourEnabled } from './output/colour.js';
import type { IO } from './output/io.js';
import { stdoutIsTerminal, writeOut } from './output/stdout.js';
import { type DevInfraPaths, resolvePaths } from './registry/paths.js';
import type { Remote } from './sync/remote-config.js';

// Where these types live (each beside what implements it), so that neither needs this file.
export type { IO, Remote };

export interface Context {
  readonly paths: DevInfraPaths;
  readonly env: NodeJS.ProcessEnv;
  /** The folder relative paths on the command line are resolved against. */
  readonly cwd: string;
  readonly io: IO;
  now(): Date;
  /** Loaded on demand: the remote's code (and its YAML parser) stays out of local commands. */
  remote(): Promise<Remote>;
  /** The process's exit code once the command returns (a failure thrown sets its own). */
  exitCode: number;
}

/** Builds the remote of a context; given by the entry point that can afford to load it. */
export type RemoteLoader = (paths: DevInfraPaths, env: NodeJS.ProcessEnv) => Promise<Remote>;

const noRemote: RemoteLoader = () =>
  Promise.reject(new Error('this entry point was started without a remote'));

/** The context of this process: its environment, folder, stdout/stderr and the real clock. */
export function processContext(loadRemote: RemoteLoader = noRemote): Context {
  const env = process.env;
  const paths = resolvePaths(env);
  let outIsTTY: boolean | undefined;
  let colour: boolean | undefined;
  const isTerminal = () => {
    outIsTTY ??= stdoutIsTerminal();
    return outIsTTY;
  };
  return {
    paths,
    env,
    // Asked only when a path is given: a deleted working folder must not break `list`.
    get cwd() {
      return process.cwd();
    },
    io: {
      out: writeOut,
      err: (text) => {
        process.stderr.write(text);
      },
      // Asked only when needed: `list --json` never looks, and `list` looks once.
      get outIsTTY() {
        return isTerminal();
      },
      get errIsTTY() {
        return process.stderr.isTTY === true;
      },
      get colour() {
        colour ??= colourEnabled(isTerminal(), env);
        return colour;
      },
    },
    now: () => new Date(),
    remote: () => loadRemote(paths, env),
    get exitCode() {
      return typeof process.exitCode === 'number' ? process.exitCode : 0;
    },
    set exitCode(code: number) {
      process.exitCode = code;
    },
  };
}
