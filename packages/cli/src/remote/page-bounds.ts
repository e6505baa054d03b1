/**
 * Bounds on one pull (issue 14): a server that sends more than it announced is stopped, not
 * followed. Without them a feed answering `more: true` forever with a moving cursor filled
 * 1.5 GB of cache in 25 s. Pure: the client feeds it each page before the page is used.
 */
import { CHANGES_MAX_LIMIT } from '@dev-infra/core';

/**
 * Most records one pull takes, whatever head the server announces: ten times the largest
 * account the design is built for (10,000 projects), so a huge announced head cannot make
 * the pull, its memory or the cache unbounded.
 */
export const PULL_MAX_RECORDS = 100_000;

/** Records a pull may take beyond the announced account size: other machines' pushes meanwhile. */
export const PULL_MARGIN = 2 * CHANGES_MAX_LIMIT;

/** What a page says of itself; `received` counts its records, refused ones included. */
export interface PageShape {
  received: number;
  next: number;
  more: boolean;
  head: number;
}

/** Checks each page of one pull from `since` asking `limit` records a page. */
export class PageBounds {
  private cursor: number;
  private received = 0;
  private allowed: number | undefined;

  constructor(
    private readonly since: number,
    private readonly limit: number,
  ) {
    this.cursor = since;
  }

  /** Why the page must not be used (what the server did), or undefined when it may. */
  check(page: PageShape): string | undefined {
    if (page.received > this.limit)
      return `a page of ${page.received} records, above the ${this.limit} asked`;
    // Only a cursor that moved: a server behind our cursor (restored from a backup) answers
    // `next` = `since` above its head, which the pull detects and tells on its own.
    if (page.next > page.head && page.next > this.cursor)
      return `a cursor (${page.next}) beyond its announced head (${page.head})`;
    if (page.more && page.next <= this.cursor) return 'more pages with a cursor that did not move';
    // The first head is the account's size as announced; the pull is allowed that, a margin
    // for pushes made meanwhile, and never more than PULL_MAX_RECORDS.
    this.allowed ??= Math.min(Math.max(page.head - this.since, 0), PULL_MAX_RECORDS) + PULL_MARGIN;
    this.received += page.received;
    if (this.received > this.allowed)
      return `${this.received} records in this pull, far more than the ${Math.max(this.allowed - PULL_MARGIN, 0)} it announced`;
    this.cursor = page.next;
    return undefined;
  }
}
