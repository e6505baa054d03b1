/**
 * Optional external services for tests (PostgreSQL, a browser, a pseudo-terminal, zsh and fish). On a laptop that lacks one,
 * its tests skip with a visible message; in CI (`DEV_INFRA_REQUIRE_SERVICES=1`, set by
 * `.ci/run`) a missing service fails the run instead, so nothing is skipped silently.
 */

import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import pg from 'pg';

/** True when CI demands every optional service. */
export function servicesRequired(): boolean {
  const v = process.env.DEV_INFRA_REQUIRE_SERVICES;
  return v !== undefined && v !== '' && v !== '0' && v !== 'false';
}

/** Says why a service is missing: throws in CI, else prints a visible skip line. */
function missing(service: string, how: string): void {
  const message = `${service} is not available: ${how}`;
  if (servicesRequired()) {
    throw new Error(`${message} (DEV_INFRA_REQUIRE_SERVICES is set, so this is a failure)`);
  }
  process.stderr.write(`\n  SKIPPED ${service} tests: ${message}\n\n`);
}

/**
 * The admin URL of a PostgreSQL server for tests (`TEST_DATABASE_URL`), or undefined after a
 * visible skip message. The role must be allowed to create databases.
 */
export function postgresAdminUrl(): string | undefined {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) {
    missing('PostgreSQL', 'set TEST_DATABASE_URL=postgres://user:pass@127.0.0.1:5432/db');
    return undefined;
  }
  return url;
}

/** A fresh, empty PostgreSQL database for one test file, and how to drop it. */
export async function createTestDatabase(
  adminUrl: string,
): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `devinfra_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        // FORCE may meet a backend the test role may not end: an autovacuum worker that just
        // started on the database (insufficient_privilege, 42501). It ends on its own within
        // moments, so try again a few times before giving up.
        for (let attempt = 1; ; attempt++) {
          try {
            await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
            break;
          } catch (error) {
            if ((error as { code?: string }).code !== '42501' || attempt >= 20) throw error;
            await new Promise((done) => setTimeout(done, 250));
          }
        }
      } finally {
        await c.end();
      }
    },
  };
}

/** Path of the system Chromium for browser tests, or undefined after a visible skip message. */
export function chromiumPath(): string | undefined {
  const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(path)) {
    missing('Chromium', `no browser at ${path} (apt-get install chromium, or set CHROMIUM_PATH)`);
    return undefined;
  }
  return path;
}

/**
 * util-linux's `script`, which runs a command on a pseudo-terminal (for tests of what a
 * terminal shows), or undefined after a visible skip message.
 */
export function ptyRunner(): string | undefined {
  const r = spawnSync('script', ['--version'], { encoding: 'utf8' });
  if (r.status !== 0 || !r.stdout.includes('util-linux')) {
    missing('pseudo-terminal', "util-linux's `script` is not on PATH (apt-get install bsdutils)");
    return undefined;
  }
  return 'script';
}

/**
 * The path of a shell for completion tests (`zsh`, `fish`), or undefined after a visible skip
 * message.
 */
export function shellPath(shell: 'zsh' | 'fish'): string | undefined {
  const r = spawnSync(shell, ['-c', 'echo ok'], { encoding: 'utf8' });
  if (r.status !== 0 || r.stdout.trim() !== 'ok') {
    missing(shell, `${shell} is not on PATH (apt-get install ${shell})`);
    return undefined;
  }
  return shell;
}
