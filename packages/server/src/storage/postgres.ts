/** PostgreSQL backend: a pool; per-account row locks keep several instances consistent. */
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { kyselyStorage } from './kysely-storage.js';
import type { Database } from './schema.js';
import type { Storage, StorageOptions } from './types.js';

const INT8_OID = 20;
/** Arbitrary constant naming the advisory lock that serialises account bootstrap. */
const BOOTSTRAP_LOCK = 7_341_209;

/** Connects to the PostgreSQL database at `url`. */
export function openPostgres(url: string, poolSize = 10, options: StorageOptions = {}): Storage {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    // Revisions and counts are int8; they stay far below 2^53, so plain numbers are exact.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID
          ? Number
          : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return kyselyStorage(
    {
      dialect: 'postgres',
      db,
      writeTransaction: (fn) => db.transaction().execute(fn),
      lockGlobal: async (trx) => {
        await sql`select pg_advisory_xact_lock(${BOOTSTRAP_LOCK})`.execute(trx);
      },
    },
    options,
  );
}
