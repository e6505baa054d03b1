/** The first schema: accounts, keys, projects (with revisions), machines and checkouts. */
import type { Kysely } from 'kysely';
import type { Dialect } from '../types.js';

/** Creates every table and index; `dialect` picks the auto-increment form. */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const withId = (name: string) =>
    db.schema
      .createTable(name)
      .addColumn('id', 'integer', (c) =>
        dialect === 'sqlite'
          ? c.primaryKey().autoIncrement()
          : c.primaryKey().generatedByDefaultAsIdentity(),
      );

  await withId('accounts')
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('revision', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await withId('api_keys')
    .addColumn('account_id', 'integer', (c) => c.notNull().references('accounts.id'))
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('label', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .execute();
  await db.schema.createIndex('api_keys_account').on('api_keys').column('account_id').execute();
  await db.schema.createIndex('api_keys_prefix').on('api_keys').column('prefix').execute();

  await withId('projects')
    .addColumn('account_id', 'integer', (c) => c.notNull().references('accounts.id'))
    .addColumn('uuid', 'text', (c) => c.notNull())
    .addColumn('rev', 'bigint', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('deleted', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('remote_url', 'text')
    .addColumn('remote_key', 'text')
    .addColumn('project_type', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('classification', 'text')
    .addColumn('organization', 'text')
    .addColumn('tags', 'text', (c) => c.notNull())
    .addColumn('template', 'text')
    .addColumn('template_version', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('path', 'text')
    .addUniqueConstraint('projects_account_uuid', ['account_id', 'uuid'])
    .execute();
  // The changes feed reads by (account, seq): O(changes), never a scan of the account.
  await db.schema
    .createIndex('projects_account_seq')
    .on('projects')
    .columns(['account_id', 'seq'])
    .execute();
  await db.schema
    .createIndex('projects_account_remote')
    .on('projects')
    .columns(['account_id', 'remote_key'])
    .execute();

  await db.schema
    .createTable('machines')
    .addColumn('account_id', 'integer', (c) => c.notNull().references('accounts.id'))
    .addColumn('machine_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('last_sync', 'text')
    .addPrimaryKeyConstraint('machines_pk', ['account_id', 'machine_id'])
    .execute();

  await db.schema
    .createTable('checkouts')
    .addColumn('account_id', 'integer', (c) => c.notNull().references('accounts.id'))
    .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id'))
    .addColumn('machine_id', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('last_seen', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('checkouts_pk', ['project_id', 'machine_id'])
    .execute();
  await db.schema
    .createIndex('checkouts_account_machine')
    .on('checkouts')
    .columns(['account_id', 'machine_id'])
    .execute();
}
