/**
 * Issue 14 against a hostile work-prod (test-support/hostile-server.ts): records of the wrong
 * shape, null fields and escaping names are refused one by one at the sync boundary (never
 * cached, never applied, told once), and a broken envelope fails the sync in one line.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  type HostileServer,
  hostileRecord,
  startHostileServer,
  uuidOf,
} from '../../../../test-support/hostile-server.js';
import { removeTempDirs } from '../../../../test-support/tmp.js';
import { ensureBuilt } from '../support/cli.js';
import { machine, ok } from '../support/machine.js';

let server: HostileServer;
beforeAll(async () => {
  await ensureBuilt();
  server = await startHostileServer();
});
afterAll(async () => {
  await server.close();
  removeTempDirs();
});

/** Long enough that its redaction in output cannot hit ordinary words. */
const KEY = 'hostile-test-key-7f3a9c';
const CONTROL = 'x\u001b[31m\u0007\u009b\u202e';
const poisoned = [
  hostileRecord(uuidOf(2), 2, { tags: 'x' }),
  hostileRecord(uuidOf(3), 3, { description: 5 }),
  { ...hostileRecord(uuidOf(4), 4), fields: null },
  hostileRecord(uuidOf(5), 5, { name: '../../escaped' }),
  hostileRecord(uuidOf(6), 6, { name: '/srv/x' }),
  hostileRecord(uuidOf(7), 7, { name: CONTROL, description: CONTROL, organization: CONTROL }),
  hostileRecord(uuidOf(8), 8, {}, { checkouts: null }),
  { ...hostileRecord(uuidOf(9), 9), uuid: 9 },
  null,
];

it('refuses each invalid record, keeps the valid ones, and later commands work', async () => {
  const good = hostileRecord(uuidOf(1), 1, { name: 'good' });
  server.script({
    changes: ({ since }) =>
      since === 0
        ? { body: { changes: [good, ...poisoned], next: 9, more: false, head: 9 } }
        : { body: { changes: [], next: since, more: false, head: 9 } },
  });
  const m = machine();
  await ok(m, ['remote', 'set', server.url, '--key', KEY]);
  const r = await m.cli(['sync', 'pull']);
  expect(r.code, r.stderr).toBe(0);
  const out = r.stdout + r.stderr;
  expect(out).toMatch(
    `refused ${poisoned.length} invalid records from the server (first: uuid ${uuidOf(2)}: fields.tags must be an array)`,
  );
  expect(out.includes('\u001b') || out.includes('\u0007')).toBe(false);
  const cache = readFileSync(join(m.home, 'remote-cache.jsonl'), 'utf8');
  expect(cache).toMatch(uuidOf(1));
  for (let n = 2; n <= 9; n++) expect(cache).not.toMatch(uuidOf(n));
  for (const args of [
    ['list', '--all'],
    ['list', '--all', '--long'],
    ['status', '--offline'],
  ]) {
    const c = await m.cli(args);
    expect(c.code, `${args.join(' ')}: ${c.stderr}`).toBe(0);
  }
  // `show` knows local projects only: a clear one-line error, never a stack.
  const show = await m.cli(['show', 'good']);
  expect(show.stderr.trim().split('\n')).toHaveLength(1);
  const clone = await m.cli(['clone', '../../escaped']);
  expect(clone.code).not.toBe(0);
  expect(clone.stderr.trim().split('\n')).toHaveLength(1);
  expect(existsSync(join(m.root, 'escaped'))).toBe(false);
  // The refusal is told once: the next sync has nothing new and says nothing of it.
  const again = await ok(m, ['sync', 'pull']);
  expect(again).not.toMatch(/refused/);
});

it('fails the sync in one line, changing nothing, on an invalid envelope', async () => {
  const m = machine();
  await ok(m, ['remote', 'set', server.url, '--key', KEY]);
  const envelopes: unknown[] = [
    'not json at all',
    [],
    { changes: {}, next: 1, more: false, head: 1 },
    { changes: [], next: 1.5, more: false, head: 1 },
    { changes: [], next: '1', more: false, head: 1 },
  ];
  for (const body of envelopes) {
    server.script({ changes: () => ({ body }) });
    const r = await m.cli(['sync', 'pull']);
    expect(r.code, JSON.stringify(body)).not.toBe(0);
    expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
    expect(r.stderr).not.toMatch(/TypeError| {4}at /);
    expect(existsSync(join(m.home, 'remote-cache.jsonl'))).toBe(false);
  }
});

it('reads back a cache holding poisoned lines without a crash', async () => {
  const good = hostileRecord(uuidOf(1), 1, { name: 'good' });
  server.script({
    changes: ({ since }) => ({
      body: { changes: since === 0 ? [good] : [], next: 1, more: false, head: 1 },
    }),
  });
  const m = machine();
  await ok(m, ['remote', 'set', server.url, '--key', KEY]);
  await ok(m, ['sync', 'pull']);
  const summary = (uuid: string, name: unknown, seq: unknown = 9) =>
    JSON.stringify([uuid, seq, 0, name, null, 'active', null, []]);
  const lines = [
    'not json\tnot json either',
    'no tab at all \u0000\u001b[2J',
    `${summary(uuidOf(20), '../../escaped')}\t${JSON.stringify(hostileRecord(uuidOf(20), 20, { name: '../../escaped' }))}`,
    `${summary(uuidOf(21), 'poison')}\t${JSON.stringify(hostileRecord(uuidOf(21), 21, { name: 'poison', tags: 'x' }))}`,
    `${summary(uuidOf(22), 'typed', 'x')}\t${JSON.stringify({ ...hostileRecord(uuidOf(22), 22), fields: null })}`,
    `${summary(uuidOf(1), 5)}\t${JSON.stringify({ ...good, checkouts: [{ path: 5 }] })}`,
  ];
  appendFileSync(join(m.home, 'remote-cache.jsonl'), `${lines.join('\n')}\n`);
  for (const args of [
    ['list', '--all'],
    ['list', '--all', '--long'],
    ['list', '--all', '--json'],
    ['status', '--offline'],
    ['show', 'poison'],
    ['clone', 'poison'],
    ['clone', '../../escaped'],
    ['clone', 'typed'],
  ]) {
    // The built binary too: its `list` path runs the generated plain checks, not TypeBox.
    for (const r of [await m.cli(args), await m.bin(args)]) {
      const said = `${args.join(' ')}: ${r.stderr}`;
      expect(r.stderr, said).not.toMatch(/TypeError|is not a function|Cannot read|\n\s+at /);
      if (r.code !== 0) expect(r.stderr.trim().split('\n'), said).toHaveLength(1);
    }
  }
  expect(existsSync(join(m.root, 'escaped'))).toBe(false);
  // The readers marked the cache damaged: the next pull starts from 0 and writes it whole,
  // without the poisoned lines, and the good record is served again.
  const cacheFile = join(m.home, 'remote-cache.jsonl');
  expect(existsSync(`${cacheFile}.damaged`)).toBe(true);
  const since: number[] = [];
  server.script({
    changes: (q) => {
      since.push(q.since);
      return { body: { changes: q.since === 0 ? [good] : [], next: 1, more: false, head: 1 } };
    },
  });
  await ok(m, ['sync', 'pull']);
  expect(since[0]).toBe(0);
  expect(existsSync(`${cacheFile}.damaged`)).toBe(false);
  const rebuilt = readFileSync(cacheFile, 'utf8');
  expect(rebuilt).not.toMatch(/not json|no tab at all|poison|escaped/);
  expect(await ok(m, ['list', '--all'])).toMatch(/good/);
  expect(existsSync(`${cacheFile}.damaged`)).toBe(false);
});

it('basic mode: a wrong-typed project fails the sync in one line, a bad name is refused', async () => {
  const row = (id: number, over: Record<string, unknown> = {}) => ({
    id,
    name: `b${id}`,
    path: null,
    organization: null,
    classification: null,
    project_type: null,
    status: 'active',
    description: null,
    remote_url: null,
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
    ...over,
  });
  const m = machine();
  // `remote set` checks the list too: set while the server is well-behaved.
  server.script({ projects: () => ({ body: [] }) });
  await ok(m, ['remote', 'set', server.url, '--key', KEY]);
  server.script({ projects: () => ({ body: [row(1), row(2, { status: 5 })] }) });
  const typed = await m.cli(['sync', 'pull']);
  expect(typed.code).not.toBe(0);
  expect(typed.stderr.trim().split('\n'), typed.stderr).toHaveLength(1);
  expect(typed.stderr).toMatch(/invalid answer to GET \/api\/projects: \[1\]\.status/);
  expect(existsSync(join(m.home, 'remote-cache.jsonl'))).toBe(false);

  server.script({
    projects: () => ({
      body: [row(1), row(2, { name: '../../escaped' }), row(3, { name: CONTROL })],
    }),
  });
  const named = await m.cli(['sync', 'pull']);
  expect(named.code, named.stderr).toBe(0);
  expect(named.stdout).toMatch(
    'refused 2 invalid records from the server (first: id 2: fields.name must not contain "/" or "\\")',
  );
  const rows = JSON.parse(await ok(m, ['list', '--all', '--json'])) as { name: string }[];
  expect(rows.map((r) => r.name)).toEqual(['b1']);
  expect(readFileSync(join(m.home, 'remote-cache.jsonl'), 'utf8')).not.toMatch(/escaped/);
});

it('refuses a push answer whose conflict record has a bad name, and hostile error text', async () => {
  const m = machine();
  server.script({});
  await ok(m, ['remote', 'set', server.url, '--key', KEY]);
  mkdirSync(join(m.code, 'app'));
  await ok(m, ['add', join(m.code, 'app')]);
  server.script({
    push: (body) => {
      const { changes } = body as { changes: { uuid: string }[] };
      const results = changes.map((c) => ({
        uuid: c.uuid,
        status: 'conflict',
        current: hostileRecord(c.uuid, 7, { name: '../../escaped' }),
      }));
      return { body: { results, checkouts: [], head: 7 } };
    },
  });
  const push = await m.cli(['sync', 'push']);
  expect(push.code).not.toBe(0);
  expect(push.stderr.trim().split('\n'), push.stderr).toHaveLength(1);
  expect(push.stderr).toMatch(/POST \/api\/sync\/push: results\.current\.fields\.name must not/);
  expect((await m.list()).map((p) => p.name)).toEqual(['app']);

  server.script({
    changes: () => ({
      status: 500,
      body: { error: '\u001b]0;pwned\u0007 one\nsecond line\u009b' },
    }),
  });
  const r = await m.cli(['sync', 'pull']);
  expect(r.code).not.toBe(0);
  expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
  expect(r.stderr.includes('\u001b') || r.stderr.includes('\u0007'), JSON.stringify(r.stderr)).toBe(
    false,
  );
  expect(r.stderr.includes('\u009b')).toBe(false);
});
