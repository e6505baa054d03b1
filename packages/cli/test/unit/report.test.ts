/** The sync report is built from the events: counts once per project, refusals once. */
import { describe, expect, it } from 'vitest';
import { buildReport, renderReport } from '../../src/sync/report.js';

describe('buildReport', () => {
  it('counts a project once as pulled and once as pushed, and lists a repeated refusal once', () => {
    const r = buildReport('sync-v1', false, [
      { kind: 'note', text: 'n' },
      { kind: 'pulled', project: 'a' },
      { kind: 'pulled', project: 'a' },
      { kind: 'pulled', project: 'b' },
      { kind: 'pushed', project: 'a' },
      { kind: 'rejected', project: 'c', error: 'bad' },
      { kind: 'rejected', project: 'c', error: 'bad' },
      { kind: 'linked', project: 'd' },
      { kind: 'deleted-remotely', project: 'e' },
      {
        kind: 'conflict',
        project: 'a',
        field: 'status',
        local: 'active',
        remote: 'paused',
        chosen: 'local',
      },
    ]);
    expect(r).toMatchObject({
      pulled: 2,
      pulled_projects: ['a', 'b'],
      pushed: 1,
      pushed_projects: ['a'],
      rejected: [{ project: 'c', error: 'bad' }],
      linked: ['d'],
      deleted_remotely: ['e'],
      notes: ['n'],
      conflicts: [
        { project: 'a', field: 'status', local: 'active', remote: 'paused', chosen: 'local' },
      ],
    });
    expect(renderReport(r)).toMatch(
      /^n\npulled 2, pushed 1, 1 conflict \(kept local status of a\)/,
    );
  });
});
