/**
 * The dashboard's "Work in progress" view and the git state on the project page (issue 15),
 * in a real browser (Debian's chromium driven by playwright-core) against a real work-prod on
 * loopback. The states arrive as a machine sends them: sync-v1 pushes from two machines.
 * Checks the grouping by machine, the counts and the age of each report, that clean checkouts
 * and deleted projects stay out, unknown states, and that a hostile branch name is text.
 * Writes docs/screenshots/wip.png and project-git.png.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { chromiumPath } from '../../../test-support/services.js';
import { makeTempDir } from '../../../test-support/tmp.js';
import { sampleGitState } from '../../core/test/fixtures.js';
import { generateKey } from '../src/keys.js';
import { describeBackends, makeApp, syncFields } from './helpers.js';

const SCREENSHOTS = fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url));
const BROWSER_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

const HOUR = 3600 * 1000;
const hoursAgo = (hours: number) => new Date(Date.now() - hours * HOUR).toISOString();

const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const laptop = { id: uuid(901), name: 'work-laptop' };
const desktop = { id: uuid(902), name: 'desktop' };
const ids = {
  api: uuid(1),
  site: uuid(2),
  clean: uuid(3),
  gone: uuid(4),
  hostile: uuid(5),
  huge: uuid(6),
};
const HOSTILE = '<img src=x onerror=alert(1)>';

/** A known state; by default clean, on main, pushed. */
const state = (over: Record<string, unknown> = {}) => ({
  ...sampleGitState({ last_commit_at: hoursAgo(30), taken_at: hoursAgo(2) }),
  ...over,
});

const browserPath = chromiumPath();

describeBackends(
  'work in progress in chromium',
  (backend) => {
    if (!browserPath) {
      it.skip('Chromium is not available (see the SKIPPED line above)', () => {});
      return;
    }
    let app: FastifyInstance;
    let base: string;
    let key: string;
    let auth: Record<string, string>;
    let context: BrowserContext;
    let page: Page;
    const dialogs: string[] = [];

    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary response shapes
      const json = (await res.json()) as any;
      expect(res.status, JSON.stringify(json)).toBe(200);
      return json;
    };
    const push = async (machine: typeof laptop, changes: unknown[], checkouts: unknown[] = []) => {
      const out = await api('POST', '/api/sync/push', { machine, changes, checkouts });
      for (const r of [...out.results, ...out.checkouts])
        expect(r.status, JSON.stringify(r)).toBe('applied');
      return out;
    };
    const shot = (name: string) => page.screenshot({ path: `${SCREENSHOTS}${name}.png` });
    /** Each machine section's heading (the machine name) and its rows' text, in page order. */
    const sections = () =>
      page.locator('section.wip-machine').evaluateAll((els) =>
        els.map((el) => ({
          machine: el.querySelector('h2')?.firstChild?.textContent?.trim(),
          rows: [...el.querySelectorAll('tbody tr')].map((tr) =>
            [...tr.children].map((cell) => (cell.textContent ?? '').trim()),
          ),
        })),
      );

    beforeAll(async () => {
      mkdirSync(SCREENSHOTS, { recursive: true });
      app = await makeApp(backend().storage);
      base = await app.listen({ port: 0, host: '127.0.0.1' });
      const account = await backend().storage.createAccount('dana');
      const made = generateKey('wip test');
      await backend().storage.addKey(account!.id, made.stored);
      key = made.key;
      auth = { authorization: `Bearer ${key}` };

      const create = (id: string, name: string) => ({
        uuid: id,
        base_rev: 0,
        fields: syncFields(name),
      });
      const created = await push(laptop, [
        create(ids.api, 'api-server'),
        create(ids.site, 'web-site'),
        create(ids.clean, 'clean-lib'),
        create(ids.gone, 'gone-project'),
        create(ids.hostile, 'odd-branch'),
        create(ids.huge, 'monorepo'),
      ]);
      // The laptop: unpushed and modified work, a clean checkout, a stash on a project that is
      // then deleted, and a branch name made to look like markup.
      await push(
        laptop,
        [],
        [
          {
            uuid: ids.api,
            path: '/home/dana/api-server',
            git: state({
              branch: 'feature-x',
              upstream: 'origin/feature-x',
              ahead: 3,
              modified: 2,
            }),
          },
          { uuid: ids.clean, path: '/home/dana/clean-lib', git: state() },
          { uuid: ids.gone, path: '/home/dana/gone', git: state({ stashes: 1 }) },
          {
            uuid: ids.hostile,
            path: '/home/dana/odd',
            git: state({ branch: HOSTILE, untracked: 4, taken_at: hoursAgo(5) }),
          },
        ],
      );
      const goneRev = created.results.find((r: { uuid: string }) => r.uuid === ids.gone).rev;
      await push(laptop, [{ uuid: ids.gone, base_rev: goneRev, deleted: true }]);
      // The desktop: a rebase stopped half-way, a repository git could not read in time, and
      // its own clean checkout of api-server.
      await push(
        desktop,
        [],
        [
          {
            uuid: ids.site,
            path: '/Users/dana/web-site',
            git: state({
              branch: null,
              head: 'f00baa1',
              upstream: null,
              ahead: null,
              behind: null,
              operation: 'rebase',
              taken_at: hoursAgo(26),
            }),
          },
          {
            uuid: ids.huge,
            path: '/Users/dana/monorepo',
            git: { unknown: 'timeout', taken_at: hoursAgo(1) },
          },
          { uuid: ids.api, path: '/Users/dana/api-server', git: state({ behind: 2 }) },
        ],
      );

      context = await chromium.launchPersistentContext(makeTempDir('wip-chromium-'), {
        executablePath: browserPath,
        headless: true,
        args: BROWSER_ARGS,
        viewport: { width: 1360, height: 860 },
      });
      page = context.pages()[0] ?? (await context.newPage());
      page.on('dialog', (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      await page.goto(base);
      await page.getByLabel('API key').fill(key);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForFunction("document.title === 'Projects · work-prod'");
    });

    afterAll(async () => {
      await context?.close();
      await app?.close();
    });

    it('lists the unfinished checkouts by machine, with counts and the age of each report', async () => {
      await page.getByRole('link', { name: 'Work in progress' }).click();
      await expect.poll(() => page.title()).toBe('Work in progress · work-prod');
      expect(page.url()).toContain('#/wip');
      expect(
        await page.getByRole('link', { name: 'Work in progress' }).getAttribute('aria-current'),
      ).toBe('page');
      await expect
        .poll(() => page.locator('.summary').textContent())
        .toBe('4 checkouts with work in progress on 2 machines; 2 clean checkouts.');
      // Machines by name; in each, projects by name. Clean checkouts (clean-lib, the desktop's
      // api-server) and the deleted project's stash are not listed.
      expect(await sections()).toEqual([
        {
          machine: 'desktop',
          rows: [
            ['monorepo', '—', 'unknown: git took too long', '(1 hour ago)', '/Users/dana/monorepo'],
            [
              'web-site',
              'detached at f00baa1',
              'rebase in progress',
              '(yesterday)',
              '/Users/dana/web-site',
            ],
          ],
        },
        {
          machine: 'work-laptop',
          rows: [
            [
              'api-server',
              'feature-x',
              '3 unpushed, 2 modified',
              '(2 hours ago)',
              '/home/dana/api-server',
            ],
            ['odd-branch', HOSTILE, '4 untracked', '(5 hours ago)', '/home/dana/odd'],
          ],
        },
      ]);
      await shot('wip');
    });

    it('fits a phone screen', async () => {
      await page.setViewportSize({ width: 390, height: 844 });
      await page.goto(`${base}/#/wip`);
      await expect.poll(() => page.locator('section.wip-machine').count()).toBe(2);
      const overflow = await page.evaluate<number>(
        'document.documentElement.scrollWidth - document.documentElement.clientWidth',
      );
      expect(overflow).toBeLessThanOrEqual(0);
      await page.setViewportSize({ width: 1360, height: 860 });
    });

    it('shows a hostile branch name as text, never as markup', async () => {
      await page.goto(`${base}/#/wip`);
      await expect.poll(() => page.locator('code.branch', { hasText: HOSTILE }).count()).toBe(1);
      expect(await page.locator('main img').count()).toBe(0);
      await page.goto(`${base}/#/project/${ids.hostile}`);
      await expect.poll(() => page.title()).toBe('odd-branch · work-prod');
      await expect.poll(() => page.locator('.checkouts-table').textContent()).toContain(HOSTILE);
      expect(await page.locator('main img').count()).toBe(0);
      expect(dialogs).toEqual([]);
    });

    it("shows each checkout's state on the project page", async () => {
      await page.goto(`${base}/#/projects`);
      await page.getByRole('link', { name: 'api-server' }).click();
      await expect.poll(() => page.title()).toBe('api-server · work-prod');
      const row = (machine: string) =>
        page
          .locator('.checkouts-table tbody tr', { hasText: machine })
          .locator('td[data-label="Git"]');
      await expect
        .poll(() => row('work-laptop').textContent())
        .toBe('feature-x → origin/feature-x 3 unpushed, 2 modified (2 hours ago)');
      expect(await row('desktop').textContent()).toBe(
        'main → origin/main clean, 2 behind (2 hours ago)',
      );
      expect(await row('work-laptop').locator('.git-wip').count()).toBe(1);
      expect(await row('desktop').locator('.git-clean').count()).toBe(1);
      await shot('project-git');

      // Unknown and detached states read as such; a checkout with no state says so.
      await page.goto(`${base}/#/project/${ids.huge}`);
      await expect
        .poll(() => page.locator('td[data-label="Git"]').textContent())
        .toBe('unknown: git took too long (1 hour ago)');
      await page.goto(`${base}/#/project/${ids.site}`);
      await expect
        .poll(() => page.locator('td[data-label="Git"]').textContent())
        .toBe('detached at f00baa1 no upstream rebase in progress (yesterday)');
    });

    it('leaves a checkout out once its work is pushed, and says when nothing is left', async () => {
      await push(laptop, [], [{ uuid: ids.api, path: '/home/dana/api-server', git: state() }]);
      await push(laptop, [], [{ uuid: ids.hostile, path: '/home/dana/odd', git: null }]);
      await push(desktop, [], [{ uuid: ids.site, path: '/Users/dana/web-site', git: state() }]);
      await push(desktop, [], [{ uuid: ids.huge, path: '/Users/dana/monorepo', git: state() }]);
      await page.goto(`${base}/#/wip`);
      await expect
        .poll(() => page.locator('.summary').textContent())
        .toBe('Nothing unfinished on any machine (5 clean checkouts, as last reported).');
      expect(await page.locator('section.wip-machine').count()).toBe(0);
      // The cleared state shows as none on the project page.
      await page.goto(`${base}/#/project/${ids.hostile}`);
      await expect
        .poll(() => page.locator('td[data-label="Git"]').textContent())
        .toBe('not reported');
    });
  },
  ['sqlite'],
);
