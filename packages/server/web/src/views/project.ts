/** One project: every field, its checkouts, its recent changes, and the edit form. */
import { PROJECT_STATUSES, PROJECT_TYPES } from '@dev-infra/core';
import { ApiError, api, type HistoryEntry, type Project } from '../api.js';
import { h, replace } from '../dom.js';
import { remoteEl, statusEl, tagsEl, timeEl } from '../format.js';
import { gitStateEl } from '../git.js';
import type { ViewContext } from './context.js';

const none = () => h('span', { class: 'muted' }, '—');

function fieldList(p: Project): HTMLElement {
  const f = p.fields;
  const item = (term: string, value: Node | string | null) =>
    [h('dt', {}, term), h('dd', {}, value ?? none())] as const;
  return h(
    'dl',
    { class: 'fields' },
    ...item('Description', f.description),
    ...item('Remote', remoteEl(f.remote_url)),
    ...item('Type', f.project_type),
    ...item('Status', statusEl(f.status)),
    ...item('Tags', tagsEl(f.tags)),
    ...item('Classification', f.classification),
    ...item('Organisation', f.organization),
    ...item(
      'Template',
      f.template && `${f.template}${f.template_version ? ` ${f.template_version}` : ''}`,
    ),
    ...item('Created', timeEl(f.created_at)),
    ...item('Updated', timeEl(f.updated_at)),
    ...item('UUID', h('code', {}, p.uuid)),
    ...item('Revision', String(p.rev)),
  );
}

function checkoutsTable(p: Project): HTMLElement {
  if (p.checkouts.length === 0) return h('p', { class: 'muted' }, 'No machine holds a checkout.');
  return h(
    'table',
    { class: 'simple checkouts-table' },
    h('caption', { class: 'visually-hidden' }, 'Checkouts'),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'Machine'),
        h('th', { scope: 'col' }, 'Path'),
        h('th', { scope: 'col' }, 'Last seen'),
        h('th', { scope: 'col' }, 'Git'),
      ),
    ),
    h(
      'tbody',
      {},
      p.checkouts.map((c) =>
        h(
          'tr',
          {},
          h('td', { 'data-label': 'Machine' }, c.machine_name),
          h('td', { 'data-label': 'Path' }, h('code', { class: 'path' }, c.path)),
          h('td', { 'data-label': 'Last seen' }, timeEl(c.last_seen)),
          h('td', { 'data-label': 'Git' }, gitStateEl(c.git)),
        ),
      ),
    ),
  );
}

const KIND_TEXT: Record<string, string> = {
  created: 'created',
  updated: 'changed',
  deleted: 'deleted',
  restored: 'restored',
  checkout: 'checkout',
};

function historyList(history: HistoryEntry[]): HTMLElement {
  if (history.length === 0) return h('p', { class: 'muted' }, 'No recorded changes.');
  return h(
    'ol',
    { class: 'history' },
    history.map((e) =>
      h(
        'li',
        { class: 'entry' },
        timeEl(e.at),
        ' ',
        h('strong', {}, e.source),
        ' ',
        KIND_TEXT[e.kind] ?? e.kind,
        e.fields.length > 0 ? ` ${e.fields.join(', ')}` : '',
        h('span', { class: 'muted small' }, ` · rev ${e.seq}`),
      ),
    ),
  );
}

function options(values: readonly string[], current: string | null, allowNone: boolean) {
  return [
    allowNone && h('option', { value: '', selected: current === null || undefined }, '(none)'),
    ...values.map((v) => h('option', { value: v, selected: v === current || undefined }, v)),
  ];
}

/**
 * The edit form. Its one message element holds the save state (the last save's notice,
 * "Saving…", or why it was not saved), so two states never show side by side.
 */
function editForm(
  p: Project,
  reload: (notice?: string) => void,
  notice: string | undefined,
): HTMLElement {
  const f = p.fields;
  const description = h('textarea', { id: 'edit-description', name: 'description', rows: 3 });
  description.value = f.description ?? '';
  const tags = h('input', {
    id: 'edit-tags',
    name: 'tags',
    value: f.tags.join(', '),
    'aria-describedby': 'edit-tags-help',
    autocomplete: 'off',
  });
  const type = h(
    'select',
    { id: 'edit-type', name: 'project_type' },
    options(PROJECT_TYPES, f.project_type, true),
  );
  const status = h(
    'select',
    { id: 'edit-status', name: 'status' },
    options(PROJECT_STATUSES, f.status, false),
  );
  const message = h(
    'div',
    {
      id: 'edit-message',
      class: notice ? 'message ok' : 'message',
      role: 'status',
      'aria-live': 'polite',
    },
    notice ?? '',
  );
  const save = h('button', { type: 'submit', class: 'primary' }, 'Save');
  const form = h(
    'form',
    { class: 'card edit', 'aria-labelledby': 'edit-title' },
    h('h2', { id: 'edit-title' }, 'Edit'),
    h('label', { for: 'edit-description' }, 'Description'),
    description,
    h('label', { for: 'edit-tags' }, 'Tags'),
    tags,
    h('p', { id: 'edit-tags-help', class: 'help' }, 'Separate tags with commas.'),
    h(
      'div',
      { class: 'row' },
      h('div', { class: 'field' }, h('label', { for: 'edit-type' }, 'Type'), type),
      h('div', { class: 'field' }, h('label', { for: 'edit-status' }, 'Status'), status),
    ),
    h('p', { class: 'help' }, 'Saved changes reach every machine on its next dev-infra sync pull.'),
    message,
    save,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    save.disabled = true;
    replace(message, 'Saving…');
    message.className = 'message';
    message.setAttribute('role', 'status');
    try {
      const updated = await api.edit(p.uuid, p.rev, {
        description: description.value.trim() === '' ? null : description.value.trim(),
        tags: tags.value
          .split(',')
          .map((t) => t.trim())
          .filter((t) => t !== ''),
        project_type: (type.value || null) as Project['fields']['project_type'],
        status: status.value as Project['fields']['status'],
      });
      reload(`Saved (revision ${updated.rev}): every machine gets it on its next sync pull.`);
    } catch (error) {
      save.disabled = false;
      message.className = 'message error';
      message.setAttribute('role', 'alert');
      if (error instanceof ApiError && error.status === 409) {
        replace(
          message,
          'Not saved: this project was changed elsewhere since you opened it. Reload to see the current values, then edit again. ',
          h('button', { type: 'button', id: 'reload', onclick: () => reload() }, 'Reload'),
        );
      } else {
        replace(message, `Not saved: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  });
  return form;
}

/** Draws the project page for `uuid`. */
export async function renderProject(
  ctx: ViewContext,
  uuid: string,
  notice?: string,
): Promise<void> {
  ctx.setTitle('Project');
  let data: Awaited<ReturnType<typeof api.project>>;
  try {
    data = await api.project(uuid);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return;
    ctx.setTitle('Project not found');
    replace(
      ctx.main,
      h('p', {}, h('a', { href: '#/projects' }, '← All projects')),
      h('h1', {}, 'Project not found'),
      h('p', { role: 'alert' }, error instanceof Error ? error.message : String(error)),
    );
    return;
  }
  const { project, history } = data;
  ctx.setTitle(project.fields.name);
  const reload = (text?: string) => {
    void renderProject(ctx, uuid, text).then(() =>
      ctx.main.querySelector<HTMLElement>('h1')?.focus(),
    );
  };
  replace(
    ctx.main,
    h('p', {}, h('a', { href: '#/projects' }, '← All projects')),
    h('h1', { tabindex: '-1' }, project.fields.name),
    h(
      'div',
      { class: 'columns' },
      h(
        'section',
        { 'aria-labelledby': 'details-title' },
        h('h2', { id: 'details-title' }, 'Details'),
        fieldList(project),
        h('h2', {}, 'Checkouts'),
        checkoutsTable(project),
        h('h2', {}, 'Recent changes'),
        historyList(history),
      ),
      editForm(project, reload, notice),
    ),
  );
}
