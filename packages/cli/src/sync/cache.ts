/**
 * The remote cache's record store lives in cache/records.ts; sync/ and the commands import it
 * from here so that their imports stay put while those files are being rewritten.
 */
export {
  CacheStore,
  cacheFileFor,
  RecordIndex,
  type RemoteCache,
  readCache,
  readCacheHeader,
  readCacheSummaries,
} from '../cache/records.js';
