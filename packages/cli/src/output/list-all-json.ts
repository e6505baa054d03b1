/** `list --all --json`: every project with its sync state and where it is checked out. */
import { type Checkout, redactRemoteUrl } from '@dev-infra/core';
import type { ProjectView } from '../sync/status-view.js';
import { isMissing, projectJson } from './project-view.js';

function checkoutsJson(checkouts: readonly Checkout[]) {
  return checkouts.map((c) => ({
    machine: c.machine_name,
    path: c.path,
    last_seen: c.last_seen,
    git: c.git ?? null,
  }));
}

/** A local project as `list` prints it, or a remote-only one with `path: null`; both with `local`, `state`, `checkouts`. */
export function listAllJson(v: ProjectView) {
  const checkouts = checkoutsJson(v.record?.checkouts ?? []);
  if (v.local)
    return {
      ...projectJson(v.local, isMissing(v.local)),
      local: true,
      state: v.status.state,
      checkouts,
    };
  const f = v.record!.fields;
  return {
    id: v.record!.uuid,
    ...f,
    path: null,
    remote_url: f.remote_url === null ? null : redactRemoteUrl(f.remote_url),
    local: false,
    state: v.status.state,
    checkouts,
  };
}
