/**
 * The prompt hook in real bash, zsh and fish, installed as the README says (`eval "$(dev-infra
 * hook bash)"`, `dev-infra hook fish | source`), with the built CLI behind a `dev-infra` on PATH
 * that records each call, against a real work-prod on 127.0.0.1 behind a request-counting
 * proxy. Many prompts in a row start exactly one background sync; while nothing is due a
 * prompt starts no process at all; once the stamp says due again, one more runs; with the
 * server stopped the failure lands in the log and `status` shows it.
 */
import { execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { shellPath } from '../../../test-support/services.js';
import { removeTempDirs } from '../../../test-support/tmp.js';
import { describeBackends, newAccount } from '../../server/test/helpers.js';
import { BIN, ensureBuilt, makeRepo } from './support/cli.js';
import { machine, ok } from './support/machine.js';
import { useListeningApp } from './sync/listening-app.js';
import { startProxy } from './sync/support.js';

beforeAll(ensureBuilt);
afterAll(removeTempDirs);

type Shell = 'bash' | 'zsh' | 'fish';

/** How each shell installs the hook and runs its prompt hook `n` times in a row. */
const SHELLS: Record<Shell, { install: string; prompts: (n: number) => string }> = {
  bash: {
    install: 'eval "$(dev-infra hook bash)"',
    prompts: (n) => `for ((i = 0; i < ${n}; i++)); do eval "$PROMPT_COMMAND"; done`,
  },
  zsh: {
    install: 'eval "$(dev-infra hook zsh)"',
    prompts: (n) => `repeat ${n} { for f in $precmd_functions; do $f; done }`,
  },
  fish: {
    install: 'dev-infra hook fish | source',
    // fish's own first-prompt set-up (its interactive configuration, which starts a completion
    // generator in the background) is left out: the hook's handler alone answers the event.
    prompts: (n) =>
      `functions -e __fish_on_interactive; for i in (seq ${n}); emit fish_prompt; end`,
  },
};

/** Runs `code` in `shell` without blocking this process (work-prod lives here). */
/** The shell's own path, to start it with a PATH that does not hold it. */
const absolute = (shell: Shell) =>
  execFileSync('/bin/sh', ['-c', `command -v ${shell}`], { encoding: 'utf8' }).trim();

function inShell(
  shell: string,
  code: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(shell, ['-c', code], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (status) => resolve({ code: status, stdout, stderr }));
  });
}

const read = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : '');
const lines = (file: string) => read(file).split('\n').filter(Boolean);

/** Waits (up to 30 s) until `done` holds: the background sync runs detached from the shell. */
async function until(what: string, done: () => boolean): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (done()) return;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Each shell present (zsh and fish skip visibly when missing, and fail in CI). */
const PRESENT: Record<Shell, boolean> = {
  bash: true,
  zsh: shellPath('zsh') !== undefined,
  fish: shellPath('fish') !== undefined,
};

describeBackends(
  'the prompt hook in real shells',
  (backend) => {
    const url = useListeningApp(backend);

    for (const shell of ['bash', 'zsh', 'fish'] as const) {
      it.skipIf(!PRESENT[shell])(
        `${shell}: one background sync per period, nothing started between`,
        async () => {
          const proxy = await startProxy(url());
          try {
            const { key } = await newAccount(backend().storage, `hook-${shell}`);
            const m = machine();
            await ok(m, ['remote', 'set', proxy.url, '--key', key]);
            const api = makeRepo(join(m.code, 'api'));
            await ok(m, ['add', api]);

            // A `dev-infra` that notes each time a shell starts it.
            const bin = join(m.root, 'bin');
            const calls = join(m.root, 'calls');
            mkdirSync(bin);
            writeFileSync(
              join(bin, 'dev-infra'),
              `#!/bin/sh\nprintf '%s\\n' "$*" >> '${calls}'\nexec "${process.execPath}" "${BIN}" "$@"\n`,
            );
            chmodSync(join(bin, 'dev-infra'), 0o755);
            const env = {
              ...process.env,
              HOME: m.root,
              DEV_INFRA_HOME: m.home,
              PATH: `${bin}:${process.env.PATH}`,
              NO_COLOR: '1',
            };
            const stamp = join(m.home, 'sync-due');
            const log = join(m.home, 'sync-background.log');
            const lock = join(m.home, 'sync-background.lock');
            const starts = () => lines(calls).filter((l) => l === 'sync --background').length;
            const pulls = () => proxy.seen.filter((s) => s === 'GET /api/sync/changes').length;
            /** With `bare`, PATH holds only the recording dev-infra: any other program the
             *  prompts ran would fail ("command not found" on stderr). */
            const prompts = async (n: number, bare = false) => {
              const r = await inShell(
                bare ? absolute(shell) : shell,
                `${SHELLS[shell].install}\n${SHELLS[shell].prompts(n)}`,
                bare ? { ...env, PATH: bin } : env,
              );
              expect(r.stderr, `${shell} stderr`).toBe('');
              expect(r.code).toBe(0);
            };
            const settled = (runs: number) =>
              until(
                `${runs} background run(s)`,
                () => lines(log).length >= runs && !existsSync(lock),
              );

            // No stamp yet: the first prompt starts one sync, the four after it nothing.
            const before = Math.floor(Date.now() / 1000);
            await prompts(5);
            // The provisional stamp, written before the prompt returned: the next prompts wait.
            expect(Number(read(stamp))).toBeGreaterThanOrEqual(before + 60);
            await settled(1);
            expect(starts()).toBe(1);
            expect(lines(log)).toEqual([expect.stringMatching(/ ok pulled 0, pushed 1$/)]);
            expect(pulls()).toBe(1);
            const due = Number(read(stamp));
            // The real stamp (now + the default 10 minutes), not the provisional minute.
            expect(due).toBeGreaterThanOrEqual(before + 600);

            // Nothing due: prompts start no process (no dev-infra, so no Node; nothing else on
            // PATH) and no sync. The stamp is untouched (the provisional write and the start go
            // together).
            await prompts(5, true);
            expect(Number(read(stamp))).toBe(due);
            await sleep(300);
            expect(starts()).toBe(1);
            expect(lines(log)).toHaveLength(1);
            expect(pulls()).toBe(1);
            expect(Number(read(stamp))).toBe(due);

            // The period has passed (the stamp says so): exactly one more.
            writeFileSync(stamp, `${before - 1}\n`);
            await prompts(5);
            await settled(2);
            expect(starts()).toBe(2);
            expect(lines(log)[1]).toMatch(/ ok pulled 0, pushed 0$/);
            expect(pulls()).toBe(2);
            expect(Number(read(stamp))).toBeGreaterThanOrEqual(before + 600);

            // The server stops: the next due sync fails, in one line that status shows.
            await proxy.close();
            writeFileSync(stamp, `${before - 1}\n`);
            await prompts(3);
            await settled(3);
            expect(starts()).toBe(3);
            expect(lines(log)[2]).toMatch(/ failed .*127\.0\.0\.1/);
            const status = await m.bin(['status', '--offline'], undefined, { NO_COLOR: '1' });
            expect(status.stdout).toMatch(
              /Last background sync just now \(.*\) failed: .*127\.0\.0\.1/,
            );
            // And the wait is a full period, not the next prompt.
            expect(Number(read(stamp))).toBeGreaterThanOrEqual(before + 600);

            // The prompt keeps $? (bash) and dcd goes to a project.
            const dcd = await inShell(shell, `${SHELLS[shell].install}\ndcd api; pwd`, env);
            expect(dcd.stderr).toBe('');
            expect(dcd.stdout.trim().split('\n').at(-1)).toBe(realpathSync(api));
            if (shell === 'bash') {
              const kept = await inShell(
                'bash',
                `${SHELLS.bash.install}\nfalse; eval "$PROMPT_COMMAND"; echo "status $?"`,
                env,
              );
              expect(kept.stdout).toBe('status 1\n');
              // Installed twice (a re-sourced ~/.bashrc): still one hook, before the user's own.
              const twice = await inShell(
                'bash',
                `PROMPT_COMMAND='history -a'\n${SHELLS.bash.install}\n${SHELLS.bash.install}\necho "$PROMPT_COMMAND"`,
                env,
              );
              expect(twice.stdout).toBe('__dev_infra_prompt;history -a\n');
            }
          } finally {
            await proxy.close().catch(() => {});
          }
        },
        60_000,
      );

      it.skipIf(!PRESENT[shell])(
        `${shell}: finds the stamp where the CLI keeps it without DEV_INFRA_HOME (XDG_DATA_HOME)`,
        async () => {
          const m = machine();
          const data = join(m.root, 'data');
          const env: NodeJS.ProcessEnv = {
            ...process.env,
            HOME: m.root,
            XDG_DATA_HOME: data,
            XDG_CONFIG_HOME: join(m.root, 'config'),
            PATH: `${join(m.root, 'bin')}:${process.env.PATH}`,
          };
          delete env.DEV_INFRA_HOME;
          mkdirSync(join(m.root, 'bin'));
          writeFileSync(
            join(m.root, 'bin', 'dev-infra'),
            `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`,
          );
          chmodSync(join(m.root, 'bin', 'dev-infra'), 0o755);
          const stamp = join(data, 'dev-infra', 'sync-due');
          const before = Math.floor(Date.now() / 1000);
          const r = await inShell(
            shell,
            `${SHELLS[shell].install}\n${SHELLS[shell].prompts(2)}`,
            env,
          );
          expect(r.stderr).toBe('');
          // No remote: the background run only writes the real stamp (a period on).
          await until('the stamp', () => Number(read(stamp)) >= before + 600);
        },
        60_000,
      );
    }
  },
  ['sqlite'],
);
