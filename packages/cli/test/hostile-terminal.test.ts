/**
 * Text from another machine or a hostile server, on a real pseudo-terminal (util-linux
 * `script`): every field holds terminal escapes (OSC retitle, CSI clear, C1 CSI, BEL), a bidi
 * override, a tab and a newline, and no command lets one byte of them reach the terminal; each
 * shows escaped (`\x1b`, `\u202e`) instead. JSON output keeps the exact text.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { SyncRecord } from '@dev-infra/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ptyRunner } from '../../../test-support/services.js';
import { removeTempDirs } from '../../../test-support/tmp.js';
import { describeBackends, newAccount } from '../../server/test/helpers.js';
import { CacheStore, cacheFileFor, readCache, readCacheHeader } from '../src/cache/records.js';
import { safeCell } from '../src/output/table.js';
import { BIN, ensureBuilt, machineEnv } from './support/cli.js';
import { machine, ok } from './support/machine.js';
import { useListeningApp } from './sync/listening-app.js';
import { makeOriginAndClone } from './sync/support.js';

const script = ptyRunner();
const quote = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;

/** Retitles the window, clears the screen, colours, a C1 CSI, a bell, a bidi override, tab, newline. */
const EVIL = '\u001b]0;pwned\u0007\u001b[2J\u001b[31m\u009b2J\u202eevil\tcol\nrow';
/** How EVIL shows in a cell. */
const SHOWN = safeCell(EVIL);

/** Runs the built CLI on a pseudo-terminal (not blocking, as work-prod runs in this process). */
function onTerminal(
  home: string,
  args: string[],
  colour: boolean,
): Promise<{ code: number; out: Buffer }> {
  const command = [process.execPath, BIN, ...args].map(quote).join(' ');
  // machineEnv clears NO_COLOR, so it is set after.
  const env = { ...machineEnv(home, { TERM: 'xterm' }), ...(colour ? {} : { NO_COLOR: '1' }) };
  return new Promise((done, fail) => {
    const child = spawn(script!, ['-qec', command, '/dev/null'], { env });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.on('error', fail);
    child.on('close', (code) => done({ code: code ?? -1, out: Buffer.concat(chunks) }));
  });
}

/** The palette's own codes (bold, dim, red, their resets), the only escapes a terminal may get. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching the escape character is the point
const PALETTE = /\u001b\[(1|2|22|31|39)m/g;

/**
 * Asserts no BEL byte, no ESC byte but the palette's (none at all without colour), and no other
 * control or bidi override reaches the terminal.
 */
function expectInert(out: Buffer, colour: boolean): string {
  expect(out.includes(0x07)).toBe(false);
  if (!colour) expect(out.includes(0x1b)).toBe(false);
  const text = out.toString('utf8').replace(/\r\n/g, '\n');
  const bare = text.replace(PALETTE, '');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  expect(bare).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
  return text;
}

afterAll(removeTempDirs);

describeBackends(
  'hostile text on a terminal',
  (backend) => {
    const url = useListeningApp(backend);
    let fake: Server;
    let fakeUrl = '';
    beforeAll(async () => {
      await ensureBuilt();
      // A server whose every answer is an error whose text carries escapes.
      fake = createServer((_req, res) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: `boom ${EVIL}` }));
      });
      await new Promise<void>((r) => fake.listen(0, '127.0.0.1', r));
      fakeUrl = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
    });
    // A work-prod whose machine list names a machine with escapes: the real one refuses such a
    // name, so only a hostile server can send it.
    let machinesFake: Server;
    let machinesUrl = '';
    beforeAll(async () => {
      machinesFake = createServer((req, res) => {
        const body = req.url?.startsWith('/api/health')
          ? { status: 'ok', message: 'work-prod', capabilities: ['sync-v1'] }
          : { machines: [{ id: 'm1', name: `a${EVIL}`, last_sync: null, checkouts: 1 }] };
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      });
      await new Promise<void>((r) => machinesFake.listen(0, '127.0.0.1', r));
      machinesUrl = `http://127.0.0.1:${(machinesFake.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((r) => fake.close(() => r())));
    afterAll(() => new Promise<void>((r) => machinesFake.close(() => r())));

    it.skipIf(script === undefined)(
      'show, list, list --all --long, status --offline, machines and a server error show every escape as text',
      async () => {
        const { key } = await newAccount(backend().storage, 'hostile');
        const [a, b] = [machine(), machine()];
        await ok(a, ['config', 'set', 'machine.name', 'a']);
        await ok(b, ['config', 'set', 'machine.name', 'b']);
        for (const m of [a, b]) await ok(m, ['remote', 'set', url(), '--key', key]);
        makeOriginAndClone(a.root, 'lib', join(a.code, 'lib'));
        await ok(a, ['add', join(a.code, 'lib')]);
        await ok(a, ['sync']);
        await ok(b, ['sync']);

        // This machine's own project, in a folder whose name holds the escapes, its fields
        // hand-edited (or pulled) to hold them too.
        const folder = join(b.code, `loc${EVIL}`);
        mkdirSync(folder);
        await ok(b, ['add', folder, '--name', 'loc']);
        const bRegistry = join(b.home, 'registry.json');
        const reg = JSON.parse(readFileSync(bRegistry, 'utf8')) as {
          projects: Record<string, unknown>[];
        };
        Object.assign(reg.projects[0]!, {
          description: EVIL,
          tags: [EVIL, 'ok'],
          organization: EVIL,
          template: EVIL,
          template_version: EVIL,
          created_at: EVIL,
        });
        writeFileSync(bRegistry, JSON.stringify(reg));

        // The other machine's record as a hostile server's pull would leave it in the cache.
        const file = cacheFileFor(bRegistry);
        const header = readCacheHeader(file)!;
        const record = readCache(file, header.server)!.records[0]!;
        const hostile: SyncRecord = {
          ...record,
          fields: {
            ...record.fields,
            // The name stays valid: a record named with escapes is refused by the cache's
            // reader (hostile-records.test.ts), so it never reaches a command.
            description: EVIL,
            tags: [EVIL],
            organization: EVIL,
            template: EVIL,
            template_version: EVIL,
            created_at: EVIL,
          },
          checkouts: record.checkouts.map((c) => ({
            ...c,
            machine_name: `a${EVIL}`,
            path: `/srv/${EVIL}`,
          })),
        };
        const store = new CacheStore(file, header.server, header.protocol, header.machine);
        store.put(hostile);
        await store.flush(false);

        for (const colour of [false, true]) {
          const show = await onTerminal(b.home, ['show', 'loc'], colour);
          expect(show.code).toBe(0);
          const shown = expectInert(show.out, colour);
          for (const field of ['description', 'organization', 'template', 'created'])
            expect(shown).toMatch(new RegExp(`${field}:.* ${escapeRe(SHOWN)}`));
          expect(shown).toContain(`loc${SHOWN}`);

          const list = expectInert((await onTerminal(b.home, ['list'], colour)).out, colour);
          expect(list).toContain(`loc${SHOWN}`);
          expect(list).toContain(`${SHOWN},ok`);

          const all = expectInert(
            (await onTerminal(b.home, ['list', '--all', '--long'], colour)).out,
            colour,
          );
          expect(all).toContain(`not local (a${SHOWN}:/srv/${SHOWN})`);
          // One header and two rows: no tab or newline broke a row.
          expect(all.trimEnd().split('\n')).toHaveLength(3);

          const status = await onTerminal(b.home, ['status', '--offline'], colour);
          expect(status.code).toBe(0);
          const st = expectInert(status.out, colour);
          expect(st).toContain(`on a${SHOWN}`);
        }

        // The machine list of a hostile server.
        const d = machine();
        await ok(d, ['remote', 'set', machinesUrl, '--key', 'wp_some_key_value', '--no-verify']);
        for (const colour of [false, true]) {
          const machines = await onTerminal(d.home, ['machines'], colour);
          expect(machines.code).toBe(0);
          expect(expectInert(machines.out, colour)).toContain(`a${SHOWN}`);
        }

        // On a pipe the tab-separated lines are escaped the same way (tabs and newlines become
        // spaces), and so are the stored rows `list --all` copies as bytes.
        for (const args of [
          ['list'],
          ['list', '--all'],
          ['list', '--all', '--long'],
          ['status', '--offline'],
        ]) {
          const piped = await ok(b, args);
          for (const ch of ['\u0007', '\u001b', '\u009b', '\u202e'])
            expect(piped, args.join(' ')).not.toContain(ch);
          expect(piped).toContain('\\x1b]0;pwned\\x07');
        }

        // JSON keeps the exact text.
        const json = JSON.parse(await ok(b, ['show', 'loc', '--json'])) as { description: string };
        expect(json.description).toBe(EVIL);

        // A server's error text reaches the terminal escaped, on one line.
        const c = machine();
        await ok(c, ['remote', 'set', fakeUrl, '--key', 'wp_some_key_value', '--no-verify']);
        const failed = await onTerminal(c.home, ['machines'], true);
        expect(failed.code).toBe(1);
        const said = expectInert(failed.out, true);
        expect(said).toContain(`boom ${safeCell(EVIL.replace(/\s+/g, ' '))}`);
        expect(said.trimEnd().split('\n')).toHaveLength(1);
      },
      60_000,
    );
  },
  ['sqlite'],
);

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
