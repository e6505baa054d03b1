/**
 * The database's id (server_identity) and the true head: what lets a client tell a database
 * replaced (another id) or restored from a backup (the head below its cursor).
 */

import { randomUUID } from 'node:crypto';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeTempDir } from '../../../test-support/tmp.js';
import { openSqlite } from '../src/storage/sqlite.js';
import { call, describeBackends, makeApp, newAccount, syncFields } from './helpers.js';

const laptop = { id: randomUUID(), name: 'laptop' };

describeBackends('server identity', (backend) => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await makeApp(backend().storage);
  });
  afterAll(async () => {
    await app.close();
  });

  it('reports the id and the true head in the feed and the push, even when since is past it', async () => {
    const { auth } = await newAccount(backend().storage);
    const id = await backend().storage.serverId();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const pushed = await call(app, 'POST', '/api/sync/push', auth, {
      machine: laptop,
      changes: [{ uuid: randomUUID(), base_rev: 0, fields: syncFields('one') }],
    });
    expect(pushed.body).toMatchObject({ head: 1, server_id: id });
    const feed = await call(app, 'GET', '/api/sync/changes?since=0', auth);
    expect(feed.body).toMatchObject({ next: 1, head: 1, server_id: id });
    // A client whose cursor is past the head (the database went back): the head is the real one.
    const past = await call(app, 'GET', '/api/sync/changes?since=7', auth);
    expect(past.body).toEqual({ changes: [], next: 7, more: false, head: 1, server_id: id });
  });
});

describeBackends(
  'server identity across databases',
  (backend) => {
    it('differs between two databases and survives a copy of the file', async () => {
      const dir = makeTempDir('work-prod-identity-');
      const other = openSqlite(join(dir, 'other.db'));
      await other.migrate();
      const id = await backend().storage.serverId();
      expect(await other.serverId()).not.toBe(id);
      await other.close();

      const target = backend().target;
      if (target.kind !== 'sqlite') throw new Error('sqlite only');
      // A consistent copy while the source stays open (what a backup is).
      await backend().storage.serverId();
      const copy = join(dir, 'copy.db');
      const { default: BetterSqlite3 } = await import('better-sqlite3');
      const source = new BetterSqlite3(target.file, { readonly: true });
      await source.backup(copy);
      source.close();
      const restored = openSqlite(copy);
      await restored.migrate();
      expect(await restored.serverId()).toBe(id);
      await restored.close();
      // A plain file copy too (what an operator does with the server stopped).
      const plain = join(dir, 'plain.db');
      copyFileSync(copy, plain);
      const reopened = openSqlite(plain);
      expect(await reopened.serverId()).toBe(id);
      await reopened.close();
    });
  },
  ['sqlite'],
);
