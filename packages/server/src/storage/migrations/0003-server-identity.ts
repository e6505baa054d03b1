/** The database's identity: one row holding a random id made when this migration runs. */
import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';

/**
 * Creates `server_identity` with its one row. The id lives in the database, so a backup carries
 * it and a new database gets a new one: clients compare it to tell a replaced database.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('server_identity')
    // A constant key keeps the table to one row.
    .addColumn('one', 'integer', (c) => c.primaryKey().check(sql`one = 1`))
    .addColumn('server_id', 'text', (c) => c.notNull())
    .execute();
  await sql`insert into server_identity (one, server_id) values (1, ${randomUUID()})`.execute(db);
}
