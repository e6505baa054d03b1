/**
 * Issue 14's unbounded pull against a hostile work-prod (test-support/hostile-server.ts): a
 * feed that sends more than it announced is stopped within a few pages, with one line; the
 * pages before the bad one stay saved, nothing after it is stored, local commands still work.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { CHANGES_MAX_LIMIT } from '@dev-infra/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  type HostileServer,
  hostileRecord,
  startHostileServer,
  uuidOf,
} from '../../../../test-support/hostile-server.js';
import { removeTempDirs } from '../../../../test-support/tmp.js';
import { PageBounds, PULL_MARGIN, PULL_MAX_RECORDS } from '../../src/remote/page-bounds.js';
import { machine, ok } from '../support/machine.js';

let server: HostileServer;
beforeAll(async () => {
  server = await startHostileServer();
});
afterAll(async () => {
  await server.close();
  removeTempDirs();
});

/** A full page of distinct records after `since`. */
const pageAfter = (since: number, count = CHANGES_MAX_LIMIT) =>
  Array.from({ length: count }, (_, i) => hostileRecord(uuidOf(since + i + 1), since + i + 1));

const CHANGES = 'GET /api/sync/changes';

/** Runs `sync pull` against the scripted feed: its result and the pages it asked for. */
async function pullFrom(script: Parameters<HostileServer['script']>[0]) {
  server.calls.clear();
  server.script(script);
  const m = machine();
  await ok(m, ['remote', 'set', server.url, '--key', 'hostile-test-key-7f3a9c']);
  const started = Date.now();
  const r = await m.cli(['sync', 'pull']);
  return { m, r, pages: server.calls.get(CHANGES) ?? 0, ms: Date.now() - started };
}

/** The sync failed with one line naming what the server did, and the local commands work. */
async function expectStopped(
  run: Awaited<ReturnType<typeof pullFrom>>,
  what: RegExp,
): Promise<void> {
  const { m, r } = run;
  expect(r.code).not.toBe(0);
  expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
  expect(r.stderr).toMatch(/sent an impossible answer to GET \/api\/sync\/changes/);
  expect(r.stderr).toMatch(what);
  for (const args of [
    ['list', '--all'],
    ['list', '--all', '--long'],
    ['status', '--offline'],
  ])
    await ok(m, args);
}

it('stops an endless feed whose cursor and head keep moving, the cache staying small', async () => {
  // The server: `more: true` forever, a moving cursor; the head moves too, always a
  // page ahead, so only the bound on the account's announced size can stop it.
  const run = await pullFrom({
    changes: ({ since }) => ({
      body: {
        changes: pageAfter(since),
        next: since + CHANGES_MAX_LIMIT,
        more: true,
        head: since + 2 * CHANGES_MAX_LIMIT,
      },
    }),
  });
  await expectStopped(run, /records in this pull, far more than the 2000 it announced/);
  // head 2000 + the margin: the fifth page crosses it (one more may have been prefetched).
  expect(run.pages).toBeLessThanOrEqual(6);
  expect(run.ms).toBeLessThan(30_000);
  const cache = statSync(join(run.m.home, 'remote-cache.jsonl')).size;
  expect(cache).toBeLessThan(5 * 1024 * 1024);
  // What was saved is the pages before the bad one: their records are listed.
  const listed = await ok(run.m, ['list', '--all', '--json']);
  expect((JSON.parse(listed) as unknown[]).length).toBe(2000 + PULL_MARGIN);
});

it('stops a cursor beyond the announced head, storing nothing of that page', async () => {
  const run = await pullFrom({
    changes: ({ since }) => ({
      body: { changes: pageAfter(since, 3), next: since + 3, more: true, head: since + 1 },
    }),
  });
  await expectStopped(run, /a cursor \(3\) beyond its announced head \(1\)/);
  expect(await ok(run.m, ['list', '--all', '--json'])).toBe('[]\n');
});

it('stops a page over the limit asked', async () => {
  const run = await pullFrom({
    changes: ({ since, limit }) => ({
      body: {
        changes: pageAfter(since, limit + 1),
        next: since + limit + 1,
        more: false,
        head: since + limit + 1,
      },
    }),
  });
  await expectStopped(run, new RegExp(`a page of ${CHANGES_MAX_LIMIT + 1} records, above the`));
});

it('stops more pages whose cursor does not move, after one page', async () => {
  const run = await pullFrom({
    changes: () => ({ body: { changes: [], next: 0, more: true, head: 5 } }),
  });
  await expectStopped(run, /more pages with a cursor that did not move/);
  expect(run.pages).toBeLessThanOrEqual(1);
});

it('bounds the pull whatever head is announced (PageBounds, no I/O)', () => {
  const bounds = new PageBounds(0, CHANGES_MAX_LIMIT);
  const huge = Number.MAX_SAFE_INTEGER;
  let cursor = 0;
  let pages = 0;
  let wrong: string | undefined;
  while (!wrong && pages < 1000) {
    cursor += CHANGES_MAX_LIMIT;
    pages++;
    wrong = bounds.check({ received: CHANGES_MAX_LIMIT, next: cursor, more: true, head: huge });
  }
  expect(wrong).toMatch(/far more than/);
  expect(pages * CHANGES_MAX_LIMIT).toBe(PULL_MAX_RECORDS + PULL_MARGIN + CHANGES_MAX_LIMIT);
});

it('leaves a server behind our cursor to the pull (its cursor did not move)', () => {
  // A server restored from a backup: head 3 below our cursor 10, and `next` left at 10.
  const bounds = new PageBounds(10, CHANGES_MAX_LIMIT);
  expect(bounds.check({ received: 0, next: 10, more: false, head: 3 })).toBeUndefined();
});
