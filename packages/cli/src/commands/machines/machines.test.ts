/**
 * `machines` against a real work-prod: each machine with its checkouts of live projects only
 * (issue 13 §5: deleted projects used to count), the table and `--json`, machines sharing a
 * name told apart by id, and basic mode's one-line refusal.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startBasicServer } from '../../../../../test-support/basic-server.js';
import { removeTempDirs } from '../../../../../test-support/tmp.js';
import { describeBackends, newAccount } from '../../../../server/test/helpers.js';
import { machine, ok } from '../../../test/support/machine.js';
import { useListeningApp } from '../../../test/sync/listening-app.js';

afterAll(removeTempDirs);

interface Row {
  id: string;
  name: string;
  checkouts: number;
  last_sync: string | null;
  this_machine: boolean;
}

describeBackends('machines', (backend) => {
  const url = useListeningApp(backend);

  it('counts checkouts of live projects only, deleted here or by another machine', async () => {
    const { key } = await newAccount(backend().storage, 'machines');
    const [laptop, desktop] = [machine(), machine()];
    for (const [m, name] of [
      [laptop, 'laptop'],
      [desktop, 'desktop'],
    ] as const) {
      await ok(m, ['config', 'set', 'machine.name', name]);
      await ok(m, ['remote', 'set', url(), '--key', key]);
    }
    for (const name of ['one', 'two', 'three']) {
      mkdirSync(join(laptop.code, name));
      await ok(laptop, ['add', join(laptop.code, name)]);
    }
    mkdirSync(join(desktop.code, 'four'));
    await ok(desktop, ['add', join(desktop.code, 'four')]);
    await ok(laptop, ['sync']);
    await ok(desktop, ['sync']);
    const counts = async (m: typeof laptop) =>
      Object.fromEntries(
        (JSON.parse(await ok(m, ['machines', '--json'])) as Row[]).map((r) => [
          r.name,
          r.checkouts,
        ]),
      );
    expect(await counts(laptop)).toEqual({ laptop: 3, desktop: 1 });

    // Deleted from the laptop itself.
    await ok(laptop, ['remove', 'one', '--everywhere']);
    await ok(laptop, ['sync']);
    expect(await counts(laptop)).toEqual({ laptop: 2, desktop: 1 });
    // Deleted by the desktop, which holds no checkout of it: the laptop's checkout row stays
    // with the tombstone (the laptop has not even synced since), and no longer counts.
    await ok(desktop, ['sync']);
    await ok(desktop, ['remove', 'two', '--everywhere']);
    await ok(desktop, ['sync']);
    expect(await counts(desktop)).toEqual({ laptop: 1, desktop: 1 });

    const rows = JSON.parse(await ok(laptop, ['machines', '--json'])) as Row[];
    expect(rows.map((r) => [r.name, r.this_machine])).toEqual([
      ['desktop', false],
      ['laptop', true],
    ]);
    const table = await ok(laptop, ['machines']);
    expect(table).toMatch(/^MACHINE\s+LAST SYNC\s+CHECKOUTS$/m);
    expect(table).toMatch(/^desktop\s+\S+\s+1$/m);
    expect(table).toMatch(/^laptop \(this machine\)\s+\S+\s+1$/m);
  });
});

describe('machines, basic mode', () => {
  it('says in one line that the server keeps no machines', async () => {
    const server = await startBasicServer();
    try {
      const m = machine();
      await ok(m, ['remote', 'set', server.url]);
      const r = await m.cli(['machines']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^error: the server does not keep machines \(basic mode/);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    } finally {
      await server.close();
    }
  });
});
