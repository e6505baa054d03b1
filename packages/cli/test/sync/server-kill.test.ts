/**
 * work-prod SIGKILLed while a machine pushes, then restarted on the same database (SQLite and
 * PostgreSQL): the client's rerun completes, and the server holds every project once.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeTempDir, removeTempDirs } from '../../../../test-support/tmp.js';
import {
  describeBackends,
  killServers,
  requireBuilt,
  startServer,
} from '../../../server/test/helpers.js';
import { ensureBuilt, makeRepo } from '../support/cli.js';
import { cli } from './support.js';

const PROJECTS = 150;
const ROUNDS = Number(process.env.DEV_INFRA_SERVER_KILLS ?? 3);

describeBackends('work-prod killed mid-push', (backend) => {
  beforeAll(async () => {
    requireBuilt();
    await ensureBuilt();
  });
  afterAll(() => {
    killServers();
    removeTempDirs();
  });

  it(`a rerun after ${ROUNDS} server kills completes with nothing lost or doubled`, async () => {
    const db = ['--db', backend().dbArg];
    let server = await startServer(db, { USER: 'killer' });
    const key = (await server.waitFor(/--key (wp_[\w-]{43})$/m))[1]!;
    const port = new URL(server.url).port;
    const root = makeTempDir('dev-infra-srvkill-');
    const home = join(root, 'home');
    for (let i = 0; i < PROJECTS; i++)
      makeRepo(join(root, 'code', `k${i}`), `git@github.com:acme/k${i}.git`);
    expect((await cli(home, ['scan', join(root, 'code'), '--depth', '1'])).code).toBe(0);
    expect((await cli(home, ['remote', 'set', server.url, '--key', key])).code).toBe(0);

    const outcomes: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // A few edits per round (the first round also creates every project on the server).
      for (let i = 0; i < PROJECTS; i += 50)
        await cli(home, ['update', `k${i}`, '--description', `r${round}`]);
      const push = cli(home, ['sync'], { env: { DEV_INFRA_TIMEOUT: '3' } });
      await new Promise((r) => setTimeout(r, 150 + Math.random() * 400));
      await server.stop('SIGKILL');
      const first = await push;
      outcomes.push(first.code === 0 ? 'finished before the kill' : 'cut off');
      server = await startServer([...db, '--port', port], { USER: 'killer' });
      const rerun = await cli(home, ['sync']);
      expect(rerun.code, rerun.stderr).toBe(0);
    }
    const again = await cli(home, ['sync']);
    expect(again.stdout).toMatch(/pulled 0, pushed 0/);
    const projects = await backend().storage.listProjects(1, {});
    const names = projects.map((p) => p.fields.name).sort();
    expect(names).toHaveLength(PROJECTS);
    expect(new Set(names).size).toBe(PROJECTS);
    for (let i = 0; i < PROJECTS; i += 50)
      expect(projects.find((p) => p.fields.name === `k${i}`)!.fields.description).toBe(
        `r${ROUNDS - 1}`,
      );
    await server.stop();
    console.log(`server kills [${backend().name}]`, outcomes);
  }, 240_000);
});
