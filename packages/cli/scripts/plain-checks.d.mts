// Types of plain-checks.mjs, for the test that compares its output with TypeBox.
import type { Code } from 'typebox/compile';
import type { TObject, TSchema } from 'typebox/type';

export function generatePlainChecks(
  code: typeof Code,
  checks: Record<string, TSchema>,
  finders: Record<string, TObject>,
): string;
