/** The dashboard's entry: the page frame, the hash router and the signed-in state. */
import { api, whenSignedOut } from './api.js';
import { h, replace } from './dom.js';
import type { ViewContext } from './views/context.js';
import { renderMachines } from './views/machines.js';
import { renderProject } from './views/project.js';
import { renderProjects } from './views/projects.js';
import { renderSignIn } from './views/sign-in.js';
import { renderWip } from './views/wip.js';

const APP = 'work-prod';
let account: string | undefined;

function setTitle(title: string): void {
  document.title = title ? `${title} · ${APP}` : APP;
}

function header(): HTMLElement {
  const current = location.hash.startsWith('#/machines')
    ? 'machines'
    : location.hash.startsWith('#/wip')
      ? 'wip'
      : 'projects';
  const link = (href: string, label: string, name: string) =>
    h('a', { href, 'aria-current': current === name ? 'page' : undefined }, label);
  return h(
    'header',
    { class: 'top' },
    h('a', { class: 'brand', href: '#/projects' }, APP),
    account !== undefined &&
      h(
        'nav',
        { 'aria-label': 'Main' },
        link('#/projects', 'Projects', 'projects'),
        link('#/wip', 'Work in progress', 'wip'),
        link('#/machines', 'Machines', 'machines'),
      ),
    account !== undefined &&
      h(
        'div',
        { class: 'account' },
        h('span', { class: 'muted', title: 'Signed in as' }, account),
        h(
          'button',
          { type: 'button', class: 'link', id: 'sign-out', onclick: signOut },
          'Sign out',
        ),
      ),
  );
}

/** Shows `hash`: through the hashchange listener when it changes, else drawn again here. */
function go(hash: string): void {
  if (location.hash === hash) void route();
  else location.hash = hash;
}

async function signOut(): Promise<void> {
  try {
    await api.signOut();
  } finally {
    account = undefined;
    go('#/sign-in');
  }
}

function signedOut(): void {
  account = undefined;
  go('#/sign-in');
}

const frame = document.getElementById('app')!;

/** Draws the view the hash names. */
async function route(): Promise<void> {
  if (account === undefined) {
    try {
      account = (await api.session()).account;
    } catch {
      account = undefined;
    }
  }
  const main = h('main', { id: 'main', tabindex: '-1' });
  replace(
    frame,
    h('a', { class: 'skip', href: '#main', onclick: skipToMain }, 'Skip to content'),
    header(),
    main,
  );
  const ctx: ViewContext = { main, setTitle, signedOut };
  const [path = '', search = ''] = location.hash.replace(/^#/, '').split('?');
  const params = new URLSearchParams(search);
  if (account === undefined) {
    renderSignIn(ctx, (name) => {
      account = name;
      go('#/projects');
    });
    return;
  }
  const project = /^\/project\/([^/]+)$/.exec(path);
  if (project) await renderProject(ctx, decodeURIComponent(project[1]!));
  else if (path === '/machines') await renderMachines(ctx);
  else if (path === '/wip') await renderWip(ctx);
  else await renderProjects(ctx, params);
}

/** The skip link moves focus without changing the hash (the hash is the router's). */
function skipToMain(event: Event): void {
  event.preventDefault();
  document.getElementById('main')?.focus();
}

whenSignedOut(signedOut);
// After a navigation, focus moves to the new content so keyboard and screen-reader users
// start there (the sign-in view focuses its own field).
window.addEventListener('hashchange', () => {
  void route().then(() => {
    if (account === undefined) return;
    document.getElementById('main')?.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  });
});
void route();
