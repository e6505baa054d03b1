/**
 * Records of the wrong shape in the remote cache (issue 14's "poison records": a field of the
 * wrong type written there, read back later) with the built CLI against a real work-prod:
 * every record read back is checked against SyncRecordSchema and a bad one is dropped like a
 * torn line, so the commands that read full records keep working.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeTempDir, removeTempDirs } from '../../../../test-support/tmp.js';
import { describeBackends, newAccount } from '../../../server/test/helpers.js';
import { ensureBuilt } from '../support/cli.js';
import { useListeningApp } from './listening-app.js';
import { cli, type ListRow, makeOriginAndClone, ok, setUpMachines } from './support.js';

/** One record line of the cache: the summary tuple and the record, as JSON. */
interface Line {
  summary: unknown[];
  record: Record<string, unknown>;
}

const encode = (l: Line) => `${JSON.stringify(l.summary)}\t${JSON.stringify(l.record)}\n`;

describeBackends(
  'a remote cache holding records of the wrong shape',
  (backend) => {
    const serverUrl = useListeningApp(backend);
    let root: string;
    let A: string;
    let B: string;
    const cacheOf = (home: string) => join(home, 'remote-cache.jsonl');

    /** B's cache lines by project name (the last line of each uuid). */
    function linesOnB(): Map<string, Line> {
      const byName = new Map<string, Line>();
      for (const text of readFileSync(cacheOf(B), 'utf8').split('\n').slice(1)) {
        const tab = text.indexOf('\t');
        if (tab < 0) continue;
        const summary = JSON.parse(text.slice(0, tab)) as unknown[];
        byName.set(String(summary[3]), { summary, record: JSON.parse(text.slice(tab + 1)) });
      }
      return byName;
    }

    beforeAll(async () => {
      await ensureBuilt();
      const account = await newAccount(backend().storage, 'poison');
      root = makeTempDir('dev-infra-poison-');
      [A, B] = await setUpMachines(root, serverUrl(), account.key);
      makeOriginAndClone(root, 'api', join(A, 'code', 'api'));
      makeOriginAndClone(root, 'web', join(A, 'code', 'web'));
      await ok(A, ['add', join(A, 'code', 'api')]);
      await ok(A, ['add', join(A, 'code', 'web')]);
      await ok(A, ['sync']);
      await ok(B, ['sync', 'pull']);
    });
    afterAll(removeTempDirs);

    it('list --all --long / --json, status --offline and clone still work', async () => {
      const lines = linesOnB();
      const api = lines.get('api');
      const web = lines.get('web');
      expect(api && web).toBeTruthy();
      if (!api || !web) return;
      // A later line for api whose checkout path is a number: it must not win over the good one.
      const [checkout] = api.record.checkouts as object[];
      const badApi = { ...api.record, checkouts: [{ ...checkout, path: 5 }] };
      // A project only this cache knows, whose tags are a string.
      const ghostUuid = '00000000-0000-4000-8000-00000000dead';
      const ghost = {
        summary: [ghostUuid, 99, 0, 'ghost', null, 'active', null, ['laptop']],
        record: {
          ...web.record,
          uuid: ghostUuid,
          fields: { ...(web.record.fields as object), name: 'ghost', tags: 'x' },
        },
      };
      appendFileSync(cacheOf(B), encode({ ...api, record: badApi }) + encode(ghost));

      const long = await cli(B, ['list', '--all', '--long']);
      expect(long.code, long.stderr).toBe(0);
      expect(long.stdout).toMatch(/api/);
      const listed = await cli(B, ['list', '--all', '--json']);
      expect(listed.code, listed.stderr).toBe(0);
      const rows = JSON.parse(listed.stdout) as ListRow[];
      expect(rows.map((r) => r.name).sort()).toEqual(['api', 'web']);
      const apiRow = rows.find((r) => r.name === 'api');
      expect(apiRow?.checkouts.map((c) => c.path)).toEqual([join(A, 'code', 'api')]);
      const status = await cli(B, ['status', '--offline']);
      expect(status.code, status.stderr).toBe(0);
      const clone = await cli(B, ['clone', 'api']);
      expect(clone.code, clone.stderr).toBe(0);
      expect(existsSync(join(B, 'code', 'api', '.git'))).toBe(true);
      // The poison is not reported as the project: the next sync works and keeps both.
      await ok(B, ['sync']);
      expect((await ok(B, ['list'])).split('\n').filter((l) => l.startsWith('api'))).toHaveLength(
        1,
      );
    });
  },
  ['sqlite'],
);
