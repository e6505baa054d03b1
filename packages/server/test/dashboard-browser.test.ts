/**
 * The dashboard in a real browser (Debian's chromium driven by playwright-core) against a
 * real work-prod on loopback: sign-in, projects pushed by two machines through sync-v1,
 * search and filters, the project page, an edit reaching the changes feed, a stale edit
 * refused (one save state shown at a time), machines, keyboard use, sign-out, a wrong key.
 * Writes docs/screenshots/*.png.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SharedFields } from '@dev-infra/core';
import BetterSqlite3 from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { chromiumPath } from '../../../test-support/services.js';
import { makeTempDir } from '../../../test-support/tmp.js';
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

const DAY = 24 * 3600 * 1000;
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();

/** Shared fields made 90 days ago and updated 2 days ago, with `over` applied. */
function fields(name: string, over: Partial<SharedFields> = {}): SharedFields {
  return syncFields(name, { created_at: ago(90), updated_at: ago(2), ...over });
}

// Fixed ids and names keep the screenshots identical from run to run.
const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const laptop = { id: uuid(901), name: 'work-laptop' };
const desktop = { id: uuid(902), name: 'desktop' };
const oldBox = { id: uuid(903), name: 'old-box' };
const ids = { api: uuid(1), site: uuid(2), dotfiles: uuid(3), ml: uuid(4), notes: uuid(5) };

const browserPath = chromiumPath();

describeBackends(
  'dashboard in chromium',
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

    /** A JSON call to the real server with the account's key, as a dev-infra machine makes it. */
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
    const push = (machine: typeof laptop, changes: unknown[], checkouts: unknown[] = []) =>
      api('POST', '/api/sync/push', { machine, changes, checkouts });
    const shot = (name: string) => page.screenshot({ path: `${SCREENSHOTS}${name}.png` });
    const rowNames = () => page.locator('table.projects tbody th a').allTextContents();

    beforeAll(async () => {
      mkdirSync(SCREENSHOTS, { recursive: true });
      app = await makeApp(backend().storage);
      base = await app.listen({ port: 0, host: '127.0.0.1' });
      const account = await backend().storage.createAccount('dana');
      const made = generateKey('dashboard test');
      await backend().storage.addKey(account!.id, made.stored);
      key = made.key;
      auth = { authorization: `Bearer ${key}` };

      // Two machines push their projects through sync-v1, as `dev-infra sync push` does.
      await push(
        laptop,
        [
          {
            uuid: ids.api,
            base_rev: 0,
            fields: fields('api-server', {
              description: 'HTTP API of the billing service',
              remote_url: 'git@github.com:acme/api-server.git',
              tags: ['go', 'svc'],
            }),
          },
          {
            uuid: ids.notes,
            base_rev: 0,
            fields: fields('notes', {
              description: 'Personal notes <b>not bold</b>',
              project_type: 'Personal',
              tags: ['writing'],
              updated_at: ago(0.1),
            }),
          },
          {
            uuid: ids.site,
            base_rev: 0,
            fields: fields('old-site', {
              remote_url: 'https://github.com/acme/old-site',
              status: 'paused',
              tags: ['web'],
              updated_at: ago(40),
            }),
          },
        ],
        [
          { uuid: ids.api, path: '/home/dana/code/api-server' },
          { uuid: ids.notes, path: '/home/dana/notes' },
        ],
      );
      await push(
        desktop,
        [
          {
            uuid: ids.dotfiles,
            base_rev: 0,
            fields: fields('dotfiles', {
              description: 'Shell, editor and git configuration',
              remote_url: 'https://github.com/dana/dotfiles.git',
              project_type: 'Personal',
            }),
          },
          {
            uuid: ids.ml,
            base_rev: 0,
            fields: fields('ml-lab', {
              description: 'Experiments with small language models',
              remote_url: 'ssh://git@gitlab.com/dana/ml-lab.git',
              project_type: 'Learning',
              tags: ['python', 'ml'],
            }),
          },
          // Enough projects to page through.
          ...Array.from({ length: 60 }, (_, i) => ({
            uuid: uuid(100 + i),
            base_rev: 0,
            fields: fields(`zz-archive-${String(i).padStart(2, '0')}`, {
              project_type: 'Inactive',
              status: 'completed',
              tags: ['archive'],
            }),
          })),
        ],
        [
          { uuid: ids.api, path: '/Users/dana/src/api-server' },
          { uuid: ids.dotfiles, path: '/Users/dana/dotfiles' },
          { uuid: ids.ml, path: '/Users/dana/src/ml-lab' },
        ],
      );
      await push(oldBox, [], [{ uuid: ids.site, path: '/srv/old-site' }]);
      // old-box last synced long ago (no API sets a past time, so the test edits the file).
      const db = new BetterSqlite3((backend().target as { file: string }).file);
      db.prepare('update machines set last_sync = ? where machine_id = ?').run(ago(45), oldBox.id);
      db.close();

      context = await chromium.launchPersistentContext(makeTempDir('dashboard-chromium-'), {
        executablePath: browserPath,
        headless: true,
        args: BROWSER_ARGS,
        viewport: { width: 1360, height: 860 },
      });
      page = context.pages()[0] ?? (await context.newPage());
    });

    afterAll(async () => {
      await context?.close();
      await app?.close();
    });

    it('refuses a wrong key on the sign-in page', async () => {
      await page.goto(base);
      await expect.poll(() => page.title()).toBe('Sign in · work-prod');
      await page.getByLabel('API key').fill('wp_this-is-not-a-key');
      await page.keyboard.press('Enter');
      await expect.poll(() => page.locator('#sign-in-error').textContent()).toMatch(/not accepted/);
      await shot('sign-in');
      expect(await context.cookies()).toEqual([]);
    });

    it('signs in and shows the projects of both machines, with checkouts', async () => {
      await page.getByLabel('API key').fill(key);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect.poll(() => page.title()).toBe('Projects · work-prod');
      await expect
        .poll(() => page.locator('.summary').textContent())
        .toBe('Showing 1–50 of 65 projects');
      const names = await rowNames();
      expect(names.slice(0, 5)).toEqual(['api-server', 'dotfiles', 'ml-lab', 'notes', 'old-site']);
      const apiRow = page.locator('tr', { has: page.getByRole('link', { name: 'api-server' }) });
      await expect.poll(() => apiRow.textContent()).toContain('/home/dana/code/api-server');
      expect(await apiRow.textContent()).toContain('/Users/dana/src/api-server');
      expect(await apiRow.locator('a.remote').getAttribute('href')).toBe(
        'https://github.com/acme/api-server',
      );
      // User data is text, never markup.
      const notesRow = page.locator('tr', { has: page.getByRole('link', { name: 'notes' }) });
      expect(await notesRow.textContent()).toContain('<b>not bold</b>');
      expect(await notesRow.locator('b').count()).toBe(0);

      const [cookie] = await context.cookies();
      expect(cookie).toMatchObject({ name: 'wp_session', httpOnly: true, sameSite: 'Strict' });
      await shot('projects');

      await page.getByRole('button', { name: 'Next →' }).click();
      await expect
        .poll(() => page.locator('.summary').textContent())
        .toBe('Showing 51–65 of 65 projects');
      expect(page.url()).toContain('page=2');
    });

    it('searches, filters and sorts', async () => {
      await page.goto(`${base}/#/projects`);
      await page.getByLabel('Search', { exact: true }).fill('acme');
      await expect.poll(rowNames).toEqual(['api-server', 'old-site']);
      expect(await page.title()).toBe('Projects matching “acme” · work-prod');
      await page.getByLabel('Search', { exact: true }).fill('');
      await page.getByLabel('Machine', { exact: true }).selectOption({ label: 'desktop' });
      await expect.poll(rowNames).toEqual(['api-server', 'dotfiles', 'ml-lab']);
      await page.getByLabel('Type', { exact: true }).selectOption('Learning');
      await expect.poll(rowNames).toEqual(['ml-lab']);
      await page.getByLabel('Machine', { exact: true }).selectOption('');
      await page.getByLabel('Type', { exact: true }).selectOption('');
      await page.getByLabel('Tag', { exact: true }).selectOption('web');
      await expect.poll(rowNames).toEqual(['old-site']);
      await page.getByLabel('Tag', { exact: true }).selectOption('');
      await page.getByLabel('Status', { exact: true }).selectOption('completed');
      await expect
        .poll(() => page.locator('.summary').textContent())
        .toBe('Showing 1–50 of 60 projects');
      await page.getByLabel('Status', { exact: true }).selectOption('');
      await page.getByLabel('On no machine').check();
      await expect
        .poll(() => page.locator('.summary').textContent())
        .toBe('Showing 1–50 of 60 projects');
      await page.getByLabel('On no machine').uncheck();
      await page.getByLabel('Search', { exact: true }).fill('s');
      // Typing is debounced: wait until the search is in the address before sorting.
      await expect.poll(() => page.url()).toContain('q=s');
      await page.getByRole('button', { name: 'Updated' }).click();
      await expect.poll(async () => (await rowNames())[0]).toBe('old-site');
      await page.getByRole('button', { name: 'Updated' }).click();
      await expect.poll(async () => (await rowNames())[0]).toBe('notes');
      expect(await page.locator('th[aria-sort]').getAttribute('aria-sort')).toBe('descending');
      // The filters live in the URL: a reload keeps them.
      await expect.poll(() => page.url()).toContain('order=desc');
      await page.reload();
      await expect.poll(async () => (await rowNames())[0]).toBe('notes');
      await expect.poll(() => page.getByLabel('Search', { exact: true }).inputValue()).toBe('s');
    });

    it('opens a project, edits its description, and the change reaches the changes feed', async () => {
      const before = await api('GET', '/api/sync/changes?since=0&limit=1');
      await page.goto(`${base}/#/projects?q=ml`);
      await page.getByRole('link', { name: 'ml-lab', exact: true }).click();
      await expect.poll(() => page.title()).toBe('ml-lab · work-prod');
      const main = page.locator('main');
      expect(await main.textContent()).toContain('/Users/dana/src/ml-lab');
      expect(await main.textContent()).toContain('desktop created');
      expect(await main.locator('a.remote').getAttribute('href')).toBe(
        'https://gitlab.com/dana/ml-lab',
      );
      await shot('project');

      await page.getByLabel('Description').fill('Experiments with small models, now with evals');
      await page.getByRole('textbox', { name: 'Tags' }).fill('python, ml, evals');
      await page.getByRole('button', { name: 'Save' }).click();
      await expect.poll(() => page.locator('.message.ok').textContent()).toMatch(/^Saved/);
      expect(await main.textContent()).toContain('dashboard changed description, tags');

      // What the next `dev-infra sync pull` of any machine receives.
      const feed = await api('GET', `/api/sync/changes?since=${before.head}`);
      const record = feed.changes.find((c: { uuid: string }) => c.uuid === ids.ml);
      expect(record.fields.description).toBe('Experiments with small models, now with evals');
      expect(record.fields.tags).toEqual(['evals', 'ml', 'python']);
      const machines = await api('GET', '/api/machines');
      expect(machines.machines.map((m: { name: string }) => m.name)).toEqual([
        'desktop',
        'old-box',
        'work-laptop',
      ]);
    });

    it('refuses an edit made on a stale copy and keeps the other change', async () => {
      await page.goto(`${base}/#/project/${ids.dotfiles}`);
      await expect.poll(() => page.title()).toBe('dotfiles · work-prod');
      // Meanwhile the desktop pushes a change of its own.
      const current = (await api('GET', `/api/dashboard/projects/${ids.dotfiles}`)).project;
      const pushed = await push(desktop, [
        {
          uuid: ids.dotfiles,
          base_rev: current.rev,
          fields: { ...current.fields, description: 'Changed on the desktop' },
        },
      ]);
      expect(pushed.results[0].status).toBe('applied');

      await page.getByLabel('Description').fill('Changed in the browser');
      await page.getByRole('button', { name: 'Save' }).click();
      const message = page.locator('#edit-message');
      await expect
        .poll(() => message.textContent())
        .toMatch(/changed elsewhere since you opened it/);
      expect(await message.getAttribute('role')).toBe('alert');
      const after = (await api('GET', `/api/dashboard/projects/${ids.dotfiles}`)).project;
      expect(after.fields.description).toBe('Changed on the desktop');

      await page.getByRole('button', { name: 'Reload' }).click();
      await expect
        .poll(() => page.getByLabel('Description').inputValue())
        .toBe('Changed on the desktop');
    });

    it('shows one save state at a time: a refusal replaces the earlier "Saved"', async () => {
      await page.goto(`${base}/#/project/${ids.dotfiles}`);
      await expect.poll(() => page.title()).toBe('dotfiles · work-prod');
      await page.getByLabel('Description').fill('Saved once from the browser');
      await page.getByRole('button', { name: 'Save' }).click();
      const main = page.locator('main');
      await expect.poll(() => main.locator('.message.ok').textContent()).toMatch(/^Saved/);

      const current = (await api('GET', `/api/dashboard/projects/${ids.dotfiles}`)).project;
      const pushed = await push(desktop, [
        {
          uuid: ids.dotfiles,
          base_rev: current.rev,
          fields: { ...current.fields, description: 'Changed on the desktop again' },
        },
      ]);
      expect(pushed.results[0].status).toBe('applied');
      await page.getByLabel('Description').fill('Saved twice from the browser');
      await page.getByRole('button', { name: 'Save' }).click();
      await expect
        .poll(() => main.locator('.message').allTextContents())
        .toEqual([expect.stringMatching(/^Not saved: this project was changed elsewhere/)]);
      expect(await main.locator('.message.ok').count()).toBe(0);
    });

    it('shows machines, with the stale one standing out', async () => {
      await page.getByRole('link', { name: 'Machines' }).click();
      await expect.poll(() => page.title()).toBe('Machines · work-prod');
      const rows = page.locator('table.machines tbody tr');
      await expect.poll(() => rows.count()).toBe(3);
      const old = page.locator('tr.stale');
      expect(await old.count()).toBe(1);
      expect(await old.textContent()).toContain('old-box');
      expect(await old.textContent()).toContain('stale');
      const desk = page.locator('tr', { has: page.getByRole('link', { name: 'desktop' }) });
      expect(await desk.locator('td[data-label="Projects"]').textContent()).toBe('3');
      await shot('machines');
      await page.getByRole('link', { name: 'work-laptop' }).click();
      await expect.poll(rowNames).toEqual(['api-server', 'notes']);
    });

    it('works with the keyboard alone', async () => {
      // A navigation inside the page moves focus to the new content.
      await page.goto(`${base}/#/projects`);
      await expect.poll(rowNames).toContain('api-server');
      await expect.poll(() => page.evaluate('document.activeElement?.id')).toBe('main');
      // A fresh load starts at the skip link.
      await page.reload();
      await expect.poll(rowNames).toContain('api-server');
      await page.keyboard.press('Tab');
      expect(await page.evaluate('document.activeElement?.textContent')).toBe('Skip to content');
      await page.keyboard.press('Enter');
      expect(await page.evaluate('document.activeElement?.id')).toBe('main');
      // Tab on to the search field, type, then on to the first project link and open it.
      for (let i = 0; i < 10; i += 1) {
        await page.keyboard.press('Tab');
        if ((await page.evaluate('document.activeElement?.id')) === 'q') break;
      }
      await page.keyboard.type('dotfiles');
      await expect.poll(rowNames).toEqual(['dotfiles']);
      let reached = false;
      for (let i = 0; i < 20 && !reached; i += 1) {
        await page.keyboard.press('Tab');
        reached = (await page.evaluate('document.activeElement?.textContent')) === 'dotfiles';
      }
      expect(reached).toBe(true);
      await page.keyboard.press('Enter');
      await expect.poll(() => page.title()).toBe('dotfiles · work-prod');
    });

    it('fits a phone screen', async () => {
      await page.setViewportSize({ width: 390, height: 844 });
      await page.goto(`${base}/#/projects?q=a&per_page=10`);
      await expect.poll(rowNames).toContain('api-server');
      const overflow = await page.evaluate<number>(
        'document.documentElement.scrollWidth - document.documentElement.clientWidth',
      );
      expect(overflow).toBeLessThanOrEqual(0);
      await page.screenshot({ path: `${SCREENSHOTS}phone-projects.png` });
      await page.goto(`${base}/#/project/${ids.api}`);
      await expect.poll(() => page.title()).toBe('api-server · work-prod');
      await page.screenshot({ path: `${SCREENSHOTS}phone-project.png` });
      await page.setViewportSize({ width: 1360, height: 860 });
    });

    it('signs out: the session is gone and the page asks for a key again', async () => {
      await page.goto(`${base}/#/projects`);
      const [cookie] = await context.cookies();
      await page.getByRole('button', { name: 'Sign out' }).click();
      await expect.poll(() => page.title()).toBe('Sign in · work-prod');
      expect(await context.cookies()).toEqual([]);
      // The old cookie no longer opens anything, even if replayed.
      const replay = await fetch(`${base}/api/dashboard/projects`, {
        headers: { cookie: `wp_session=${cookie!.value}` },
      });
      expect(replay.status).toBe(401);
      await page.goto(`${base}/#/projects`);
      await expect.poll(() => page.title()).toBe('Sign in · work-prod');
    });
  },
  ['sqlite'],
);
