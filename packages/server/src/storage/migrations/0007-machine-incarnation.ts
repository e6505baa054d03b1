/**
 * Each machine's incarnation (issue 13): the random token its registry holds beside the
 * machine id, the last one the server accepted (stored on first sight, replaced when a push
 * rotates it). A push or pull naming the id with an older token comes from a copy of that
 * registry (a restored backup, a cloned VM) and is refused, so the copy takes a new id.
 * Nullable: machines seen before this migration, and older clients, have none (the first token
 * seen is adopted).
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('machines').addColumn('incarnation', 'text').execute();
}
