/** The dashboard's tables: sign-in sessions and each project's history of changes. */
import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../types.js';

/**
 * Creates `sessions`, `project_history` and the indexes the dashboard's projects table pages
 * by; `dialect` picks the auto-increment form.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const withId = (name: string) =>
    db.schema
      .createTable(name)
      .addColumn('id', 'integer', (c) =>
        dialect === 'sqlite'
          ? c.primaryKey().autoIncrement()
          : c.primaryKey().generatedByDefaultAsIdentity(),
      );

  await withId('sessions')
    .addColumn('account_id', 'integer', (c) => c.notNull().references('accounts.id'))
    // sha256 of the cookie's token: a leaked database does not hand out sessions.
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sessions_expires').on('sessions').column('expires_at').execute();

  await withId('project_history')
    .addColumn('account_id', 'integer', (c) => c.notNull().references('accounts.id'))
    .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id'))
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('fields', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('project_history_project_seq')
    .on('project_history')
    .columns(['project_id', 'seq'])
    .execute();

  // The dashboard's default and "updated" orders page through an index, and its counts read
  // only the index (same statement on both backends: expression indexes exist in both).
  await sql`create index projects_dashboard_name on projects (account_id, deleted, lower(name), id)`.execute(
    db,
  );
  await sql`create index projects_dashboard_updated on projects (account_id, deleted, updated_at, id)`.execute(
    db,
  );
}
