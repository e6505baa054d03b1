/**
 * "Work in progress": the same question asked of every machine at once: which checkouts hold
 * unpushed commits, uncommitted or untracked files, stashes or an operation in progress (or
 * could not be read), grouped by machine, each with the age of its report.
 */
import { type GitState, isUnknownGitState, type WipMachine } from '@dev-infra/core';
import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { timeEl } from '../format.js';
import { branchText, takenEl, unknownText, workParts } from '../git.js';
import type { ViewContext } from './context.js';

/** The branch and "unfinished" cells of a row. */
function stateCells(git: GitState): HTMLElement[] {
  if (isUnknownGitState(git))
    return [
      h('td', { 'data-label': 'Branch' }, h('span', { class: 'muted' }, '—')),
      h(
        'td',
        { 'data-label': 'Unfinished', class: 'work' },
        h('span', { class: 'badge git-unknown' }, unknownText(git.unknown)),
      ),
    ];
  return [
    h('td', { 'data-label': 'Branch' }, h('code', { class: 'ref branch' }, branchText(git))),
    h('td', { 'data-label': 'Unfinished', class: 'work' }, workParts(git).join(', ')),
  ];
}

function machineSection(machine: WipMachine, index: number): HTMLElement {
  const titleId = `wip-machine-${index}`;
  return h(
    'section',
    { class: 'wip-machine', 'aria-labelledby': titleId },
    h(
      'h2',
      { id: titleId },
      machine.machine_name,
      ' ',
      h('span', { class: 'muted small' }, 'last sync ', timeEl(machine.last_sync)),
    ),
    h(
      'table',
      { class: 'simple wip' },
      h('caption', { class: 'visually-hidden' }, `Work in progress on ${machine.machine_name}`),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, 'Project'),
          h('th', { scope: 'col' }, 'Branch'),
          h('th', { scope: 'col' }, 'Unfinished'),
          h('th', { scope: 'col' }, 'Reported'),
          h('th', { scope: 'col' }, 'Path'),
        ),
      ),
      h(
        'tbody',
        {},
        machine.checkouts.map((c) =>
          h(
            'tr',
            {},
            h(
              'th',
              { scope: 'row', 'data-label': 'Project' },
              h('a', { href: `#/project/${encodeURIComponent(c.uuid)}` }, c.name),
            ),
            ...stateCells(c.git),
            h('td', { 'data-label': 'Reported' }, takenEl(c.git)),
            h('td', { 'data-label': 'Path' }, h('code', { class: 'path' }, c.path)),
          ),
        ),
      ),
    ),
  );
}

/** Draws the work-in-progress view. */
export async function renderWip(ctx: ViewContext): Promise<void> {
  ctx.setTitle('Work in progress');
  const { machines, clean } = await api.wip();
  const count = machines.reduce((n, m) => n + m.checkouts.length, 0);
  const cleanText = `${clean} clean checkout${clean === 1 ? '' : 's'}`;
  replace(
    ctx.main,
    h('h1', {}, 'Work in progress'),
    h(
      'p',
      { class: 'summary' },
      count === 0
        ? `Nothing unfinished on any machine (${cleanText}, as last reported).`
        : `${count} checkout${count === 1 ? '' : 's'} with work in progress on ` +
            `${machines.length} machine${machines.length === 1 ? '' : 's'}; ${cleanText}.`,
    ),
    h(
      'p',
      { class: 'help' },
      'As each machine last reported it at a dev-infra sync or refresh: unpushed commits, ' +
        'uncommitted or untracked files, stashes, or a merge, rebase or cherry-pick in progress.',
    ),
    machines.map(machineSection),
  );
}
