/**
 * Sync against a plain work-prod (design section 4, basic mode). Pull is the full list,
 * mapped to local projects by the remembered server id, then by normalised remote URL; a
 * remembered id missing from the list is a remote deletion. Push creates (POST) and patches
 * only changed fields (PATCH); `path` is sent only when the server has none or has ours, so
 * one machine never overwrites another's. Tags, template and checkouts stay local.
 */
import {
  basicIdOf,
  basicRecordUuid,
  normaliseRemoteUrl,
  noteHeard,
  type Prefer,
  recordIdentity,
  type SharedFields,
  type SyncRecord,
  sameSharedFields,
} from '@dev-infra/core';
import type { LocalProject } from '../registry/format.js';
import {
  type BasicClient,
  type BasicProject,
  type BasicProjectInput,
  fromBasicProject,
  toBasicInput,
} from '../remote/basic-client.js';
import { RemoteError } from '../remote/http.js';
import { applyRemote } from './reconcile.js';
import type { SyncSession } from './session.js';
import { projectSync, setProjectSync, sharedFields } from './state.js';

/** The notice basic mode gives once per sync. */
export const BASIC_NOTE =
  'tags, template, template_version and checkouts stay local: the server does not support them (basic mode)';

/** The cache entry for a server project (uuid `basic:<id>` when no local project holds it). */
function cacheRecord(sp: BasicProject, uuid: string, fields: SharedFields): SyncRecord {
  const checkouts = sp.path
    ? [{ machine_id: '', machine_name: 'server', path: sp.path, last_seen: sp.updated_at }]
    : [];
  return { uuid, rev: 0, seq: 0, deleted: false, fields, checkouts };
}

/**
 * Fetches the full list and merges it in; returns the list for the push. `sync push` runs it
 * too: without the mapping it could not tell a new project from one another machine made.
 */
export async function pullBasic(
  client: BasicClient,
  session: SyncSession,
  prefer: Prefer,
): Promise<BasicProject[]> {
  const { registry, events, now } = session;
  const apply = { prefer, now, events };
  const list = await client.list();
  events.push({ kind: 'note', text: BASIC_NOTE });
  let pulled = 0;
  const notePulled = (project: string) => {
    events.push({ kind: 'pulled', project });
    pulled += 1;
  };
  const byRemoteId = new Map<number, LocalProject>();
  for (const p of registry.projects) {
    const id = basicIdOf(p.sync);
    if (id !== undefined) byRemoteId.set(id, p);
  }
  const onServer = new Set(list.map((sp) => sp.id));
  const records: SyncRecord[] = [];
  for (const sp of [...list].sort((a, b) => a.id - b.id)) {
    let local = byRemoteId.get(sp.id);
    if (!local) {
      const url = normaliseRemoteUrl(sp.remote_url);
      local = registry.projects.find(
        (p) =>
          basicIdOf(p.sync) === undefined &&
          url !== null &&
          normaliseRemoteUrl(p.remote_url) === url,
      );
      if (local) events.push({ kind: 'linked', project: local.name });
    }
    const fields = fromBasicProject(sp, local);
    if (local) {
      const remote = { kind: 'basic', id: sp.id } as const;
      if (applyRemote(local, { rev: 0, deleted: false, fields, remote }, apply))
        notePulled(local.name);
      byRemoteId.set(sp.id, local);
    }
    records.push(cacheRecord(sp, local?.id ?? basicRecordUuid(sp.id), fields));
  }
  for (const [id, p] of byRemoteId) {
    if (onServer.has(id) || projectSync(p)?.deleted_remotely) continue;
    applyRemote(p, { rev: 0, deleted: true, fields: sharedFields(p) }, apply);
    notePulled(p.name);
  }
  const cached = session.cache.index().all();
  const known = new Map(cached.map((r) => [r.uuid, JSON.stringify(r)]));
  let same = cached.length === records.length;
  for (const r of records) {
    const text = JSON.stringify(r);
    if (known.get(r.uuid) === text) continue;
    same = false;
    if (recordIdentity(r.uuid).kind === 'basic') notePulled(r.fields.name);
  }
  // The server's list is the whole truth: the cache is rewritten, only when it differs.
  if (!same) session.cache.replaceAll(records);
  // The whole list came back: heard from the server, whether or not it held anything new.
  if (pulled > 0) {
    session.state.last_pull = now;
    session.state.last_heard = now;
  } else noteHeard(session.state, now);
  await session.save();
  return list;
}

/** The basic fields that differ between two records, as a PATCH body. */
function changedInput(from: SharedFields, to: SharedFields): BasicProjectInput {
  const a = toBasicInput(from).input;
  const b = toBasicInput(to).input;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(b)) if ((a as Record<string, unknown>)[k] !== v) out[k] = v;
  return out as BasicProjectInput;
}

/** Creates a project; on a duplicate path (another machine's), creates it without a path. */
async function create(client: BasicClient, fields: SharedFields, path: string) {
  try {
    return { ...(await client.create(toBasicInput(fields, path).input)), path };
  } catch (error) {
    if (!(error instanceof RemoteError) || error.status !== 409) throw error;
    return { ...(await client.create(toBasicInput(fields).input)), path: null };
  }
}

/** Pushes new and changed projects and pending deletions. */
export async function pushBasic(
  client: BasicClient,
  session: SyncSession,
  list: BasicProject[],
): Promise<void> {
  const { registry, state, events } = session;
  let pushed = false;
  const notePushed = (project: string) => {
    events.push({ kind: 'pushed', project });
    pushed = true;
  };
  const server = new Map(list.map((sp) => [sp.id, sp]));
  for (const p of registry.projects) {
    const sync = projectSync(p);
    if (sync?.deleted_remotely) continue;
    const fields = sharedFields(p);
    const remoteId = basicIdOf(sync);
    if (sync === undefined || remoteId === undefined) {
      notePushed(p.name);
      if (session.dryRun) continue;
      const made = await create(client, fields, p.path);
      const remote = { kind: 'basic', id: made.id } as const;
      setProjectSync(p, { rev: 0, base: fields, pushed_path: made.path, remote });
      await session.save();
      continue;
    }
    const sp = server.get(remoteId);
    const body = sameSharedFields(fields, sync.base) ? {} : changedInput(sync.base, fields);
    if (sp && (sp.path === null || sp.path === p.path) && sp.path !== p.path) body.path = p.path;
    if (Object.keys(body).length === 0) {
      if (!sameSharedFields(fields, sync.base)) setProjectSync(p, { ...sync, base: fields });
      continue;
    }
    notePushed(p.name);
    if (session.dryRun) continue;
    await client.patch(remoteId, body);
    const pushedPath = body.path ?? sync.pushed_path;
    setProjectSync(p, { ...sync, base: fields, pushed_path: pushedPath ?? null });
    await session.save();
  }
  for (const d of [...state.pending.deletes]) {
    notePushed(d.name ?? d.uuid);
    if (session.dryRun) continue;
    if (d.remote_id !== undefined && server.has(d.remote_id)) await client.delete(d.remote_id);
    state.pending.deletes = state.pending.deletes.filter((x) => x !== d);
    await session.save();
  }
  // The server keeps no checkouts: a dropped checkout needs nothing sent.
  if (!session.dryRun) state.pending.checkout_removals = [];
  if (pushed && !session.dryRun) state.last_push = session.now;
}

/** The server's list as cache records, mapped to local projects by remembered id (for status). */
export function basicRecords(
  list: readonly BasicProject[],
  session: Pick<SyncSession, 'registry'>,
): SyncRecord[] {
  const byRemoteId = new Map<number, LocalProject>();
  for (const p of session.registry.projects) {
    const id = basicIdOf(p.sync);
    if (id !== undefined) byRemoteId.set(id, p);
  }
  return list.map((sp) => {
    const local = byRemoteId.get(sp.id);
    return cacheRecord(sp, local?.id ?? basicRecordUuid(sp.id), fromBasicProject(sp, local));
  });
}
