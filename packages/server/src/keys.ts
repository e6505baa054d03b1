/** API keys: long random secrets; only their sha256 and a short prefix are ever stored. */
import { createHash, randomBytes } from 'node:crypto';
import type { NewKey } from './storage/types.js';

const PREFIX_LENGTH = 11; // "wp_" and 8 random characters: enough to tell keys apart

/** sha256 of a key, hex. */
export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Makes a new key (256 random bits) and what to store of it. */
export function generateKey(label: string | null = null): { key: string; stored: NewKey } {
  const key = `wp_${randomBytes(32).toString('base64url')}`;
  return { key, stored: { hash: hashKey(key), prefix: key.slice(0, PREFIX_LENGTH), label } };
}
