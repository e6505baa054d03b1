/** The admin commands of the real `work-prod` program (built dist), spawned, on both backends. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeBackends, killServers, requireBuilt, runBin, startServer } from './helpers.js';

const get = (url: string, key: string) =>
  fetch(url, { headers: { authorization: `Bearer ${key}` } });

describeBackends('work-prod admin commands', (backend) => {
  const db = () => ['--db', backend().dbArg];
  beforeAll(() => requireBuilt());
  afterAll(() => killServers());

  it('manages users and keys from the command line', async () => {
    const add = await runBin(['user', 'add', 'alice', ...db()]);
    expect(add.code, add.stderr).toBe(0);
    const dup = await runBin(['user', 'add', 'alice', ...db()]);
    expect(dup.code).toBe(1);
    expect(dup.stderr.trim()).toBe('work-prod: error: a user named "alice" already exists');
    const users = await runBin(['user', 'list', ...db()]);
    expect(users.stdout).toMatch(/^alice\s+0\s/m);

    const created = await runBin([
      'key',
      'create',
      '--user',
      'alice',
      '--label',
      'laptop',
      ...db(),
    ]);
    expect(created.code).toBe(0);
    const key = /(wp_[\w-]{43})/.exec(created.stdout)![1]!;
    const listed = await runBin(['key', 'list', '--user', 'alice', ...db()]);
    expect(listed.stdout).not.toContain(key);
    const prefix = key.slice(0, 11);
    expect(listed.stdout).toMatch(new RegExp(`^${prefix}\\s+laptop\\s+\\S+$`, 'm'));

    // With the key cache off, a revocation by another process takes effect at once.
    const server = await startServer(db(), { WORK_PROD_KEY_CACHE_SECONDS: '0' });
    try {
      expect((await get(`${server.url}/api/projects`, key)).status).toBe(200);
      const revoke = await runBin(['key', 'revoke', prefix, ...db()]);
      expect(revoke.code, revoke.stderr).toBe(0);
      expect((await get(`${server.url}/api/projects`, key)).status).toBe(401);
    } finally {
      await server.stop();
    }
    const twice = await runBin(['key', 'revoke', prefix, ...db()]);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain('no active key');
    const revokedList = await runBin(['key', 'list', '--user', 'alice', '--json', ...db()]);
    expect(JSON.parse(revokedList.stdout)[0].revoked_at).toEqual(expect.any(String));

    const nobody = await runBin(['key', 'create', '--user', 'nobody', ...db()]);
    expect(nobody.code).toBe(1);
    expect(nobody.stderr.trim().split('\n')).toHaveLength(1);
    const migrate = await runBin(['migrate', ...db()]);
    expect(migrate.code).toBe(0);
    expect(migrate.stdout).toContain('up to date');
    expect(migrate.stdout).not.toMatch(/:[^@/]*@/); // no password from a URL
  });

  it("refuses a key revoked by the command line once the server's key cache expires", async () => {
    expect((await runBin(['user', 'add', 'bob', ...db()])).code).toBe(0);
    const created = await runBin(['key', 'create', '--user', 'bob', ...db()]);
    const key = /(wp_[\w-]{43})/.exec(created.stdout)![1]!;
    const server = await startServer(db(), { WORK_PROD_KEY_CACHE_SECONDS: '1' });
    try {
      expect((await get(`${server.url}/api/machines`, key)).status).toBe(200);
      expect((await runBin(['key', 'revoke', key.slice(0, 11), ...db()])).code).toBe(0);
      // Accepted for at most the cache's second; then refused for good.
      const deadline = Date.now() + 15_000;
      let status = 200;
      while (status === 200 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
        status = (await get(`${server.url}/api/machines`, key)).status;
      }
      expect(status).toBe(401);
    } finally {
      await server.stop();
    }
  });
});
