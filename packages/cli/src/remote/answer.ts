/**
 * Every answer from work-prod is checked against core's schema before anything uses it:
 * nothing received is trusted (design section 4), and a wrong answer is told in one line
 * that names the field, rather than failing later somewhere unrelated.
 */
import type { SchemaChecker } from '@dev-infra/core';
import { RemoteError } from './http.js';

/** `body` as a T when it matches `checker`; else a RemoteError (kind `protocol`) naming the field. */
export function checkAnswer<T>(
  checker: SchemaChecker<T>,
  body: unknown,
  answer: { displayUrl: string; to: string },
): T {
  if (checker.is(body)) return body;
  const issue = checker.issue(body);
  const what = issue ? `${issue.path || 'the answer'} ${issue.message}` : 'it does not match';
  throw new RemoteError(
    `work-prod at ${answer.displayUrl} sent an invalid answer to ${answer.to}: ${what}`,
    'protocol',
  );
}
