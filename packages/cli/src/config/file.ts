/**
 * `config.yml`: this machine's settings. Written atomically with mode 0600 because the
 * work-prod API key will live here; comments and unknown keys are kept on every write.
 */
import { readFileSync } from 'node:fs';
import writeFileAtomic from 'write-file-atomic';
import { type Document, isMap, parseDocument } from 'yaml';
import { oneLine, UserError } from '../errors.js';
import { ensurePrivateDir, PRIVATE_FILE } from '../private-files.js';
import { withLock } from '../registry/lock.js';
import { CONFIG_KEYS } from './keys.js';

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw new UserError(`cannot read ${file}: ${oneLine(error)}`);
  }
}

function parseConfig(text: string, file: string): Document {
  const doc = parseDocument(text);
  if (doc.errors.length > 0)
    throw new UserError(
      `${file} is not valid YAML (${oneLine(doc.errors[0])}); fix it by hand; it was left untouched`,
    );
  if (doc.contents !== null && !isMap(doc.contents))
    throw new UserError(
      `${file} must be a YAML mapping (key: value lines); fix it by hand; it was left untouched`,
    );
  checkKnownValues(doc, file);
  return doc;
}

/** A hand-edited value of a known setting must be what `config set` would have stored. */
function checkKnownValues(doc: Document, file: string): void {
  for (const known of CONFIG_KEYS) {
    if (known.store !== 'config') continue;
    const value = asText(doc.getIn(known.key.split('.')));
    if (value === undefined || value === null) continue;
    let problem: string | undefined;
    if (typeof value !== 'string') problem = `${known.key} must be a text value`;
    else {
      try {
        known.check?.(value);
      } catch (error) {
        problem = oneLine(error);
      }
    }
    if (problem) throw new UserError(`${file}: ${problem}; fix it by hand; it was left untouched`);
  }
}

/** Reads the config file (missing = empty); a UserError naming the file when it is invalid. */
export function readConfig(file: string): Document {
  return parseConfig(readText(file), file);
}

/**
 * A hand-written YAML number or boolean (`frequency: 0`, `state: false`) as the text
 * `config set` would have stored; anything else as it is.
 */
function asText(value: unknown): unknown {
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
}

/** The value at a dotted key (`remote.url`), or undefined; a YAML number or boolean as text. */
export function configValue(doc: Document, key: string): unknown {
  return asText(doc.getIn(key.split('.')));
}

/** Sets (or, with null, deletes) a dotted key and writes the file atomically, mode 0600. */
export async function writeConfigValue(
  file: string,
  dir: string,
  key: string,
  value: string | null,
): Promise<void> {
  ensurePrivateDir(dir);
  await withLock(file, async () => {
    const doc = readConfig(file);
    if (value === null) doc.deleteIn(key.split('.'));
    else doc.setIn(key.split('.'), value);
    await writeFileAtomic(file, doc.toString(), { mode: PRIVATE_FILE, fsync: true });
  });
}
