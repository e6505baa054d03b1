/**
 * The one place that picks a protocol's implementation: sync-v1 (changes feed and
 * compare-and-swap push) or basic (the original work-prod API). `sync` runs through `run`,
 * `status` through `peek`.
 */
import type { ChangesResponse, Prefer, SyncRecord } from '@dev-infra/core';
import type { Registry } from '../registry/format.js';
import { BasicClient } from '../remote/basic-client.js';
import type { RemoteProtocol } from '../remote/capabilities.js';
import type { HttpClient } from '../remote/http.js';
import { SyncClient } from '../remote/sync-client.js';
import { basicRecords, pullBasic, pushBasic } from './basic-mode.js';
import { ensureIncarnation, isMachineCopyRefusal, recoverFromRefusal } from './machine-identity.js';
import { pullSyncV1 } from './pull.js';
import { pushSyncV1 } from './push.js';
import { abandonRepair } from './repair.js';
import type { SyncSession } from './session.js';
import { type VerifyReport, verifySyncV1 } from './verify.js';

/** Which halves of a sync to run, and who wins a conflict. */
export interface SyncSteps {
  pull: boolean;
  push: boolean;
  prefer: Prefer;
}

/** What `peek` saw. */
export interface Peeked {
  records: SyncRecord[];
  first?: Pick<ChangesResponse, 'head' | 'server_id'>;
}

/** A protocol's sync (with the session's I/O) and its read-only look at the server. */
export interface ProtocolDriver {
  run(session: SyncSession, steps: SyncSteps): Promise<void>;
  /**
   * The records changed on the server since `cursor` (basic mode: all of them), read-only,
   * and the feed's first answer (sync-v1 only), which tells a replaced or restored server.
   */
  peek(registry: Registry, cursor: number): Promise<Peeked>;
  /** `sync --verify` after `run` (sync-v1 only: the original API has no digest). */
  verify?(session: SyncSession, steps: SyncSteps): Promise<VerifyReport>;
}

/** The driver for `protocol` over `http`. */
export function driverFor(protocol: RemoteProtocol, http: HttpClient): ProtocolDriver {
  if (protocol === 'basic') {
    const client = new BasicClient(http);
    return {
      async run(session, steps) {
        // Basic mode always lists first: without the mapping a push could not tell a new
        // project from one another machine made.
        const list = await pullBasic(client, session, steps.prefer);
        if (steps.push) await pushBasic(client, session, list);
      },
      peek: async (registry) => ({ records: basicRecords(await client.list(), { registry }) }),
    };
  }
  const client = new SyncClient(http);
  const once = async (session: SyncSession, steps: SyncSteps) => {
    // A repair a cut-off sync left unfinished is done first, by a lone push too.
    if (steps.pull || session.state.repairing) await pullSyncV1(client, session, steps.prefer);
    // A repair includes its push even in `sync pull`: once its cursor is stored, nothing
    // would show that the server still lacks what this machine had synced.
    if (steps.push || session.repair) await pushSyncV1(client, session, steps.prefer);
  };
  return {
    async run(session, steps) {
      await ensureIncarnation(session);
      // Refused before anything was written: the id is claimed again (the server went back)
      // or this registry, a copy of another, becomes a new machine; then once more. A new
      // random id cannot be refused, so at most two recoveries (a claim, then a new id).
      for (let recoveries = 0; ; recoveries++) {
        try {
          await once(session, steps);
          return;
        } catch (error) {
          if (!isMachineCopyRefusal(error) || recoveries === 2) throw error;
          abandonRepair(session);
          await recoverFromRefusal(session, error);
        }
      }
    },
    async peek(_registry, cursor) {
      const records: SyncRecord[] = [];
      let first: Peeked['first'];
      for await (const page of client.pages(cursor, { limit: 1000 })) {
        first ??= { head: page.head, server_id: page.server_id };
        records.push(...page.changes);
      }
      return first ? { records, first } : { records };
    },
    verify: (session, steps) => verifySyncV1(client, session, steps.prefer),
  };
}
