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

  it('escapes names, values and refusals from elsewhere, one line each', () => {
    const evil = 'x\u001b]0;t\u0007\ny';
    const r = buildReport('sync-v1', true, [
      { kind: 'pulled', project: evil },
      {
        kind: 'conflict',
        project: evil,
        field: 'description',
        local: evil,
        remote: 'b',
        chosen: 'local',
      },
      { kind: 'rejected', project: evil, error: `bad ${evil}` },
    ]);
    const shown = 'x\\x1b]0;t\\x07\\x0ay';
    const lines = renderReport(r).trimEnd().split('\n');
    expect(lines).toContain(`  would pull: ${shown}`);
    expect(lines).toContain(`  conflict: ${shown} description: local ${shown}, remote b`);
    expect(lines).toContain(`  refused by the server: ${shown}: bad ${shown}`);
    for (const ch of ['\u0007', '\u001b']) expect(renderReport(r)).not.toContain(ch);
  });
});
