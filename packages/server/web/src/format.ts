/** Display helpers: times, remote links, tags. */
import { normaliseRemoteUrl } from '@dev-infra/core';
import { h } from './dom.js';

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
const absolute = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short' });

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

/** "3 days ago" for an ISO time (relative to now). */
export function ago(iso: string, nowMs = Date.now()): string {
  const seconds = (new Date(iso).getTime() - nowMs) / 1000;
  if (Number.isNaN(seconds)) return iso;
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return relative.format(Math.round(seconds / size), unit);
  }
  return 'just now';
}

/** A <time> showing "3 days ago" with the exact time on hover and for screen readers' context. */
export function timeEl(iso: string | null): HTMLElement {
  if (!iso) return h('span', { class: 'muted' }, 'never');
  const date = new Date(iso);
  const exact = Number.isNaN(date.getTime()) ? iso : absolute.format(date);
  return h('time', { datetime: iso, title: exact }, ago(iso));
}

/** The remote as its normal form, linked only when it maps to an http(s) page. */
export function remoteEl(remote: string | null): HTMLElement {
  const normal = normaliseRemoteUrl(remote);
  if (!remote || !normal) return h('span', { class: 'muted' }, '—');
  const host = normal.split('/')[0] ?? '';
  const isHttp = /^https?:\/\//i.test(remote);
  const webLike = !normal.startsWith('file:') && host.includes('.') && normal.includes('/');
  if (!webLike) return h('span', { class: 'remote' }, normal);
  const scheme = /^http:\/\//i.test(remote) && isHttp ? 'http' : 'https';
  return h(
    'a',
    {
      class: 'remote',
      href: `${scheme}://${normal}`,
      rel: 'noopener noreferrer',
      target: '_blank',
    },
    normal,
  );
}

/** Tags as small chips. */
export function tagsEl(tags: string[]): HTMLElement {
  if (tags.length === 0) return h('span', { class: 'muted' }, '—');
  return h(
    'ul',
    { class: 'tags', 'aria-label': 'tags' },
    tags.map((t) => h('li', { class: 'tag' }, t)),
  );
}

/** A status badge. */
export function statusEl(status: string): HTMLElement {
  return h('span', { class: `badge status-${status}` }, status);
}

/** Days after which a machine that has not synced counts as stale. */
export const STALE_DAYS = 30;

/** True when a machine's last sync is older than STALE_DAYS (or never happened). */
export function isStale(lastSync: string | null, nowMs = Date.now()): boolean {
  if (!lastSync) return true;
  return nowMs - new Date(lastSync).getTime() > STALE_DAYS * 24 * 3600 * 1000;
}
