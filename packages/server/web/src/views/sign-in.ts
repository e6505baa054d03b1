/** The sign-in page: an API key in, a session cookie out. */
import { ApiError, api } from '../api.js';
import { h, replace } from '../dom.js';
import type { ViewContext } from './context.js';

/** Draws the sign-in form; `done` gets the account name once the key is accepted. */
export function renderSignIn(ctx: ViewContext, done: (account: string) => void): void {
  ctx.setTitle('Sign in');
  const message = h('p', { class: 'error', role: 'alert', id: 'sign-in-error' });
  const input = h('input', {
    id: 'api-key',
    name: 'key',
    type: 'password',
    autocomplete: 'off',
    spellcheck: 'false',
    required: true,
    'aria-describedby': 'api-key-help sign-in-error',
  });
  const button = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
  const form = h(
    'form',
    { class: 'card sign-in', 'aria-labelledby': 'sign-in-title' },
    h('h1', { id: 'sign-in-title' }, 'Sign in to work-prod'),
    h('label', { for: 'api-key' }, 'API key'),
    input,
    h(
      'p',
      { id: 'api-key-help', class: 'help' },
      'The key dev-infra uses (an administrator makes one with work-prod key create). The browser keeps only a session cookie, never the key.',
    ),
    message,
    button,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    replace(message);
    button.disabled = true;
    try {
      const { account } = await api.signIn(input.value);
      done(account);
    } catch (error) {
      replace(
        message,
        error instanceof ApiError && error.status === 401
          ? 'That API key was not accepted: check it and try again.'
          : error instanceof Error
            ? error.message
            : String(error),
      );
      button.disabled = false;
      input.select();
      input.focus();
    }
  });
  replace(ctx.main, form);
  input.focus();
}
