/**
 * Record stamps (issue 13): when each part of a project (each stamped field, each tag's
 * membership, `live`) was last set, on the server's clock, as core's RecordStamps in JSON.
 * A client tells from them, part by part, which of its copy and the server's is newer once a
 * restored database hands revisions out again. Nullable: projects written before this
 * migration have none (every part counts as stamped 0, older than any stamp).
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('projects').addColumn('stamps', 'text').execute();
}
