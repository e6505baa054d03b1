/** How `list --all` rows look: the WHERE and REMOTE cells, the terminal table, the piped lines. */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ListRow } from '../../src/cache/list-rows.js';
import { palette, stripAnsi } from '../../src/output/colour.js';
import {
  pipedRemoteRow,
  remoteCell,
  renderListAll,
  whereCell,
} from '../../src/output/list-all-view.js';
import { sampleProject } from '../support/fixtures.js';

const here: ListRow = {
  name: 'api',
  local: sampleProject({ name: 'api', path: join(homedir(), 'code', 'api') }),
  elsewhere: [{ machine_name: 'desktop', path: '/srv/api' }],
  mark: 'missing',
  project_type: 'Work',
  status: 'active',
  remote: 'github.com/acme/api',
};
const remote: ListRow = {
  name: 'ml\tlab',
  elsewhere: [{ machine_name: 'a, b' }, { machine_name: 'gpu' }],
  mark: null,
  project_type: null,
  status: 'paused',
  remote: null,
};
const orphan: ListRow = { ...remote, name: 'orphan', elsewhere: [] };

describe('list --all cells', () => {
  it('say where a project is, with paths of other machines only with --long', () => {
    expect(whereCell(here, false)).toBe('here: ~/code/api (+ desktop)');
    expect(whereCell(here, true)).toBe('here: ~/code/api (+ desktop:/srv/api)');
    expect(whereCell(remote, false)).toBe('not local (a, b, gpu)');
    expect(whereCell(orphan, false)).toBe('not local (server)');
    expect(remoteCell(here)).toBe('github.com/acme/api  [missing]');
    expect(remoteCell(remote)).toBe('(none)');
  });

  it('render a table on a terminal, remote-only places dimmed and their tabs shown escaped, so a row stays one line', () => {
    const c = palette(true);
    const out = Buffer.from(
      renderListAll([here], { kind: 'rows', rows: [remote] }, { long: false, tty: true, c }),
    ).toString();
    expect(out).toContain(c.dim('not local (a, b, gpu)'));
    expect(stripAnsi(out).split('\n')).toEqual([
      'NAME       WHERE                         TYPE  STATUS  REMOTE',
      'api        here: ~/code/api (+ desktop)  Work  active  github.com/acme/api  [missing]',
      'ml\\x09lab  not local (a, b, gpu)               paused  (none)',
      '',
    ]);
  });

  it('on a pipe, print rows given as bytes after the local ones, as they are', () => {
    const look = { long: false, tty: false, c: palette(false) };
    const bytes = [Buffer.from(pipedRemoteRow(remote)), Buffer.from(pipedRemoteRow(orphan))];
    const piped = renderListAll([here], { kind: 'piped', bytes }, look);
    const decoded = renderListAll([here], { kind: 'rows', rows: [remote, orphan] }, look);
    expect(Buffer.from(piped).toString()).toBe(Buffer.from(decoded).toString());
    expect(Buffer.from(piped).toString().split('\n')[1]).toBe(
      'ml lab\tnot local (a, b, gpu)\t\tpaused\t(none)',
    );
    expect(renderListAll([], { kind: 'rows', rows: [] }, look)).toHaveLength(0);
  });
});
