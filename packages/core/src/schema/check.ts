/**
 * Checking a received value against a schema, with the first problem told in one line that
 * names the field (`changes[3].fields.tags`). Used wherever data arrives from elsewhere: the
 * CLI's HTTP answers, the registry file, the remote cache.
 */
import type { Static, TSchema } from 'typebox';
import { Compile, type Validator } from 'typebox/compile';

/** The first problem found: where (`changes[3].fields.tags`, "" for the value itself) and what. */
export interface SchemaIssue {
  path: string;
  message: string;
}

/** A compiled check of one schema; compiled on first use, so loading it costs nothing. */
export interface SchemaChecker<T> {
  /** True when `value` matches (fast: generated code, no error collection). */
  is(value: unknown): value is T;
  /** The first problem of a value that does not match, or undefined when it matches. */
  issue(value: unknown): SchemaIssue | undefined;
}

/** A checker for `schema` (see SchemaChecker). */
export function schemaChecker<S extends TSchema>(schema: S): SchemaChecker<Static<S>> {
  let compiled: Validator | undefined;
  const validator = () => {
    compiled ??= Compile(schema);
    return compiled;
  };
  return {
    is: (value): value is Static<S> => validator().Check(value),
    issue: (value) => {
      const v = validator();
      return v.Check(value) ? undefined : firstIssue([...v.Errors(value)]);
    },
  };
}

/** `path: message` (or the message alone for the value itself), for one-line errors. */
export function describeIssue(issue: SchemaIssue): string {
  return issue.path ? `${issue.path}: ${issue.message}` : issue.message;
}

/** One error as TypeBox reports it (the Ajv shape). */
interface RawError {
  keyword: string;
  schemaPath: string;
  instancePath: string;
  params: Record<string, unknown>;
  message: string;
}

/**
 * The error to show. In a union (anyOf), a branch whose discriminating constant did not match
 * is not what the sender meant, so its errors are dropped; when no branch's constant matched,
 * the constant itself is the problem.
 */
function firstIssue(errors: readonly RawError[]): SchemaIssue {
  const wrongBranches = errors
    .filter((e) => e.keyword === 'const')
    .map((e) => branchOf(e.schemaPath))
    .filter((b): b is string => b !== undefined);
  const inWrongBranch = (e: RawError) =>
    wrongBranches.some((b) => e.schemaPath === b || e.schemaPath.startsWith(`${b}/`));
  // The union's own "must match a schema in anyOf" says less than any error inside it.
  const meant = errors.find((e) => e.keyword !== 'anyOf' && !inWrongBranch(e));
  if (meant) return toIssue(meant);
  const consts = errors.filter((e) => e.keyword === 'const');
  const first = consts[0] ?? errors[0];
  if (!first) return { path: '', message: 'is invalid' };
  const allowed = consts
    .filter((e) => e.instancePath === first.instancePath)
    .map((e) => show(e.params.allowedValue));
  return {
    path: pathOf(first.instancePath),
    message: allowed.length > 1 ? `must be one of ${allowed.join(', ')}` : toIssue(first).message,
  };
}

/** The schema path of the innermost union branch holding `schemaPath`, if any. */
function branchOf(schemaPath: string): string | undefined {
  return /^(.*\/anyOf\/\d+)/.exec(schemaPath)?.[1];
}

function toIssue(e: RawError): SchemaIssue {
  const path = pathOf(e.instancePath);
  const p = e.params;
  switch (e.keyword) {
    case 'required': {
      const missing = (p.requiredProperties as string[] | undefined)?.[0] ?? '?';
      return { path: join(path, missing), message: 'is missing' };
    }
    case 'type':
      return { path, message: `must be ${typeNames(p.type)}` };
    case 'maxLength':
      return { path, message: `must be at most ${p.limit} characters` };
    case 'minLength':
      return {
        path,
        message: p.limit === 1 ? 'must not be empty' : `must be at least ${p.limit} characters`,
      };
    case 'maxItems':
      return { path, message: `must have at most ${p.limit} items` };
    case 'enum':
      return {
        path,
        message: `must be one of ${(p.allowedValues as unknown[]).map(show).join(', ')}`,
      };
    case 'const':
      return { path, message: `must be ${show(p.allowedValue)}` };
    default:
      return { path, message: e.message };
  }
}

const ARTICLES: Record<string, string> = {
  array: 'an array',
  boolean: 'a boolean',
  integer: 'an integer',
  null: 'null',
  number: 'a number',
  object: 'an object',
  string: 'a string',
};

function typeNames(type: unknown): string {
  const names = Array.isArray(type) ? type : [type];
  return names.map((t) => ARTICLES[String(t)] ?? String(t)).join(' or ');
}

function show(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** `/changes/3/fields/tags` (a JSON pointer) as `changes[3].fields.tags`. */
function pathOf(pointer: string): string {
  let path = '';
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    path = /^\d+$/.test(key) ? `${path}[${key}]` : join(path, key);
  }
  return path;
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}
