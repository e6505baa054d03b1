/**
 * Two registries claiming one machine id (a copied or restored `DEV_INFRA_HOME`, a cloned VM;
 * issue 13). The registry holds an incarnation token beside its machine id and sends it with
 * every pull and push; each push that sends something rotates it (`next_incarnation`, saved
 * here before the request goes out, so a lost answer is retried rather than mistaken for a
 * copy). work-prod keeps the last token it accepted for the id, so a copy, still holding an
 * older token, is refused (409, code `machine-incarnation`) before anything is written. The
 * refused registry then takes a new machine id and incarnation (its name is kept) and syncs
 * as a new machine: its projects keep their uuids, so they are the records the other copy
 * made, with this registry's checkouts as the new machine's. A server holding an older token
 * of ours (a lower counter: restored from a backup) is not a copy's doing: the id is claimed
 * again. See docs/sync-internals.md, "Machine identity".
 */
import { incarnationCounter, MACHINE_INCARNATION_CONFLICT, type MachineRef } from '@dev-infra/core';
import { CacheStore } from '../cache/records.js';
import { UserError } from '../errors.js';
import { newMachine, nextIncarnation } from '../registry/read.js';
import { RemoteError } from '../remote/http.js';
import type { SyncSession } from './session.js';
import { machineRef, projectSync } from './state.js';

/** True when work-prod refused this registry's machine id as another registry's. */
export function isMachineCopyRefusal(error: unknown): error is RemoteError {
  return (
    error instanceof RemoteError &&
    error.status === 409 &&
    error.code === MACHINE_INCARNATION_CONFLICT
  );
}

/**
 * What a refusal means, and the state made ready for the next attempt. The server's token
 * older than ours (a lower counter): it went back to a backup taken before our last rotations,
 * and we are the registry itself: the next request claims the id again (sent with the server's
 * token, rotating to ours; the pull then notices the restore and repairs). Otherwise another
 * registry rotated the id past us: we are a copy, and become a new machine.
 */
export async function recoverFromRefusal(
  session: SyncSession,
  error: RemoteError,
): Promise<'reclaimed' | 'new-machine'> {
  const { machine } = session.registry;
  const held = error.details.incarnation;
  const ours = machine.incarnation;
  if (
    held !== undefined &&
    ours !== undefined &&
    !session.dryRun &&
    incarnationCounter(held) < incarnationCounter(ours)
  ) {
    machine.incarnation = held;
    machine.next_incarnation = ours;
    await session.save();
    return 'reclaimed';
  }
  await becomeNewMachine(session);
  return 'new-machine';
}

/**
 * Gives a registry from before incarnations one, saved before anything is sent (a token sent
 * but not kept would get the next sync refused as a copy). Nothing in a dry run: without a
 * token the server compares nothing, as for an older client.
 */
export async function ensureIncarnation(session: SyncSession): Promise<void> {
  if (session.registry.machine.incarnation !== undefined || session.dryRun) return;
  session.registry.machine.incarnation = nextIncarnation(undefined);
  await session.save();
}

/**
 * Makes this registry a new machine: a new id and incarnation under the same name. What the
 * old id stood for on the server is the other registry's: this machine's checkouts count as
 * never sent (each project's `pushed_path` cleared, so the next push sends them under the new
 * id) and a plain `remove` queued here no longer names a checkout of ours. Bases, revisions,
 * the cursor, pending deletions and the cache's records stay: they are the account's, not the
 * machine's. The new identity is saved at once and a note says what happened.
 */
export async function becomeNewMachine(session: SyncSession): Promise<void> {
  const { registry, state } = session;
  const old = machineRef(registry);
  if (session.dryRun)
    throw new UserError(
      `this registry is a copy of another one (work-prod knows machine id ${short(old.id)} from a registry that synced first): run \`dev-infra sync\` without --dry-run to give it a new machine id`,
    );
  registry.machine = newMachine(registry.machine.name);
  for (const project of registry.projects) {
    const synced = projectSync(project);
    if (synced) synced.pushed_path = null;
  }
  state.pending.checkout_removals = [];
  // The cache is written for one machine id (its summaries name the *other* machines' copies);
  // its records are carried over to a cache for the new id.
  const before = session.cache;
  const records = before.index().all();
  session.cache = new CacheStore(before.file, before.server, before.protocol, registry.machine.id);
  for (const record of records) session.cache.put(record);
  session.events.push({
    kind: 'note',
    text: `This registry is a copy of another (work-prod knows machine id ${short(old.id)} from a registry that synced first): it is now machine ${short(registry.machine.id)}, still named ${old.name}.`,
  });
  await session.save();
}

/**
 * Before a push that sends something: picks the token the registry will hold once the server
 * accepts it, and saves it first (kept from an earlier push whose answer was lost).
 */
export async function prepareRotation(session: SyncSession): Promise<void> {
  const { machine } = session.registry;
  if (session.dryRun || machine.incarnation === undefined || machine.next_incarnation) return;
  machine.next_incarnation = nextIncarnation(machine.incarnation);
  await session.save();
}

/** After the server accepted a request that carried `next_incarnation`: it is the token now. */
export function completeRotation(session: SyncSession, sent: MachineRef): void {
  const { machine } = session.registry;
  if (sent.next_incarnation === undefined || machine.next_incarnation !== sent.next_incarnation)
    return;
  machine.incarnation = sent.next_incarnation;
  delete machine.next_incarnation;
}

const short = (id: string) => id.slice(0, 8);
