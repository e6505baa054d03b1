/**
 * Two real work-prod processes on one PostgreSQL database, with concurrent clients pushing
 * through both (some to the same projects, with compare-and-swap retry loops): nothing is
 * lost and every revision is unique.
 */
import { randomUUID } from 'node:crypto';
import type { SyncRecord } from '@dev-infra/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  describeBackends,
  killServers,
  requireBuilt,
  type ServerProcess,
  startServer,
  syncFields,
} from './helpers.js';

/** Concurrent clients (issue 5 asks for 32); WORK_PROD_CLUSTER_CLIENTS changes it. */
const CLIENTS = Number(process.env.WORK_PROD_CLUSTER_CLIENTS ?? 32);
// About 200 pushes in all, however many clients share them.
const PUSHES = Math.max(5, Math.ceil(200 / CLIENTS));
const SHARED = 4;

const fields = syncFields;

interface Applied {
  status: 'applied';
  rev: number;
  seq: number;
}
type Result =
  | Applied
  | { status: 'conflict'; current: SyncRecord }
  | { status: 'rejected'; error: string };

describeBackends(
  'two work-prod instances on one PostgreSQL',
  (backend) => {
    let servers: ServerProcess[] = [];
    let key = '';
    beforeAll(async () => {
      requireBuilt();
      // Both start at once on an empty database: migrations and the first account must not race.
      servers = await Promise.all([
        startServer(['--db', backend().dbArg]),
        startServer(['--db', backend().dbArg]),
      ]);
      const notices = await Promise.race([
        Promise.any(servers.map((s) => s.waitFor(/--key (wp_[\w-]{43})$/m))),
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error('no key printed')), 20_000),
        ),
      ]);
      key = notices[1]!;
    });
    afterAll(async () => {
      await Promise.all(servers.map((s) => s.stop()));
      killServers();
    });

    const push = async (
      server: ServerProcess,
      machine: string,
      change: unknown,
    ): Promise<Result> => {
      const res = await fetch(`${server.url}/api/sync/push`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          machine: { id: machine, name: machine.slice(0, 8) },
          changes: [change],
        }),
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as { results: Result[] }).results[0]!;
    };

    it('exactly one instance created the first account', () => {
      const printed = servers.filter((s) => s.output().includes('Created the first account'));
      expect(printed).toHaveLength(1);
    });

    it('loses no update and never repeats a revision under concurrent pushes through both', async () => {
      const shared = Array.from({ length: SHARED }, () => randomUUID());
      const appliedRevs: number[] = [];
      const record = (r: Result) => {
        if (r.status === 'applied') appliedRevs.push(r.rev);
      };
      for (const [i, uuid] of shared.entries()) {
        const r = await push(servers[i % 2]!, 'setup', {
          uuid,
          base_rev: 0,
          fields: fields(`shared-${i}`),
        });
        expect(r.status).toBe('applied');
        record(r);
      }
      const expectedTags = new Map<string, string[]>(shared.map((u) => [u, []]));

      const client = async (c: number) => {
        const machine = randomUUID();
        const own = randomUUID();
        let ownRev = 0;
        let conflicts = 0;
        for (let j = 0; j < PUSHES; j++) {
          const server = servers[(c + j) % 2]!;
          if (j % 2 === 0) {
            // Edit the client's own project: no one else touches it, so CAS always applies.
            const r = await push(server, machine, {
              uuid: own,
              base_rev: ownRev,
              fields: fields(`own-${c}`, { description: `v${j}` }),
            });
            expect(r.status).toBe('applied');
            record(r);
            ownRev = (r as Applied).rev;
          } else {
            // Add a tag to a shared project: read-modify-write with a CAS retry loop.
            const uuid = shared[(c + j) % SHARED]!;
            const tag = `c${c}-${j}`;
            expectedTags.get(uuid)!.push(tag);
            let base = { rev: 1, fields: fields(`shared-${shared.indexOf(uuid)}`) };
            for (;;) {
              const next = { ...base.fields, tags: [...base.fields.tags, tag].sort() };
              const r = await push(server, machine, { uuid, base_rev: base.rev, fields: next });
              if (r.status === 'applied') {
                record(r);
                break;
              }
              expect(r.status).toBe('conflict');
              if (r.status !== 'conflict') throw new Error('unexpected result');
              conflicts += 1;
              base = { rev: r.current.rev, fields: r.current.fields };
            }
          }
        }
        return { own, ownRev, conflicts };
      };

      const outcomes = await Promise.all(Array.from({ length: CLIENTS }, (_, c) => client(c)));
      expect(outcomes.reduce((n, o) => n + o.conflicts, 0)).toBeGreaterThan(0);

      // Every applied change got its own revision.
      expect(new Set(appliedRevs).size).toBe(appliedRevs.length);

      // Read the whole feed back through the other instance, page by page.
      const records: SyncRecord[] = [];
      let since = 0;
      let head = 0;
      for (;;) {
        const res = await fetch(`${servers[1]!.url}/api/sync/changes?since=${since}&limit=7`, {
          headers: { authorization: `Bearer ${key}` },
        });
        const page = (await res.json()) as {
          changes: SyncRecord[];
          next: number;
          more: boolean;
          head: number;
        };
        records.push(...page.changes);
        since = page.next;
        head = page.head;
        if (!page.more) break;
      }
      expect(head).toBe(appliedRevs.length);
      expect(Math.max(...appliedRevs)).toBe(head);
      const byUuid = new Map(records.map((r) => [r.uuid, r]));
      expect(byUuid.size).toBe(records.length);
      for (const uuid of shared)
        expect(byUuid.get(uuid)!.fields.tags).toEqual([...expectedTags.get(uuid)!].sort());
      for (const o of outcomes) expect(byUuid.get(o.own)!.rev).toBe(o.ownRev);
      expect(records.length).toBe(SHARED + CLIENTS);
    });
  },
  ['postgres'],
);
