/** An error whose message is fit to show a user as is (no stack unless --debug). */
export class UserError extends Error {
  override name = 'UserError';
}
