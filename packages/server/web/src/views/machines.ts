/** The machines view: each machine's last sync and project count; stale ones stand out. */
import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { isStale, STALE_DAYS, timeEl } from '../format.js';
import type { ViewContext } from './context.js';

/** Draws the machines table. */
export async function renderMachines(ctx: ViewContext): Promise<void> {
  ctx.setTitle('Machines');
  const { machines } = await api.machines();
  const stale = machines.filter((m) => isStale(m.last_sync)).length;
  replace(
    ctx.main,
    h('h1', {}, 'Machines'),
    h(
      'p',
      { class: 'summary' },
      machines.length === 0
        ? 'No machine has synced yet: run dev-infra sync on one.'
        : `${machines.length} machine${machines.length === 1 ? '' : 's'}` +
            (stale > 0
              ? `, ${stale} not seen for over ${STALE_DAYS} days.`
              : ', all seen recently.'),
    ),
    machines.length > 0 &&
      h(
        'table',
        { class: 'simple machines' },
        h('caption', { class: 'visually-hidden' }, 'Machines'),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, 'Machine'),
            h('th', { scope: 'col' }, 'Last sync'),
            h('th', { scope: 'col' }, 'Projects'),
            h('th', { scope: 'col' }, 'Machine id'),
          ),
        ),
        h(
          'tbody',
          {},
          machines.map((m) => {
            const old = isStale(m.last_sync);
            return h(
              'tr',
              { class: old ? 'stale' : undefined },
              h(
                'th',
                { scope: 'row', 'data-label': 'Machine' },
                h('a', { href: `#/projects?machine=${encodeURIComponent(m.id)}` }, m.name),
                old && h('span', { class: 'badge stale-badge' }, 'stale'),
              ),
              h('td', { 'data-label': 'Last sync' }, timeEl(m.last_sync)),
              h('td', { 'data-label': 'Projects' }, String(m.checkouts)),
              h('td', { 'data-label': 'Machine id' }, h('code', { class: 'small' }, m.id)),
            );
          }),
        ),
      ),
  );
}
