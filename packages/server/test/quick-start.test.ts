/**
 * SLOW (about 2 minutes, far more on a busy machine): the README's quick start on a clean
 * clone of this repository's committed HEAD: `npm ci`, then `npx dev-infra` and `npx work-prod`
 * work at once (their bins are committed launchers, linked before `prepare` builds dist/).
 * It runs in CI (`CI` set) or with TEST_QUICK_START=1; elsewhere it is skipped visibly.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { makeTempDir, removeTempDirs } from '../../../test-support/tmp.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const enabled = Boolean(process.env.CI) || process.env.TEST_QUICK_START === '1';

afterAll(() => removeTempDirs());

if (!enabled) {
  it.skip('quick start on a clean clone (slow: set TEST_QUICK_START=1; CI runs it)', () => {});
} else {
  it('quick start on a clean clone: npm ci, then npx dev-infra and npx work-prod', async () => {
    const clone = join(makeTempDir('dev-infra-clone-'), 'repo');
    await run('git', ['clone', '--quiet', ROOT, clone]);
    // A new user's shell: none of the npm settings of the npm running this test.
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)),
    );
    const inClone = { cwd: clone, env, maxBuffer: 64 * 1024 * 1024 };
    await run('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund'], inClone);
    expect((await run('npx', ['dev-infra', '--version'], inClone)).stdout).toBe('0.1.0\n');
    expect((await run('npx', ['work-prod', '--version'], inClone)).stdout).toBe('0.1.0\n');
    const help = await run('npx', ['work-prod', 'key', 'create', '--help'], inClone);
    expect(help.stdout).toContain('--user <NAME>');
  }, 1_200_000);
}
