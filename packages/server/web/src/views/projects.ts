/** The projects table: search, filters, sorting and paging, all done by the server. */
import { PROJECT_STATUSES, PROJECT_TYPES } from '@dev-infra/core';
import { ApiError, api, type Project, type ProjectsPage } from '../api.js';
import { h, replace } from '../dom.js';
import { remoteEl, statusEl, tagsEl, timeEl } from '../format.js';
import type { ViewContext } from './context.js';

const PER_PAGE = 50;
const FILTER_KEYS = ['q', 'machine', 'tag', 'status', 'type', 'orphan', 'sort', 'order', 'page'];

const COLUMNS: { label: string; sort?: string }[] = [
  { label: 'Name', sort: 'name' },
  { label: 'Description' },
  { label: 'Tags' },
  { label: 'Type', sort: 'type' },
  { label: 'Status', sort: 'status' },
  { label: 'Remote' },
  { label: 'Checkouts' },
  { label: 'Updated', sort: 'updated' },
];

/** A labelled <select> with an "any" first option. */
function select(
  id: string,
  label: string,
  options: { value: string; label: string }[],
  current: string,
) {
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    h(
      'select',
      { id, name: id },
      h('option', { value: '' }, 'Any'),
      options.map((o) =>
        h('option', { value: o.value, selected: o.value === current || undefined }, o.label),
      ),
    ),
  );
}

/** Where each machine holds the project. */
function checkoutsEl(project: Project): HTMLElement {
  if (project.checkouts.length === 0) return h('span', { class: 'muted' }, 'on no machine');
  return h(
    'ul',
    { class: 'checkouts' },
    project.checkouts.map((c) =>
      h(
        'li',
        {},
        h('strong', {}, c.machine_name),
        ' ',
        h('code', { class: 'path' }, c.path),
        ' ',
        h('span', { class: 'muted small' }, '· ', timeEl(c.last_seen)),
      ),
    ),
  );
}

function row(p: Project): HTMLElement {
  const f = p.fields;
  const cell = (label: string, ...content: (Node | string)[]) =>
    h('td', { 'data-label': label }, ...content);
  return h(
    'tr',
    {},
    h(
      'th',
      { scope: 'row', 'data-label': 'Name' },
      h('a', { href: `#/project/${encodeURIComponent(p.uuid)}` }, f.name),
    ),
    cell('Description', f.description ? h('span', { class: 'desc' }, f.description) : ''),
    cell('Tags', tagsEl(f.tags)),
    cell('Type', f.project_type ?? h('span', { class: 'muted' }, '—')),
    cell('Status', statusEl(f.status)),
    cell('Remote', remoteEl(f.remote_url)),
    cell('Checkouts', checkoutsEl(p)),
    cell('Updated', timeEl(f.updated_at)),
  );
}

/** Draws the projects view for the filters in `params` (the hash's query). */
export async function renderProjects(ctx: ViewContext, params: URLSearchParams): Promise<void> {
  const state = new URLSearchParams();
  for (const k of FILTER_KEYS) {
    const v = params.get(k);
    if (v) state.set(k, v);
  }
  ctx.setTitle('Projects');
  const [machines, tags] = await Promise.all([api.machines(), api.tags()]).catch(
    (error: unknown) => {
      if (error instanceof ApiError && error.status === 401) throw error;
      return [{ machines: [] }, { tags: [] }] as const;
    },
  );

  const search = h('input', {
    id: 'q',
    name: 'q',
    type: 'search',
    value: state.get('q') ?? '',
    placeholder: 'name, description, remote, tag',
    autocomplete: 'off',
  });
  const orphan = h('input', {
    id: 'orphan',
    name: 'orphan',
    type: 'checkbox',
    checked: state.get('orphan') === '1',
  });
  const form = h(
    'form',
    { class: 'filters', role: 'search', 'aria-label': 'Search and filter projects' },
    h('div', { class: 'field grow' }, h('label', { for: 'q' }, 'Search'), search),
    select(
      'machine',
      'Machine',
      machines.machines.map((m) => ({ value: m.id, label: m.name })),
      state.get('machine') ?? '',
    ),
    select(
      'tag',
      'Tag',
      tags.tags.map((t) => ({ value: t, label: t })),
      state.get('tag') ?? '',
    ),
    select(
      'status',
      'Status',
      PROJECT_STATUSES.map((s) => ({ value: s, label: s })),
      state.get('status') ?? '',
    ),
    select(
      'type',
      'Type',
      PROJECT_TYPES.map((t) => ({ value: t, label: t })),
      state.get('type') ?? '',
    ),
    h('div', { class: 'field check' }, orphan, h('label', { for: 'orphan' }, 'On no machine')),
  );
  const summary = h('p', { class: 'summary', role: 'status', 'aria-live': 'polite' });
  const results = h('div', { class: 'results' });
  const pager = h('nav', { class: 'pager', 'aria-label': 'Pages' });
  replace(ctx.main, h('h1', {}, 'Projects'), form, summary, results, pager);

  let generation = 0;
  const load = async () => {
    const mine = ++generation;
    const hash = `#/projects${state.toString() ? `?${state}` : ''}`;
    if (location.hash !== hash) history.replaceState(null, '', hash);
    const q = state.get('q');
    ctx.setTitle(q ? `Projects matching “${q}”` : 'Projects');
    let page: ProjectsPage;
    try {
      page = await api.projects({ ...Object.fromEntries(state), per_page: PER_PAGE });
    } catch (error) {
      if (mine !== generation) return;
      replace(summary, error instanceof Error ? error.message : String(error));
      replace(results);
      replace(pager);
      return;
    }
    if (mine !== generation) return;
    drawResults(page);
  };

  const setParam = (key: string, value: string) => {
    if (value) state.set(key, value);
    else state.delete(key);
    if (key !== 'page') state.delete('page');
    void load();
  };

  const drawResults = (page: ProjectsPage) => {
    const first = page.total === 0 ? 0 : (page.page - 1) * page.per_page + 1;
    const last = Math.min(page.page * page.per_page, page.total);
    replace(
      summary,
      page.total === 0
        ? 'No projects match.'
        : `Showing ${first}–${last} of ${page.total.toLocaleString('en')} projects`,
    );
    const sort = state.get('sort') ?? 'name';
    const order = state.get('order') ?? 'asc';
    const head = h(
      'tr',
      {},
      COLUMNS.map((c) => {
        if (!c.sort) return h('th', { scope: 'col' }, c.label);
        const active = c.sort === sort;
        const next = active && order === 'asc' ? 'desc' : 'asc';
        return h(
          'th',
          {
            scope: 'col',
            'aria-sort': active ? (order === 'asc' ? 'ascending' : 'descending') : undefined,
          },
          h(
            'button',
            {
              type: 'button',
              class: 'sort',
              onclick: () => {
                state.set('sort', c.sort!);
                setParam('order', next);
              },
            },
            c.label,
            h(
              'span',
              { 'aria-hidden': 'true', class: 'arrow' },
              active ? (order === 'asc' ? ' ▲' : ' ▼') : '',
            ),
          ),
        );
      }),
    );
    replace(
      results,
      page.total === 0
        ? ''
        : h(
            'table',
            { class: 'projects' },
            h('caption', { class: 'visually-hidden' }, 'Projects'),
            h('thead', {}, head),
            h('tbody', {}, page.projects.map(row)),
          ),
    );
    const pages = Math.max(1, Math.ceil(page.total / page.per_page));
    const go = (n: number) => () => setParam('page', n === 1 ? '' : String(n));
    replace(
      pager,
      page.total > page.per_page && [
        h(
          'button',
          { type: 'button', disabled: page.page <= 1, onclick: go(page.page - 1) },
          '← Previous',
        ),
        h('span', {}, `Page ${page.page} of ${pages}`),
        h(
          'button',
          { type: 'button', disabled: page.page >= pages, onclick: go(page.page + 1) },
          'Next →',
        ),
      ],
    );
  };

  let timer: ReturnType<typeof setTimeout> | undefined;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => setParam('q', search.value.trim()), 250);
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearTimeout(timer);
    setParam('q', search.value.trim());
  });
  for (const id of ['machine', 'tag', 'status', 'type']) {
    const el = form.querySelector<HTMLSelectElement>(`#${id}`)!;
    el.addEventListener('change', () => setParam(id, el.value));
  }
  orphan.addEventListener('change', () => setParam('orphan', orphan.checked ? '1' : ''));
  await load();
}
