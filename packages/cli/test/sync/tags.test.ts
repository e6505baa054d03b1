/**
 * Tags are a set (issue 13, part 2), end to end: machines (separate DEV_INFRA_HOME folders,
 * the built CLI, real git repositories) against a real work-prod on each backend. A tag added
 * on one machine and another removed on a second both survive; only a tag one side has and the
 * other lacks with no common base (a first-sync link) is a conflict, settled by --prefer.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeTempDir, removeTempDirs } from '../../../../test-support/tmp.js';
import { describeBackends, newAccount } from '../../../server/test/helpers.js';
import { ensureBuilt } from '../support/cli.js';
import { useListeningApp } from './listening-app.js';
import { findProject, git, makeOriginAndClone, ok, setUpMachines } from './support.js';

const sorted = (tags: string[] | undefined) => [...(tags ?? [])].sort();

describeBackends('tags merge as sets', (backend) => {
  const serverUrl = useListeningApp(backend);
  beforeAll(ensureBuilt);
  afterAll(removeTempDirs);

  /** Laptop and desktop on a fresh account; laptop holds a clone of a new origin `name`. */
  async function machines(name: string) {
    const account = await newAccount(backend().storage, `tags-${name}`);
    const root = makeTempDir('dev-infra-tags-');
    const [A, B] = await setUpMachines(root, serverUrl(), account.key);
    const origin = makeOriginAndClone(root, name, join(A, 'code', name));
    return { A, B, origin };
  }

  it('laptop adds a-tag, desktop removes svc: after two syncs each, both hold [a-tag, go]', async () => {
    const { A, B } = await machines('api');
    await ok(A, ['add', join(A, 'code', 'api'), '--tag', 'svc', '--tag', 'go']);
    await ok(A, ['sync']);
    await ok(B, ['sync']);
    await ok(B, ['clone', 'api']);
    await ok(B, ['sync']);
    await ok(A, ['update', 'api', '--tag', 'a-tag']);
    await ok(B, ['update', 'api', '--untag', 'svc']);
    const outputs: string[] = [];
    for (let round = 0; round < 2; round++)
      for (const home of [A, B]) outputs.push(await ok(home, ['sync']));
    for (const out of outputs) expect(out).not.toMatch(/conflict/);
    for (const home of [A, B])
      expect(sorted((await findProject(home, 'api'))?.tags)).toEqual(['a-tag', 'go']);
  });

  /**
   * Laptop pushes `tool` tagged svc and x; desktop registers its own clone before its first
   * sync, tags it svc and x and removes x again. With no common base, x is added on one side
   * and removed on the other: a conflict, won by `prefer`, and both machines then agree.
   */
  async function addedThereRemovedHere(prefer: string[]) {
    const { A, B, origin } = await machines('tool');
    await ok(A, ['add', join(A, 'code', 'tool'), '--tag', 'svc', '--tag', 'x']);
    await ok(A, ['sync']);
    git(['clone', '-q', origin, join(B, 'code', 'tool')]);
    await ok(B, ['add', join(B, 'code', 'tool'), '--tag', 'svc', '--tag', 'x']);
    await ok(B, ['update', 'tool', '--untag', 'x']);
    const out = await ok(B, ['sync', ...prefer]);
    await ok(A, ['sync']);
    return { A, B, out };
  }

  it('a tag added there and removed here, no common base: a conflict, local wins', async () => {
    const { A, B, out } = await addedThereRemovedHere([]);
    expect(out).toMatch(/^ {2}conflict: tool tags: local svc, remote svc,x$/m);
    for (const home of [A, B])
      expect(sorted((await findProject(home, 'tool'))?.tags)).toEqual(['svc']);
  });

  it('the same with --prefer remote: remote wins', async () => {
    const { A, B, out } = await addedThereRemovedHere(['--prefer', 'remote']);
    expect(out).toMatch(/^ {2}conflict: tool tags: local svc, remote svc,x$/m);
    for (const home of [A, B])
      expect(sorted((await findProject(home, 'tool'))?.tags)).toEqual(['svc', 'x']);
  });
});
