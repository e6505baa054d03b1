/**
 * `clone --missing` as a real process: on a pseudo-terminal (util-linux `script`) its progress
 * line is redrawn in place and gives way to the summary; piped, it prints plain lines only;
 * killed outright halfway, it leaves a valid registry holding what it had cloned, and a rerun
 * finishes the rest.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ptyRunner } from '../../../test-support/services.js';
import { removeTempDirs } from '../../../test-support/tmp.js';
import { describeBackends, newAccount } from '../../server/test/helpers.js';
import { BIN, ensureBuilt, machineEnv } from './support/cli.js';
import { machine, ok } from './support/machine.js';
import { useListeningApp } from './sync/listening-app.js';
import { cli, git, makeOriginAndClone } from './sync/support.js';

const script = ptyRunner();
const quote = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;
const ERASE = '\r\u001b[2K';

beforeAll(ensureBuilt);
afterAll(removeTempDirs);

/** Runs `dev-infra ARGS` on a pseudo-terminal (without blocking the server in this process). */
function onTerminal(home: string, args: string[]): Promise<{ code: number | null; shown: string }> {
  const command = [process.execPath, BIN, ...args].map(quote).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn(script!, ['-qec', command, '/dev/null'], {
      env: machineEnv(home, { TERM: 'xterm' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let shown = '';
    child.stdout.on('data', (d) => {
      shown += d;
    });
    // A command waiting at a prompt would wait for ever: stopped, it fails the test instead.
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, shown: shown.replace(/\r\n/g, '\n') });
    });
  });
}

/**
 * A web server for one bare repository, over git's plain ("dumb") HTTP: while `hang` is set it
 * answers nothing, so a clone from it waits until killed.
 */
async function repoServer(root: () => string) {
  let hang = true;
  const waiting: ServerResponse[] = [];
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    if (hang) {
      waiting.push(res);
      return;
    }
    const file = join(root(), decodeURIComponent((req.url ?? '/').split('?')[0]!));
    if (!file.startsWith(root()) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => requests,
    serve: () => {
      hang = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of waiting) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Waits for `done` (polling), failing after a generous while. */
async function until(done: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (done()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`gave up waiting: ${what}`);
}

const registered = (home: string): string[] => {
  const file = join(home, 'registry.json');
  if (!existsSync(file)) return [];
  return (JSON.parse(readFileSync(file, 'utf8')) as { projects: { name: string }[] }).projects
    .map((p) => p.name)
    .sort();
};

describeBackends(
  'clone --missing as a process',
  (backend) => {
    const url = useListeningApp(backend);

    /** Machine A holds `names` (bare origins beside it) and syncs; `fresh` new machines sync. */
    async function fleet(
      names: readonly string[],
      fresh: number,
      urls: Record<string, string> = {},
    ) {
      const { key } = await newAccount(backend().storage, 'missing-process');
      const a = machine();
      const others = Array.from({ length: fresh }, () => machine());
      for (const [i, m] of [a, ...others].entries()) {
        await ok(m, ['config', 'set', 'machine.name', i === 0 ? 'a' : `m${i}`]);
        await ok(m, ['config', 'set', 'clone_root', join(m.root, 'clones')]);
        await ok(m, ['remote', 'set', url(), '--key', key]);
      }
      for (const name of names) {
        const origin = makeOriginAndClone(a.root, name, join(a.code, name));
        const custom = urls[name];
        if (custom) {
          git(['-C', origin, 'update-server-info']);
          git(['-C', join(a.code, name), 'remote', 'set-url', 'origin', custom]);
        }
        await ok(a, ['add', join(a.code, name)]);
      }
      await ok(a, ['sync']);
      for (const m of others) await ok(m, ['sync']);
      return { a, others };
    }

    it.skipIf(script === undefined)(
      'on a terminal: a progress line redrawn in place, then the summary; piped: plain lines',
      async () => {
        const { others } = await fleet(['api', 'lib', 'web'], 2);
        const [tty, piped] = others as [ReturnType<typeof machine>, ReturnType<typeof machine>];

        const r = await onTerminal(tty.home, ['clone', '--missing', '--jobs', '1']);
        expect(r.code, r.shown).toBe(0);
        const clones = join(tty.root, 'clones');
        // One project at a time: each start and end redraws the line, the names scroll above.
        const redraws = r.shown.split(ERASE).filter((s) => s.startsWith('cloning '));
        expect(redraws.map((s) => s.split('\n')[0])).toEqual([
          'cloning 0/3  done 0  failed 0',
          'cloning 0/3  done 0  failed 0  · api',
          'cloning 1/3  done 1  failed 0',
          'cloning 1/3  done 1  failed 0  · lib',
          'cloning 2/3  done 2  failed 0',
          'cloning 2/3  done 2  failed 0  · web',
          'cloning 3/3  done 3  failed 0',
        ]);
        expect(r.shown).toContain(`${ERASE}cloned api -> ${join(clones, 'api')}\n`);
        // The line is erased for good before the summary, the last thing shown.
        expect(r.shown.endsWith(`${ERASE}cloned 3, skipped 0, failed 0\n`)).toBe(true);
        expect(registered(tty.home)).toEqual(['api', 'lib', 'web']);

        const p = await cli(piped.home, ['clone', '--missing']);
        expect(p.code).toBe(0);
        // Clones finishing together register one after another: no waiting for a lock.
        expect(p.stderr).toBe('');
        const pclones = join(piped.root, 'clones');
        expect(p.stdout.split('\n').sort()).toEqual([
          '',
          `cloned 3, skipped 0, failed 0`,
          `cloned api -> ${join(pclones, 'api')}`,
          `cloned lib -> ${join(pclones, 'lib')}`,
          `cloned web -> ${join(pclones, 'web')}`,
        ]);
        expect(registered(piped.home)).toEqual(['api', 'lib', 'web']);
      },
    );

    it.skipIf(script === undefined)(
      'on a terminal, a URL that asks for a password fails at once instead of prompting',
      async () => {
        // Every request is refused with a Basic challenge: a git allowed to prompt would ask
        // for a user name on the terminal and wait.
        const auth = createServer((_req, res) => {
          res.writeHead(401, { 'www-authenticate': 'Basic realm="private"' }).end();
        });
        await new Promise<void>((resolve) => auth.listen(0, '127.0.0.1', resolve));
        const port = (auth.address() as AddressInfo).port;
        try {
          const { others } = await fleet(['private'], 1, {
            private: `http://127.0.0.1:${port}/private.git`,
          });
          const c = others[0]!;
          const r = await onTerminal(c.home, ['clone', '--missing']);
          expect(r.code, r.shown).toBe(1);
          expect(r.shown).toContain(
            `failed private: git clone of http://127.0.0.1:${port}/private.git failed (exit 128): fatal: could not read Username for 'http://127.0.0.1:${port}': terminal prompts disabled`,
          );
          expect(r.shown.endsWith(`${ERASE}cloned 0, skipped 0, failed 1\n`)).toBe(true);
          expect(registered(c.home)).toEqual([]);
        } finally {
          auth.closeAllConnections();
          await new Promise((r) => auth.close(r));
        }
      },
    );

    it('killed outright halfway: the registry holds what was cloned, no half folder is skipped, and a rerun finishes', async () => {
      let child: ChildProcess | undefined;
      let origins = '';
      const repos = await repoServer(() => origins);
      try {
        // `slow` comes from a server that answers nothing until told to.
        const { a, others } = await fleet(['api', 'lib', 'slow', 'web'], 1, {
          slow: `${repos.url}/slow.git`,
        });
        origins = join(a.root, 'origins');
        const c = others[0]!;

        child = spawn(process.execPath, [BIN, 'clone', '--missing', '--jobs', '1'], {
          env: machineEnv(c.home),
          // Its own process group, so git and its helpers die with it.
          detached: true,
          stdio: 'ignore',
        });
        const clones = join(c.root, 'clones');
        const partial = () =>
          readdirSync(clones).filter((n) => n.startsWith('.slow.dev-infra-partial-'));
        await until(
          () => repos.requests() > 0 && registered(c.home).length === 2 && partial().length === 1,
          'api and lib cloned, slow started',
        );
        process.kill(-child.pid!, 'SIGKILL');
        await new Promise((r) => child!.once('close', r));

        // Each clone was registered as it ended, in one atomic write: the registry is whole.
        expect((await c.list()).map((p) => p.name)).toEqual(['api', 'lib']);
        // git could not clean up: what it left is hidden beside the target, not at it.
        expect(readdirSync(clones).filter((n) => !n.startsWith('.'))).toEqual(['api', 'lib']);
        expect(partial()).toHaveLength(1);

        repos.serve();
        const rerun = await cli(c.home, ['clone', '--missing', '--jobs', '1']);
        expect(rerun.code, rerun.stdout + rerun.stderr).toBe(0);
        expect(rerun.stdout).toBe(
          `cloned slow -> ${join(clones, 'slow')}\ncloned web -> ${join(clones, 'web')}\ncloned 2, skipped 0, failed 0\n`,
        );
        // The killed clone's leftovers are gone; the clones are whole, with A's ids.
        expect(readdirSync(clones).sort()).toEqual(['api', 'lib', 'slow', 'web']);
        expect(git(['-C', join(clones, 'slow'), 'log', '-1', '--format=%s']).trim()).toBe('first');
        const ids = (await a.list()).map((p) => [p.name, p.id]);
        expect((await c.list()).map((p) => [p.name, p.id])).toEqual(ids);
      } finally {
        if (child && child.exitCode === null && child.signalCode === null)
          process.kill(-child.pid!, 'SIGKILL');
        await repos.close();
      }
    });
  },
  ['sqlite'],
);
