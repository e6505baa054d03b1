/**
 * Reading the registry. Reads take no lock: writes are atomic renames, so a reader sees the
 * old or the new file, whole. Kept apart from writing so `list` loads no lock or write code.
 */
import { readFileSync } from 'node:fs';
import { incarnationCounter } from '@dev-infra/core';
import { oneLine, UserError } from '../errors.js';
import {
  type MachineInfo,
  type RawDocument,
  REGISTRY_VERSION,
  type Registry,
  ShapeError,
  toRegistry,
} from './format.js';
import { migrate } from './migrations.js';

const UNTOUCHED = 'it was left untouched';
const FIX =
  'fix it by hand, or move it aside and run `dev-infra scan <DIR>` to register your projects again';

/** A new machine id and its first incarnation token, keeping `name`. */
export function newMachine(name: string | null): MachineInfo {
  return { id: globalThis.crypto.randomUUID(), name, incarnation: nextIncarnation(undefined) };
}

/**
 * An incarnation token after `previous` (or the first): `COUNTER.UUID`, the counter one up
 * (see core's incarnationCounter), the rest random.
 */
export function nextIncarnation(previous: string | undefined): string {
  const n = previous === undefined ? 0 : incarnationCounter(previous);
  return `${n + 1}.${globalThis.crypto.randomUUID()}`;
}

/**
 * A new, empty registry for this machine (written only by the first change). Uses the
 * global Web Crypto so that reading the registry does not load node:crypto up front.
 */
export function emptyRegistry(): Registry {
  return {
    version: REGISTRY_VERSION,
    machine: newMachine(null),
    projects: [],
  };
}

/** Parses a registry file's text; throws a UserError naming `file` and what to do. */
export function parseRegistry(text: string, file: string): Registry {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new UserError(`${file} is not valid JSON (${oneLine(error)}); ${FIX}; ${UNTOUCHED}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new UserError(`${file} is not a dev-infra registry (not a JSON object); ${FIX}`);
  const raw = doc as RawDocument;
  const version = raw.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1)
    throw new UserError(
      `${file} has no valid schema "version" (found ${JSON.stringify(version)}); ${FIX}; ${UNTOUCHED}`,
    );
  if (version > REGISTRY_VERSION)
    throw new UserError(
      `${file} uses registry version ${version}, newer than this dev-infra understands (${REGISTRY_VERSION}); upgrade dev-infra: install it again from your work-prod server (npm install -g http://HOST:PORT/install/dev-infra.tgz); ${UNTOUCHED}`,
    );
  try {
    return toRegistry(migrate(raw, version));
  } catch (error) {
    if (error instanceof ShapeError)
      throw new UserError(
        `${file} is not a valid registry: ${error.message}; ${FIX}; ${UNTOUCHED}`,
      );
    throw error;
  }
}

/** Reads the registry; a missing file is an empty registry (`exists` false). */
export function loadRegistry(file: string): { registry: Registry; exists: boolean } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      return { registry: emptyRegistry(), exists: false };
    throw new UserError(`cannot read ${file}: ${oneLine(error)}`);
  }
  return { registry: parseRegistry(text, file), exists: true };
}
