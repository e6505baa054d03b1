/**
 * Each machine's incarnation (issue 13): the random token a registry makes with its machine
 * id. Stored on first sight; a push or pull naming the id with another token comes from a copy
 * of that registry (a restored backup, a cloned VM) and is refused so the copy takes a new id.
 * Nullable: machines seen before this migration, and older clients, have none (the first token
 * seen is adopted).
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('machines').addColumn('incarnation', 'text').execute();
}
