/** In-code migrations for both backends, run by Kysely's Migrator (locked on PostgreSQL). */
import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';
import type { Dialect } from '../types.js';
import * as initial from './0001-initial.js';
import * as dashboard from './0002-dashboard.js';
import * as serverIdentity from './0003-server-identity.js';
import * as sessionKey from './0005-session-key.js';
import * as checkoutGit from './0006-checkout-git.js';
import * as machineIncarnation from './0007-machine-incarnation.js';
import * as recordStamps from './0008-record-stamps.js';

function provider(dialect: Dialect): MigrationProvider {
  const migrations: Record<string, Migration> = {
    '0001-initial': { up: (db) => initial.up(db, dialect) },
    '0002-dashboard': { up: (db) => dashboard.up(db, dialect) },
    '0003-server-identity': { up: (db) => serverIdentity.up(db) },
    '0005-session-key': { up: (db) => sessionKey.up(db, dialect) },
    '0006-checkout-git': { up: (db) => checkoutGit.up(db) },
    '0007-machine-incarnation': { up: (db) => machineIncarnation.up(db) },
    '0008-record-stamps': { up: (db) => recordStamps.up(db) },
  };
  return { getMigrations: async () => migrations };
}

/**
 * Applies the migrations up to and including `name` only: tests build a database as an older
 * release left it, then migrate it to the latest.
 */
export async function migrateUpTo(
  db: Kysely<unknown>,
  dialect: Dialect,
  name: string,
): Promise<void> {
  const migrator = new Migrator({ db, provider: provider(dialect) });
  const { error } = await migrator.migrateTo(name);
  if (error) throw error instanceof Error ? error : new Error(String(error));
}

/** Brings the schema up to date; safe when several instances start at once on one PostgreSQL. */
export async function migrateToLatest(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const migrator = new Migrator({ db, provider: provider(dialect) });
  const { error } = await migrator.migrateToLatest();
  if (error) {
    throw new Error(
      `database migration failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
