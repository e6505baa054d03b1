/**
 * `dev-infra wip`'s view: across every machine, the checkouts whose git state shows work not
 * yet safe elsewhere (or that git could not read), grouped by machine. This machine's from
 * the registry (its last collection), the others' from the remote cache (what they pushed).
 */
import type { GitState, SyncRecord } from '@dev-infra/core';
import type { Registry } from '../registry/format.js';
import { machineRef } from '../sync/state.js';
import { worthReporting } from './summary.js';

/** One checkout in the view. */
export interface WipProject {
  name: string;
  uuid: string;
  path: string;
  git: GitState;
}

/** One machine's checkouts with work in progress. */
export interface WipMachine {
  id: string;
  name: string;
  this_machine: boolean;
  projects: WipProject[];
}

const byName = (a: { name: string }, b: { name: string }) =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : 0;

/**
 * The machines with work in progress: this one first (when it has any), then the others by
 * name; projects by name. `records` are the cached server records (undefined: none yet).
 */
export function wipView(
  registry: Registry,
  records: readonly SyncRecord[] | undefined,
): WipMachine[] {
  const me = machineRef(registry);
  const mine: WipProject[] = [];
  for (const p of registry.projects)
    if (p.git && worthReporting(p.git))
      mine.push({ name: p.name, uuid: p.id, path: p.path, git: p.git });
  const others = new Map<string, WipMachine>();
  for (const r of records ?? []) {
    if (r.deleted) continue;
    for (const c of r.checkouts) {
      if (c.machine_id === me.id || !c.git || !worthReporting(c.git)) continue;
      let m = others.get(c.machine_id);
      if (!m) {
        m = { id: c.machine_id, name: c.machine_name, this_machine: false, projects: [] };
        others.set(c.machine_id, m);
      }
      m.projects.push({ name: r.fields.name, uuid: r.uuid, path: c.path, git: c.git });
    }
  }
  const out: WipMachine[] = [];
  if (mine.length > 0)
    out.push({ id: me.id, name: me.name, this_machine: true, projects: mine.sort(byName) });
  for (const m of [...others.values()].sort(byName)) {
    m.projects.sort(byName);
    out.push(m);
  }
  return out;
}
