/**
 * The completion scripts run in real bash, zsh and fish against the built CLI: subcommands,
 * flag values, this machine's names, and the names `clone` takes from the last pull (with the
 * remote pointed where nothing listens: completion never touches the network).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { shellPath } from '../../../test-support/services.js';
import { removeTempDirs } from '../../../test-support/tmp.js';
import { describeBackends, newAccount } from '../../server/test/helpers.js';
import { BIN, ensureBuilt, makeRepo } from './support/cli.js';
import { type Machine, machine, ok } from './support/machine.js';
import { useListeningApp } from './sync/listening-app.js';

let here: Machine;
let shimDir = '';

beforeAll(ensureBuilt);
afterAll(removeTempDirs);

async function script(shell: string): Promise<string> {
  const file = join(here.root, `completion.${shell}`);
  writeFileSync(file, (await here.cli(['completion', shell])).stdout);
  return file;
}

function inShell(shell: string, code: string): string {
  const r = spawnSync(shell, ['-c', code], {
    encoding: 'utf8',
    env: { ...process.env, DEV_INFRA_HOME: here.home, PATH: `${shimDir}:${process.env.PATH}` },
  });
  expect(r.stderr).toBe('');
  return r.stdout;
}

/** Each case: the words typed (the last one being completed), and what is offered. */
const CASES: [string[], string[]][] = [
  [['clone', ''], ['far-away']],
  [['show', ''], ['proj-one']],
  [['path', ''], ['proj-one']],
  [['move', 'p'], ['proj-one']],
  [
    ['remote', ''],
    ['set', 'show', 'remove'],
  ],
  [
    ['sync', ''],
    ['pull', 'push'],
  ],
  [
    ['config', ''],
    ['list', 'get', 'set', 'unset'],
  ],
  [
    ['hook', ''],
    ['bash', 'zsh', 'fish'],
  ],
  [
    ['sync', '--prefer', ''],
    ['local', 'remote'],
  ],
  [
    ['add', '--type', ''],
    ['Work', 'Personal', 'Learning', 'Inactive'],
  ],
  [
    ['update', 'proj-one', '--status', ''],
    ['active', 'paused', 'completed', 'cancelled'],
  ],
  [
    ['exec', '--status', ''],
    ['active', 'paused', 'completed', 'cancelled'],
  ],
];

const sorted = (words: string[]) => [...words].sort();

describeBackends(
  'completion in real shells',
  (backend) => {
    const url = useListeningApp(backend);
    beforeAll(async () => {
      const { key } = await newAccount(backend().storage, 'completion');
      const far = machine();
      here = machine();
      for (const [m, name, project] of [
        [far, 'desktop', 'far-away'],
        [here, 'laptop', 'proj-one'],
      ] as const) {
        await ok(m, ['config', 'set', 'machine.name', name]);
        await ok(m, ['remote', 'set', url(), '--key', key]);
        await ok(m, ['add', makeRepo(join(m.code, project))]);
        await ok(m, ['sync']);
      }
      await ok(here, ['sync']);
      // Completion reads the last pull (list --remote-only); this remote makes any request fail.
      await ok(here, ['remote', 'set', 'http://127.0.0.1:9', '--no-verify']);
      shimDir = join(here.root, 'bin');
      mkdirSync(shimDir);
      writeFileSync(
        join(shimDir, 'dev-infra'),
        `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`,
      );
      chmodSync(join(shimDir, 'dev-infra'), 0o755);
    });

    it('bash', async () => {
      const file = await script('bash');
      for (const [typed, offered] of CASES) {
        const line = ['dev-infra', ...typed].map((w) => `'${w}'`).join(' ');
        const out = inShell(
          'bash',
          `source ${file}; COMP_WORDS=(${line}); COMP_CWORD=$((\${#COMP_WORDS[@]}-1)); _dev_infra; printf '%s\\n' "\${COMPREPLY[@]}"`,
        );
        const got = out.split('\n').filter(Boolean);
        expect(sorted(got), typed.join(' ')).toEqual(
          sorted(offered.filter((w) => w.startsWith(typed.at(-1)!))),
        );
      }
    });

    const zsh = shellPath('zsh');
    it.skipIf(!zsh)('zsh', async () => {
      const file = await script('zsh');
      // compadd and friends exist only inside zsh's completion system; these stand-ins print
      // what the script offers, and the script's own function runs unchanged.
      const stubs = `compdef() { :; }
compadd() { local -a out; while (( $# )); do case $1 in -a) shift; out+=(\${(P)1});; --) ;; -*) ;; *) out+=($1);; esac; shift; done; print -rl -- $out; }
_describe() { print -rl -- \${(P)2}; }
_files() { :; }`;
      for (const [typed, offered] of CASES) {
        const line = ['dev-infra', ...typed].map((w) => `'${w}'`).join(' ');
        const out = inShell(
          'zsh',
          `${stubs}\nsource ${file}\nwords=(${line}); CURRENT=\${#words}; PREFIX=${`'${typed.at(-1)}'`}\n_dev_infra`,
        );
        const got = out.split('\n').filter(Boolean);
        // compadd filters by PREFIX itself; the stand-in does not, so the script offers them all.
        expect(sorted(got), typed.join(' ')).toEqual(sorted(offered));
      }
    });

    const fish = shellPath('fish');
    it.skipIf(!fish)('fish', async () => {
      const file = await script('fish');
      for (const [typed, offered] of CASES) {
        const line = ['dev-infra', ...typed].join(' ');
        const out = inShell('fish', `source ${file}; complete -C '${line}'`);
        const got = out
          .split('\n')
          .filter(Boolean)
          .map((l) => l.split('\t')[0]!);
        expect(sorted(got), typed.join(' ')).toEqual(
          sorted(offered.filter((w) => w.startsWith(typed.at(-1)!))),
        );
      }
    });
  },
  ['sqlite'],
);
