/**
 * A checkout's git state (issue 15): the last one its machine reported, as JSON text (the
 * storage's canonical form of core's GitState, see `storage/git-state.ts`). Text rather than a
 * JSON column so one implementation serves SQLite and PostgreSQL; nobody queries inside it.
 * Nullable: rows from before this migration, and checkouts that are no git repository, have
 * none.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('checkouts').addColumn('git', 'text').execute();
}
