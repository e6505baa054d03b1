/**
 * Sync against a plain work-prod (design section 4, basic mode). Pull is the full list,
 * mapped to local projects by the remembered server id, then by normalised remote URL; a
 * remembered id missing from the list is a remote deletion. Push creates (POST) and patches
 * only changed fields (PATCH); `path` is sent only when the server has none or has ours, so
 * one machine never overwrites another's. Tags, template and checkouts stay local, and so does
 * any field the server's answer shows it did not keep (`local_only` in the sync state).
 */
import {
  basicIdOf,
  basicRecordUuid,
  fieldEquals,
  normaliseRemoteUrl,
  noteHeard,
  type Prefer,
  type RegistrySync,
  recordIdentity,
  SHARED_FIELD_NAMES,
  type SharedFieldName,
  type SharedFields,
  type SyncRecord,
  sameSharedFields,
  validateName,
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
import type { RefusedRecord } from '../remote/sync-client.js';
import { refusedNote } from './pull.js';
import { applyRemote } from './reconcile.js';
import type { SyncSession } from './session.js';
import { projectSync, registrySync, setProjectSync, sharedFields } from './state.js';

/** The notice basic mode gives once per sync. */
export const BASIC_NOTE =
  'tags, template, template_version and checkouts stay local: the server does not support them (basic mode)';

/** The once-per-sync notice, naming the fields this server was seen to drop as well. */
function basicNote(localOnly: readonly SharedFieldName[]): string {
  if (localOnly.length === 0) return BASIC_NOTE;
  return `${BASIC_NOTE}; ${localOnly.join(', ')} also stay${localOnly.length > 1 ? '' : 's'} local: the server did not keep ${localOnly.length > 1 ? 'them' : 'it'} when sent`;
}

/**
 * `fields` as pulled, with the fields the server does not keep taken from `local`'s base (its
 * own fields before a first sync): the server's value there is only what it defaulted to, and
 * would overwrite the user's. The base, not the current value, so that a local edit of such
 * a field is not mistaken for one pulled.
 */
function keepLocalOnly(
  fields: SharedFields,
  local: LocalProject | undefined,
  localOnly: readonly SharedFieldName[],
): SharedFields {
  if (!local || localOnly.length === 0) return fields;
  const sync = projectSync(local);
  const mine = sync?.kind === 'synced' ? sync.base : sharedFields(local);
  const out = { ...fields, tags: [...fields.tags] };
  // Both records have every shared field, so the name and value pair up.
  for (const f of localOnly) (out as Record<SharedFieldName, unknown>)[f] = mine[f];
  return out;
}

/** The fields of `sent` (but the path) that the server's `answer` does not hold as sent. */
function notKept(sent: BasicProjectInput, answer: BasicProject | undefined): SharedFieldName[] {
  if (!answer) return [];
  const got = new Map<string, unknown>(Object.entries(answer));
  const norm = (v: unknown) => (v === '' || v === undefined ? null : v);
  return SHARED_FIELD_NAMES.filter(
    (f) => f in sent && norm((sent as Record<string, unknown>)[f]) !== norm(got.get(f)),
  );
}

/**
 * Remembers fields the server dropped as local-only for it, naming each once: in this sync's
 * note here, in the pull's note after.
 */
function noteNotKept(
  state: RegistrySync,
  lost: readonly SharedFieldName[],
  events: SyncSession['events'],
): void {
  const known = state.local_only ?? [];
  const fresh = lost.filter((f) => !known.includes(f));
  if (fresh.length === 0) return;
  state.local_only = SHARED_FIELD_NAMES.filter((f) => known.includes(f) || fresh.includes(f));
  events.push({
    kind: 'note',
    text: `${fresh.join(', ')} stay${fresh.length > 1 ? '' : 's'} local: the server did not keep ${fresh.length > 1 ? 'them' : 'it'} when sent (basic mode)`,
  });
}

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
  const localOnly = session.state.local_only ?? [];
  events.push({ kind: 'note', text: basicNote(localOnly) });
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
  // A name that would not pass as a local one (`../x`, control characters) is refused like a
  // sync-v1 record (issue 14): not cached, not applied, told once. Still on the server, so a
  // project linked to it is not taken for deleted.
  const refused: RefusedRecord[] = [];
  for (const sp of [...list].sort((a, b) => a.id - b.id)) {
    const bad = validateName(sp.name);
    if (bad) {
      refused.push({ uuid: undefined, id: sp.id, reason: `fields.${bad.message}` });
      continue;
    }
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
    const fields = keepLocalOnly(fromBasicProject(sp, local), local, localOnly);
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
  const note = refusedNote(refused);
  if (note) events.push({ kind: 'note', text: note });
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

/**
 * The basic fields that differ between two records, as a PATCH body. Compared as the merge
 * compares them (`fieldEquals`): another spelling of the same remote URL (`git@host:o/r` for
 * `https://host/o/r.git`) is no change, so it is never pushed over the server's (issue 13 §4).
 */
function changedInput(from: SharedFields, to: SharedFields): BasicProjectInput {
  const b = toBasicInput(to).input;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(b)) {
    const f = k as keyof BasicProjectInput & SharedFieldName;
    if (!fieldEquals(f, from[f], to[f])) out[k] = v;
  }
  return out as BasicProjectInput;
}

/** Creates a project; on a duplicate path (another machine's), creates it without a path. */
async function create(client: BasicClient, fields: SharedFields, path: string) {
  const sent = toBasicInput(fields).input;
  try {
    return { ...(await client.create({ ...sent, path })), path, sent };
  } catch (error) {
    if (!(error instanceof RemoteError) || error.status !== 409) throw error;
    return { ...(await client.create(sent)), path: null, sent };
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
      noteNotKept(state, notKept(made.sent, made.project), events);
      const remote = { kind: 'basic', id: made.id } as const;
      setProjectSync(p, { rev: 0, base: fields, pushed_path: made.path, remote });
      await session.save();
      continue;
    }
    const sp = server.get(remoteId);
    const body = sameSharedFields(fields, sync.base) ? {} : changedInput(sync.base, fields);
    // Sending a field the server drops would only make a push that changes nothing there.
    for (const f of state.local_only ?? []) delete (body as Record<string, unknown>)[f];
    if (sp && (sp.path === null || sp.path === p.path) && sp.path !== p.path) body.path = p.path;
    if (Object.keys(body).length === 0) {
      if (!sameSharedFields(fields, sync.base)) setProjectSync(p, { ...sync, base: fields });
      continue;
    }
    notePushed(p.name);
    if (session.dryRun) continue;
    noteNotKept(state, notKept(body, await client.patch(remoteId, body)), events);
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
  const localOnly = registrySync(session.registry)?.local_only ?? [];
  const byRemoteId = new Map<number, LocalProject>();
  for (const p of session.registry.projects) {
    const id = basicIdOf(p.sync);
    if (id !== undefined) byRemoteId.set(id, p);
  }
  return list
    .filter((sp) => validateName(sp.name) === undefined)
    .map((sp) => {
      const local = byRemoteId.get(sp.id);
      const fields = keepLocalOnly(fromBasicProject(sp, local), local, localOnly);
      return cacheRecord(sp, local?.id ?? basicRecordUuid(sp.id), fields);
    });
}
