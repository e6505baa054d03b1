/**
 * The research note's scenario end to end (run per backend by sync-v1-*.test.ts, so the two
 * backends run in parallel): three machines (separate DEV_INFRA_HOME folders)
 * running the built CLI, real git repositories with a bare origin, and a real work-prod
 * (sync-v1) in this process on SQLite and on PostgreSQL, reached through a counting proxy.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeTempDir, removeTempDirs } from '../../../../test-support/tmp.js';
import {
  type BackendName,
  describeBackends,
  makeApp,
  newAccount,
} from '../../../server/test/helpers.js';
import { ensureBuilt } from '../support/cli.js';
import {
  type CountingProxy,
  cli,
  editDifferentFields,
  findProject,
  git,
  json,
  listAll,
  makeOriginAndClone,
  ok,
  type StatusJson,
  setUpMachines,
  startProxy,
} from './support.js';

/** Defines the scenario's tests against a work-prod on `only`. */
export function syncV1Scenario(only: BackendName): void {
  describeBackends(
    'sync end to end',
    (backend) => {
      let app: FastifyInstance;
      let proxy: CountingProxy;
      let root: string;
      let A: string;
      let B: string;
      let C: string;
      let origin: string;

      beforeAll(async () => {
        await ensureBuilt();
        app = await makeApp(backend().storage);
        await app.listen({ port: 0, host: '127.0.0.1' });
        const { port } = app.server.address() as { port: number };
        proxy = await startProxy(`http://127.0.0.1:${port}`);
        const account = await newAccount(backend().storage);
        root = makeTempDir('dev-infra-sync-');
        [A, B, C] = await setUpMachines(root, proxy.url, account.key);
        origin = makeOriginAndClone(root, 'api', join(A, 'code', 'api'));
      });

      afterAll(async () => {
        await proxy?.close();
        await app?.close();
        removeTempDirs();
      });

      it('connects: remote show names the protocol and only a prefix of the key', async () => {
        const out = await ok(A, ['remote', 'show']);
        expect(out).toContain('protocol: sync-v1');
        const config = readFileSync(join(A, 'config.yml'), 'utf8');
        const key = /key: (\S+)/.exec(config)![1]!;
        expect(out).not.toContain(key);
        expect(statSync(join(A, 'config.yml')).mode & 0o777).toBe(0o600);
      });

      it('A registers and pushes; B pulls and sees it not local, on laptop', async () => {
        await ok(A, ['add', join(A, 'code', 'api'), '--tag', 'svc', '--type', 'work']);
        expect(await ok(A, ['sync'])).toMatch(/^pulled 0, pushed 1$/m);
        // The feed's echo of A's own push is nothing new to A.
        expect(await ok(A, ['sync'])).toMatch(/^pulled 0, pushed 0$/m);
        await ok(B, ['sync']);
        const row = await findProject(B, 'api');
        expect(row).toMatchObject({ local: false, path: null, state: 'not local' });
        expect(row!.checkouts.map((c) => c.machine)).toEqual(['laptop']);
        expect(await ok(B, ['list', '--all'])).toMatch(/api\tnot local \(laptop\)/);
        expect(await ok(B, ['list', '--remote-only', '--long'])).toContain(
          `laptop:${join(A, 'code', 'api')}`,
        );
        const registryBefore = readFileSync(join(B, 'registry.json'), 'utf8');
        const status = await json<StatusJson>(B, ['status', '--json']);
        expect(status.online).toBe(true);
        expect(readFileSync(join(B, 'registry.json'), 'utf8')).toBe(registryBefore);
        const offline = await json<StatusJson>(B, ['status', '--offline', '--json']);
        expect(offline.online).toBe(false);
        expect(offline.projects).toEqual(status.projects);
        expect(status.projects).toContainEqual(
          expect.objectContaining({ name: 'api', state: 'not local' }),
        );
      });

      it('B clones it: same id, local, and the server learns B holds it', async () => {
        const r = await cli(B, ['clone', 'api']);
        expect(r.code, r.stderr).toBe(0);
        expect(existsSync(join(B, 'code', 'api', '.git'))).toBe(true);
        const idA = (await findProject(A, 'api'))!.id;
        expect(await findProject(B, 'api')).toMatchObject({
          id: idA,
          local: true,
          path: join(B, 'code', 'api'),
        });
        await ok(B, ['sync']);
        await ok(A, ['sync']);
        const machines = (await findProject(A, 'api'))!.checkouts.map((c) => c.machine).sort();
        expect(machines).toEqual(['desktop', 'laptop']);
        const again = await cli(B, ['clone', 'api', join(root, 'elsewhere')]);
        expect(again.code).toBe(1);
        expect(again.stderr).toMatch(/already on this machine/);
      });

      it('clone refuses clearly: unknown name, existing target, git failure', async () => {
        expect((await cli(C, ['clone', 'nope'])).stderr).toMatch(
          /no project named "nope" is known/,
        );
        await ok(C, ['sync']);
        const existing = makeTempDir();
        const r = await cli(C, ['clone', 'api', existing]);
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/already exists/);
      });

      it('A and B edit different fields: both survive everywhere', async () => {
        await editDifferentFields(A, B, 'api');
      });

      it('A and B edit the same field: the conflict is reported and resolved per --prefer', async () => {
        await ok(A, ['update', 'api', '--description', 'A2']);
        await ok(A, ['sync']);
        await ok(B, ['update', 'api', '--description', 'B2']);
        const remoteWins = await ok(B, ['sync', '--prefer', 'remote']);
        expect(remoteWins).toMatch(/1 conflict \(kept remote description of api\)/);
        expect((await findProject(B, 'api'))!.description).toBe('A2');

        await ok(A, ['update', 'api', '--description', 'A3']);
        await ok(A, ['sync']);
        await ok(B, ['update', 'api', '--description', 'B3']);
        const report = JSON.parse(await ok(B, ['sync', '--json']));
        expect(report.conflicts).toEqual([
          expect.objectContaining({
            project: 'api',
            field: 'description',
            local: 'B3',
            remote: 'A3',
            chosen: 'local',
          }),
        ]);
        await ok(A, ['sync']);
        expect((await findProject(A, 'api'))!.description).toBe('B3');
      });

      it('a clone registered by hand on C links by remote URL: no duplicate', async () => {
        const dir = join(C, 'code', 'api-copy');
        git(['clone', '-q', origin, dir]);
        await ok(C, ['add', dir, '--name', 'api']);
        const out = await ok(C, ['sync']);
        expect(out).toMatch(/linked: api/);
        const rows = await listAll(C);
        expect(rows.filter((r) => r.name === 'api')).toHaveLength(1);
        expect(rows.find((r) => r.name === 'api')!.id).toBe((await findProject(A, 'api'))!.id);
        await ok(A, ['sync']);
        expect((await listAll(A)).filter((r) => r.name === 'api')).toHaveLength(1);
      });

      it('a sync with nothing to do makes one request and writes nothing', async () => {
        await ok(C, ['sync']);
        await ok(C, ['sync']);
        const files = ['registry.json', 'remote-cache.jsonl'].map((f) => join(C, f));
        const before = files.map((f) => [statSync(f).mtimeMs, readFileSync(f, 'utf8')]);
        proxy.seen.length = 0;
        expect(await ok(C, ['sync'])).toMatch(/pulled 0, pushed 0/);
        expect(proxy.seen).toEqual(['GET /api/sync/changes']);
        expect(files.map((f) => [statSync(f).mtimeMs, readFileSync(f, 'utf8')])).toEqual(before);
      });

      it('a dry run says what would change and changes nothing', async () => {
        await ok(C, ['update', 'api', '--type', 'personal']);
        const before = readFileSync(join(C, 'registry.json'), 'utf8');
        const dry = await ok(C, ['sync', '--dry-run']);
        expect(dry).toMatch(/would pull 0, would push 1/);
        expect(dry).toMatch(/^ {2}would push: api$/m);
        expect(readFileSync(join(C, 'registry.json'), 'utf8')).toBe(before);
        await ok(C, ['sync']);
      });

      it("a plain remove drops only this machine's checkout from the server", async () => {
        expect(await ok(C, ['remove', 'api'])).toMatch(/forget this machine's checkout/);
        await ok(C, ['sync']);
        await ok(A, ['sync']);
        const machines = (await findProject(A, 'api'))!.checkouts.map((c) => c.machine).sort();
        expect(machines).toEqual(['desktop', 'laptop']);
        expect(await findProject(C, 'api')).toMatchObject({ local: false, state: 'not local' });
        expect(existsSync(join(C, 'code', 'api-copy', '.git'))).toBe(true);
      });

      it('status tells modified, behind and synced, and --exit-code fails when out of sync', async () => {
        await ok(A, ['sync']);
        await ok(B, ['sync']);
        expect((await cli(B, ['status', '--exit-code'])).code).toBe(0);
        await ok(A, ['update', 'api', '--tag', 'new']);
        await ok(A, ['sync']);
        const b = await json<StatusJson>(B, ['status', '--json']);
        expect(b.projects.find((p) => p.name === 'api')!.state).toBe('behind');
        expect((await cli(B, ['status', '--exit-code'])).code).toBe(1);
        await ok(B, ['update', 'api', '--description', 'B4']);
        const diverged = await json<StatusJson>(B, ['status', '--json']);
        expect(diverged.projects.find((p) => p.name === 'api')!.state).toBe('diverged');
        await ok(B, ['sync']);
        expect((await json<StatusJson>(B, ['status', '--json'])).projects[0]!.state).toBe('synced');
      });

      it('A removes it everywhere: B shows deleted remotely, keeps its files, and it never comes back', async () => {
        const out = await ok(A, ['remove', 'api', '--everywhere']);
        expect(out).toMatch(/deleted from the server/);
        await ok(A, ['sync']);
        const pulled = await ok(B, ['sync']);
        expect(pulled).toMatch(/deleted remotely: api/);
        for (let i = 0; i < 2; i++) {
          await ok(B, ['sync']);
          await ok(A, ['sync']);
        }
        const status = await json<StatusJson>(B, ['status', '--json']);
        expect(status.projects.find((p) => p.name === 'api')!.state).toBe('deleted remotely');
        expect(existsSync(join(B, 'code', 'api', '.git'))).toBe(true);
        expect((await listAll(A)).map((r) => r.name)).not.toContain('api');
        expect(await ok(B, ['list', '--all'])).toMatch(/\[deleted remotely\]/);
      });

      it('a push cut off after the server applied it, rerun, leaves no duplicate', async () => {
        const dir = join(B, 'code', 'tool');
        makeOriginAndClone(root, 'tool', dir);
        await ok(B, ['add', dir]);
        proxy.cutNext('/api/sync/push');
        const cut = await cli(B, ['sync']);
        expect(cut.code).toBe(1);
        expect(cut.stderr.trim().split('\n')).toHaveLength(1);
        expect(cut.stderr).toMatch(/run the command again/);
        expect(JSON.parse(readFileSync(join(B, 'registry.json'), 'utf8')).projects).toHaveLength(2);
        await ok(B, ['sync']);
        await ok(C, ['sync']);
        expect((await listAll(C)).filter((r) => r.name === 'tool')).toHaveLength(1);
        const b = await json<StatusJson>(B, ['status', '--json']);
        expect(b.projects.find((p) => p.name === 'tool')!.state).toBe('synced');
      });

      it('remove --everywhere works for a project this machine never held', async () => {
        expect(await ok(C, ['remove', 'tool', '--everywhere'])).toMatch(
          /tool is not on this machine; it will be deleted from the server/,
        );
        expect((await listAll(C)).map((r) => r.name)).not.toContain('tool');
        await ok(C, ['sync']);
        expect(await ok(B, ['sync'])).toMatch(/deleted remotely: tool/);
        expect(existsSync(join(B, 'code', 'tool', '.git'))).toBe(true);
        const unknown = await cli(C, ['remove', 'nothing', '--everywhere']);
        expect(unknown.code).toBe(1);
        expect(unknown.stderr).toMatch(/no project named or at "nothing"/);
      });

      it('machines lists the three machines', async () => {
        const machines = await json<{ name: string; this_machine: boolean }[]>(A, [
          'machines',
          '--json',
        ]);
        expect(machines.map((m) => m.name).sort()).toEqual(['desktop', 'laptop', 'server']);
        expect(machines.find((m) => m.this_machine)!.name).toBe('laptop');
      });

      it('with the server stopped, list --all works and sync fails with one clear line', async () => {
        await proxy.close();
        const list = await cli(B, ['list', '--all']);
        expect(list.code).toBe(0);
        expect(list.stdout).toContain('tool');
        const sync = await cli(B, ['sync']);
        expect(sync.code).toBe(1);
        expect(sync.stderr.trim().split('\n')).toHaveLength(1);
        expect(sync.stderr).toMatch(
          /^error: cannot reach http:\/\/127\.0\.0\.1:\d+ \(connection refused/,
        );
        const status = await cli(B, ['status']);
        expect(status.code).toBe(0);
        expect(status.stdout).toMatch(/^offline .*; as of 20/);
      });
    },
    [only],
  );
}
