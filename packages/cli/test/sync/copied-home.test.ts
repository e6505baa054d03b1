/**
 * A machine folder copied or restored (issue 13 §5): two copies of one `DEV_INFRA_HOME` (a
 * restored backup, a cloned VM) claim one machine id. The second to sync after the other
 * pushed is refused by work-prod as a copy, takes a new machine id in the same command (one
 * line says so; the name is kept) and syncs as a new machine: the server ends with one record
 * per project, both machines listed, each copy's checkouts its own. Before the incarnation, a
 * repo registered on both copies after the copy was pushed twice (the URL link skips a record
 * "this machine" already holds a checkout of, and the other copy's checkout had our id).
 * Built CLI, real git repositories, a real work-prod on SQLite and PostgreSQL.
 */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SyncRecord } from '@dev-infra/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeTempDir, removeTempDirs } from '../../../../test-support/tmp.js';
import { describeBackends, newAccount } from '../../../server/test/helpers.js';
import { ensureBuilt } from '../support/cli.js';
import { useListeningApp } from './listening-app.js';
import { cli, git, json, ok } from './support.js';

/** Every record of the account, through the feed, page by page. */
async function records(url: string, key: string): Promise<SyncRecord[]> {
  const out: SyncRecord[] = [];
  for (let since = 0; ; ) {
    const res = await fetch(`${url}/api/sync/changes?since=${since}&limit=1000`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(res.status).toBe(200);
    const page = (await res.json()) as { changes: SyncRecord[]; next: number; more: boolean };
    out.push(...page.changes);
    if (!page.more) return out;
    since = page.next;
  }
}

const COPY_LINE =
  /^This registry is a copy of another \(work-prod knows machine id ([0-9a-f]{8}) from a registry that synced first\): it is now machine ([0-9a-f]{8}), still named laptop\.$/gm;

interface MachineRow {
  id: string;
  name: string;
  checkouts: number;
  this_machine: boolean;
}

const registryOf = (home: string) =>
  JSON.parse(readFileSync(join(home, 'registry.json'), 'utf8')) as {
    machine: { id: string; name: string | null; incarnation?: string };
    projects: { id: string; name: string; path: string }[];
  };

/** A git repository at `dir`, with `origin` when given. */
function repo(dir: string, origin?: string): void {
  mkdirSync(dir, { recursive: true });
  git(['init', '-q', dir]);
  if (origin) git(['-C', dir, 'remote', 'add', 'origin', origin]);
}

describeBackends('a copied DEV_INFRA_HOME', (backend) => {
  const url = useListeningApp(backend);
  beforeAll(ensureBuilt);
  afterAll(removeTempDirs);

  /**
   * A never-synced home with `n` projects under `code` (every fifth with a remote, some
   * sharing one), copied with its files to a second home; then each copy registers its own
   * clone of one repository (the case that made a duplicate).
   */
  async function copiedHomes(n: number) {
    const root = makeTempDir('dev-infra-copied-');
    const { key } = await newAccount(backend().storage);
    const H1 = join(root, 'H1');
    const code = join(root, 'code');
    for (let i = 0; i < n; i++)
      repo(join(code, `p${i}`), i % 5 === 0 ? `https://example.com/r${i % 10}.git` : undefined);
    await ok(H1, ['config', 'set', 'machine.name', 'laptop']);
    await ok(H1, ['remote', 'set', url(), '--key', key]);
    await ok(H1, ['scan', code]);
    const H2 = join(root, 'H2');
    cpSync(H1, H2, { recursive: true, preserveTimestamps: true });
    for (const [home, where] of [
      [H1, 'one'],
      [H2, 'two'],
    ] as const) {
      const dir = join(root, where, 'shared');
      repo(dir, 'https://example.com/shared.git');
      await ok(home, ['add', dir]);
    }
    return { root, key, H1, H2, expected: n + 1 };
  }

  /** No duplicates, both machines listed, each copy's checkouts its own. */
  async function expectTwoMachines(
    h: { root: string; key: string; H1: string; H2: string; expected: number },
    copy: string,
  ) {
    const other = copy === h.H1 ? h.H2 : h.H1;
    const all = await records(url(), h.key);
    expect(all.filter((r) => !r.deleted)).toHaveLength(h.expected);
    expect(new Set(all.map((r) => r.fields.name)).size).toBe(h.expected);
    const copyId = registryOf(copy).machine.id;
    const otherId = registryOf(other).machine.id;
    expect(copyId).not.toBe(otherId);
    expect(registryOf(copy).machine.name).toBe('laptop');
    const machines = await json<MachineRow[]>(copy, ['machines', '--json']);
    expect(machines.map((m) => [m.id, m.name, m.checkouts, m.this_machine]).sort()).toEqual(
      [
        [copyId, 'laptop', h.expected, true],
        [otherId, 'laptop', h.expected, false],
      ].sort(),
    );
    // Two machines of one name: the table tells them apart by the start of their id.
    const table = await ok(copy, ['machines']);
    expect(table).toContain(`laptop (${copyId.slice(0, 8)}) (this machine)`);
    expect(table).toContain(`laptop (${otherId.slice(0, 8)})`);
    // Each copy's checkouts are its own paths, under its own id.
    for (const home of [h.H1, h.H2]) {
      const id = registryOf(home).machine.id;
      for (const p of registryOf(home).projects) {
        const record = all.find((r) => r.uuid === p.id);
        expect(record?.checkouts.filter((c) => c.machine_id === id).map((c) => c.path)).toEqual([
          p.path,
        ]);
      }
    }
    const shared = all.find((r) => r.fields.name === 'shared')!;
    expect(shared.checkouts.map((c) => c.path).sort()).toEqual(
      [join(h.root, 'one', 'shared'), join(h.root, 'two', 'shared')].sort(),
    );
    // Settled: nothing more to do on either side, and no second new id.
    for (const home of [h.H1, h.H2, h.H1]) {
      const out = await ok(home, ['sync']);
      expect(out).not.toMatch(COPY_LINE);
    }
    for (const home of [h.H1, h.H2])
      expect(await ok(home, ['sync'])).toMatch(/^pulled 0, pushed 0$/m);
  }

  it('synced one after the other: the second copy takes a new id, no duplicates', async () => {
    const h = await copiedHomes(40);
    const before = registryOf(h.H2).machine.id;
    const first = await ok(h.H1, ['sync']);
    expect(first).not.toMatch(COPY_LINE);
    const second = await ok(h.H2, ['sync']);
    const lines = [...second.matchAll(COPY_LINE)];
    expect(lines, second).toHaveLength(1);
    expect(lines[0]![1]).toBe(before.slice(0, 8));
    expect(lines[0]![2]).toBe(registryOf(h.H2).machine.id.slice(0, 8));
    expect(registryOf(h.H1).machine.id).toBe(before);
    await ok(h.H1, ['sync']);
    await expectTwoMachines(h, h.H2);
  }, 180_000);

  it('synced at the same time: exactly one copy takes a new id, no duplicates', async () => {
    const h = await copiedHomes(40);
    const outs = await Promise.all([ok(h.H1, ['sync']), ok(h.H2, ['sync'])]);
    const told = outs.map((o) => [...o.matchAll(COPY_LINE)].length);
    expect(told.sort()).toEqual([0, 1]);
    const copy = [...outs[0]!.matchAll(COPY_LINE)].length === 1 ? h.H1 : h.H2;
    await ok(copy === h.H1 ? h.H2 : h.H1, ['sync']);
    await expectTwoMachines(h, copy);
  }, 180_000);

  it('copied after syncing: the copy is told at its first sync after the other pushed', async () => {
    const root = makeTempDir('dev-infra-copied-');
    const { key } = await newAccount(backend().storage);
    const H1 = join(root, 'H1');
    for (let i = 0; i < 6; i++) repo(join(root, 'code', `s${i}`));
    await ok(H1, ['config', 'set', 'machine.name', 'laptop']);
    await ok(H1, ['remote', 'set', url(), '--key', key]);
    await ok(H1, ['scan', join(root, 'code')]);
    await ok(H1, ['sync']);
    const H2 = join(root, 'H2');
    cpSync(H1, H2, { recursive: true, preserveTimestamps: true });
    // Nothing tells the copies apart until one of them pushes: a pull alone is accepted.
    expect(await ok(H2, ['sync'])).not.toMatch(COPY_LINE);
    await ok(H1, ['update', 's0', '--description', 'from the first']);
    await ok(H1, ['sync']);
    await ok(H2, ['update', 's1', '--description', 'from the copy']);
    // A dry run cannot take a new id: one line says what to run, nothing changes.
    const dry = await cli(H2, ['sync', '--dry-run']);
    expect(dry.code).toBe(1);
    expect(dry.stderr.trim().split('\n')).toHaveLength(1);
    expect(dry.stderr).toMatch(/copy of another one .*run `dev-infra sync` without --dry-run/);
    expect(registryOf(H2).machine.id).toBe(registryOf(H1).machine.id);
    const out = await ok(H2, ['sync']);
    expect([...out.matchAll(COPY_LINE)]).toHaveLength(1);
    await ok(H1, ['sync']);
    const all = await records(url(), key);
    expect(all).toHaveLength(6);
    const desc = (name: string) => all.find((r) => r.fields.name === name)?.fields.description;
    expect([desc('s0'), desc('s1')]).toEqual(['from the first', 'from the copy']);
    const machines = await json<MachineRow[]>(H1, ['machines', '--json']);
    expect(machines.map((m) => m.checkouts)).toEqual([6, 6]);
    expect(new Set(machines.map((m) => m.id)).size).toBe(2);
  }, 180_000);

  it('a registry from before incarnations, on a machine an older client synced: adopted, no new id', async () => {
    const root = makeTempDir('dev-infra-copied-');
    const { key } = await newAccount(backend().storage);
    const H = join(root, 'H');
    repo(join(root, 'code', 'old'));
    await ok(H, ['config', 'set', 'machine.name', 'laptop']);
    await ok(H, ['remote', 'set', url(), '--key', key]);
    await ok(H, ['add', join(root, 'code', 'old')]);
    // As an older version wrote it: no incarnation.
    const file = join(H, 'registry.json');
    const doc = registryOf(H);
    delete doc.machine.incarnation;
    writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
    // An older client's push under this id: the server stores no token for it.
    const old = await fetch(`${url()}/api/sync/push`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ machine: { id: doc.machine.id, name: 'laptop' }, changes: [] }),
    });
    expect(old.status).toBe(200);
    const out = await ok(H, ['sync']);
    expect(out).not.toMatch(COPY_LINE);
    expect(out).toMatch(/^pulled 0, pushed 1$/m);
    expect(registryOf(H).machine.id).toBe(doc.machine.id);
    expect(registryOf(H).machine.incarnation).toMatch(/^\d+\.[0-9a-f-]{36}$/);
    expect(await ok(H, ['sync'])).toMatch(/^pulled 0, pushed 0$/m);
    // The older client goes on working under the id (it sends no token to compare).
    const again = await fetch(`${url()}/api/sync/push`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ machine: { id: doc.machine.id, name: 'laptop' }, changes: [] }),
    });
    expect(again.status).toBe(200);
    expect(await json<MachineRow[]>(H, ['machines', '--json'])).toHaveLength(1);
  }, 60_000);
});
