/** Typed client for work-prod's sync-v1 protocol (design section 4). */
import {
  CHANGES_DEFAULT_LIMIT,
  ChangesEnvelopeSchema,
  type ChangesResponse,
  type DigestResponse,
  DigestResponseSchema,
  type MachineRef,
  type MachinesResponse,
  MachinesResponseSchema,
  PUSH_MAX_BATCH,
  type PushRequest,
  type PushResponse,
  PushResponseSchema,
  type SyncRecord,
  SyncRecordSchema,
  schemaChecker,
  validateName,
} from '@dev-infra/core';
import { checkAnswer } from './answer.js';
import { type HttpClient, isObject, RemoteError } from './http.js';
import { PageBounds } from './page-bounds.js';

// Compiled on first use: a first pull checks 10,000 records, so the check must be generated
// code, not an interpreter walking the schema.
const changesAnswer = schemaChecker(ChangesEnvelopeSchema);
const syncRecord = schemaChecker(SyncRecordSchema);
const pushAnswer = schemaChecker(PushResponseSchema);
const machinesAnswer = schemaChecker(MachinesResponseSchema);
const digestAnswer = schemaChecker(DigestResponseSchema);

/** A record of a page that was refused: its uuid when it had one, and the first problem. */
export interface RefusedRecord {
  uuid: string | undefined;
  /** The integer id instead, for a basic server's project. */
  id?: number;
  reason: string;
}

/** A changes page whose records all passed; `refused` are those that did not (never used). */
export interface ChangesPage extends ChangesResponse {
  refused: RefusedRecord[];
}

/**
 * Why `value` may not be used as a record, or undefined when it may: the schema, then the name
 * as a local name is checked (a name such as `../x` would otherwise become a clone folder).
 */
export function recordProblem(value: unknown): string | undefined {
  if (!syncRecord.is(value)) {
    const issue = syncRecord.issue(value);
    return issue ? `${issue.path || 'the record'} ${issue.message}` : 'the record is invalid';
  }
  const bad = validateName(value.fields.name);
  return bad ? `fields.${bad.message}` : undefined;
}

/** Splits the records of a page into those that may be used and those refused. */
export function sortRecords(values: readonly unknown[]): {
  records: SyncRecord[];
  refused: RefusedRecord[];
} {
  const records: SyncRecord[] = [];
  const refused: RefusedRecord[] = [];
  for (const value of values) {
    const reason = recordProblem(value);
    if (reason === undefined) records.push(value as SyncRecord);
    else {
      const uuid = (value as { uuid?: unknown } | null)?.uuid;
      refused.push({ uuid: typeof uuid === 'string' ? uuid : undefined, reason });
    }
  }
  return { records, refused };
}

/** Splits a push into requests of at most `max` changes and `max` checkout changes each. */
export function splitPushRequest(req: PushRequest, max = PUSH_MAX_BATCH): PushRequest[] {
  const checkouts = req.checkouts ?? [];
  const count = Math.max(1, Math.ceil(Math.max(req.changes.length, checkouts.length) / max));
  return Array.from({ length: count }, (_, i) => {
    const part: PushRequest = {
      machine: req.machine,
      changes: req.changes.slice(i * max, (i + 1) * max),
    };
    const cs = checkouts.slice(i * max, (i + 1) * max);
    if (cs.length > 0) part.checkouts = cs;
    return part;
  });
}

/** Pages through the changes feed, pushes batches and lists machines. */
export class SyncClient {
  constructor(private readonly http: HttpClient) {}

  /** One page of changes after revision `since`; `machine` lets the server note our pull. */
  async changes(
    since: number,
    limit: number = CHANGES_DEFAULT_LIMIT,
    machine?: MachineRef,
    digest = false,
  ): Promise<ChangesPage> {
    const page = await this.http.get<unknown>('/api/sync/changes', {
      since,
      limit,
      machine_id: machine?.id,
      machine_name: machine?.name,
      machine_incarnation: machine?.incarnation,
      machine_next_incarnation: machine?.next_incarnation,
      digest: digest ? 1 : undefined,
    });
    const envelope = checkAnswer(changesAnswer, page, this.answerTo('GET /api/sync/changes'));
    // Each record on its own: one bad record must not cost the other 999 of its page.
    const { records, refused } = sortRecords(envelope.changes);
    return { ...envelope, changes: records, refused };
  }

  /**
   * Every page after `since`, in order, until the server says no more remain. Stops with an
   * error rather than looping if the server's cursor does not move forward. The next page is
   * requested as soon as a page arrives, so the server prepares it while the caller applies
   * and saves this one.
   */
  async *pages(
    since: number,
    options: { limit?: number; machine?: MachineRef; digest?: boolean } = {},
  ): AsyncGenerator<ChangesPage> {
    const fetch = (from: number) => {
      const request = this.changes(from, options.limit, options.machine, options.digest);
      // Awaited on the next turn; a caller that stops early must not leave it unhandled.
      request.catch(() => {});
      return request;
    };
    // Checked before a page is yielded: the pages before a bad one are saved, it and any
    // after it never reach the cache or the registry.
    const bounds = new PageBounds(since, options.limit ?? CHANGES_DEFAULT_LIMIT);
    let next = fetch(since);
    for (;;) {
      const page = await next;
      const received = page.changes.length + page.refused.length;
      const wrong = bounds.check({ ...page, received });
      if (wrong)
        throw new RemoteError(
          `work-prod at ${this.http.displayUrl} sent an impossible answer to GET /api/sync/changes: ${wrong}; the pull stopped`,
          'protocol',
        );
      if (page.more) next = fetch(page.next);
      yield page;
      if (!page.more) return;
    }
  }

  /** Sends one push batch (at most PUSH_MAX_BATCH changes; see splitPushRequest). */
  async push(req: PushRequest): Promise<PushResponse> {
    if (req.changes.length > PUSH_MAX_BATCH || (req.checkouts?.length ?? 0) > PUSH_MAX_BATCH) {
      throw new RangeError(`a push holds at most ${PUSH_MAX_BATCH} changes: use splitPushRequest`);
    }
    const { body } = await this.http.request<unknown>('POST', '/api/sync/push', { body: req });
    // A server from before checkout changes sends no `checkouts`: none were applied.
    const answer = isObject(body) && !('checkouts' in body) ? { ...body, checkouts: [] } : body;
    const checked = checkAnswer(pushAnswer, answer, this.answerTo('POST /api/sync/push'));
    // A conflict's record is stored and applied like a pulled one: its name is checked as a
    // local name too. Refusing the answer leaves the batch pending, to be sent again.
    for (const r of checked.results) {
      const bad = r.status === 'conflict' ? validateName(r.current.fields.name) : undefined;
      if (bad)
        throw new RemoteError(
          `work-prod at ${this.http.displayUrl} sent an invalid answer to POST /api/sync/push: results.current.fields.${bad.message}`,
          'protocol',
        );
    }
    return checked;
  }

  /** The account's digest, or undefined from a work-prod without the route (older versions). */
  async digest(): Promise<DigestResponse | undefined> {
    let body: unknown;
    try {
      body = await this.http.get<unknown>('/api/sync/digest');
    } catch (error) {
      if (error instanceof RemoteError && error.status === 404) return undefined;
      throw error;
    }
    return checkAnswer(digestAnswer, body, this.answerTo('GET /api/sync/digest'));
  }

  /** The account's machines. */
  async machines(): Promise<MachinesResponse> {
    const body = await this.http.get<unknown>('/api/machines');
    return checkAnswer(machinesAnswer, body, this.answerTo('GET /api/machines'));
  }

  private answerTo(to: string) {
    return { displayUrl: this.http.displayUrl, to };
  }
}
