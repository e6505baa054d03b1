/**
 * What a command may use of the world, handed to every command's run (the GitHub CLI's
 * Factory and IOStreams): its files, environment and folder, stdout and stderr, a clock and
 * the remote. Commands reach for no globals, so tests run them in-process with a test
 * context (test/support/context.ts) instead of rewriting process.env or mocking stdout.
 */
import { colourEnabled } from './output/colour.js';
import { stdoutIsTerminal, writeOut } from './output/stdout.js';
import { type DevInfraPaths, resolvePaths } from './registry/paths.js';
import type { HttpClient } from './remote/http.js';
import type { RemoteSettings } from './sync/remote-config.js';

/** The command's streams, and what they are attached to. */
export interface IO {
  /** Writes to stdout; after the reader has gone (`| head -1`) it drops the rest quietly. */
  out(text: string | Uint8Array): void;
  err(text: string): void;
  readonly outIsTTY: boolean;
  readonly errIsTTY: boolean;
  /** Whether stdout is coloured: a terminal, and neither NO_COLOR nor TERM=dumb. */
  readonly colour: boolean;
}

/** The work-prod this machine syncs with (config.yml, overridden by the environment). */
export interface Remote {
  /** Undefined when no remote is set. */
  settings(): RemoteSettings | undefined;
  /** The settings, or a UserError saying how to set a remote. */
  require(): RemoteSettings;
  /** `short` is for read-only checks such as `status` (5 s at most, no retries). */
  http(settings: RemoteSettings, options?: { short?: boolean }): HttpClient;
}

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
