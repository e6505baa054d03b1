/** Opens the configured backend; the PostgreSQL driver loads only when it is used. */
import type { DatabaseTarget } from '../config.js';
import type { Storage } from './types.js';

/** Opens the storage `target` names, without migrating it. */
export async function openStorage(target: DatabaseTarget): Promise<Storage> {
  if (target.kind === 'postgres') {
    const { openPostgres } = await import('./postgres.js');
    return openPostgres(target.url);
  }
  const { openSqlite } = await import('./sqlite.js');
  return openSqlite(target.file);
}
