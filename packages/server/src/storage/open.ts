/** Opens the configured backend; the PostgreSQL driver loads only when it is used. */
import type { DatabaseTarget } from '../config.js';
import type { Storage, StorageOptions } from './types.js';

/** Opens the storage `target` names, without migrating it. */
export async function openStorage(
  target: DatabaseTarget,
  options: StorageOptions = {},
): Promise<Storage> {
  if (target.kind === 'postgres') {
    const { openPostgres } = await import('./postgres.js');
    return openPostgres(target.url, 10, options);
  }
  const { openSqlite } = await import('./sqlite.js');
  return openSqlite(target.file, options);
}
