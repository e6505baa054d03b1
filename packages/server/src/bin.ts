#!/usr/bin/env node
/** The `work-prod` command: serve, migrate, and account/key administration. */
import { Command, InvalidArgumentError } from 'commander';
import type { Storage } from './storage/types.js';
import { VERSION } from './version.js';

const debug = process.argv.includes('--debug');

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InvalidArgumentError('must be a port number (0-65535; 0 picks a free one)');
  return port;
}

/** Opens the configured database (migrated), runs `fn`, closes it, prints its output. */
async function withStorage(
  dbFlag: string | undefined,
  fn: (storage: Storage) => Promise<string>,
): Promise<void> {
  const { resolveDatabase } = await import('./config.js');
  const { openStorage } = await import('./storage/open.js');
  const storage = await openStorage(resolveDatabase(dbFlag));
  try {
    await storage.migrate();
    process.stdout.write(await fn(storage));
  } finally {
    await storage.close();
  }
}

const program = new Command('work-prod')
  .description('work-prod: the registry service dev-infra syncs through')
  .version(VERSION)
  .option('--debug', 'show stack traces on errors')
  .showHelpAfterError();

const dbOption = [
  '--db <FILE|URL>',
  'SQLite file or postgres:// URL (default: DATABASE_URL, WORK_PROD_DB, or $XDG_DATA_HOME/work-prod/work-prod.db)',
] as const;

program
  .command('serve')
  .description('run the HTTP service (migrates the database first)')
  .option('--host <HOST>', 'address to listen on', '127.0.0.1')
  .option('--port <PORT>', 'port to listen on (0: any free port)', parsePort, 5000)
  .option(...dbOption)
  .action(async (opts: { host: string; port: number; db?: string }) => {
    const { resolveDatabase } = await import('./config.js');
    const { serve } = await import('./serve.js');
    await serve(resolveDatabase(opts.db), opts.host, opts.port, opts.db);
  });

program
  .command('migrate')
  .description('bring the database schema up to date, then exit')
  .option(...dbOption)
  .action(async (opts: { db?: string }) => {
    const { describeTarget, resolveDatabase } = await import('./config.js');
    await withStorage(
      opts.db,
      async () => `Database is up to date (${describeTarget(resolveDatabase(opts.db))}).\n`,
    );
  });

const user = program.command('user').description('manage users (accounts)');
user
  .command('add <NAME>')
  .description('add a user')
  .option(...dbOption)
  .action(async (name: string, opts: { db?: string }) => {
    const { userAdd } = await import('./admin/accounts.js');
    await withStorage(opts.db, (s) => userAdd(s, name));
  });
user
  .command('list')
  .description('list users')
  .option('--json', 'print JSON')
  .option(...dbOption)
  .action(async (opts: { db?: string; json?: boolean }) => {
    const { userList } = await import('./admin/accounts.js');
    await withStorage(opts.db, (s) => userList(s, opts.json === true));
  });

const key = program.command('key').description('manage API keys');
key
  .command('create')
  .description('create an API key for a user (printed once)')
  .requiredOption('--user <NAME>', 'the user the key belongs to')
  .option('--label <LABEL>', 'a note to tell keys apart (e.g. the machine)')
  .option('--json', 'print {"key": ...}')
  .option(...dbOption)
  .action(async (opts: { user: string; label?: string; json?: boolean; db?: string }) => {
    const { keyCreate } = await import('./admin/accounts.js');
    await withStorage(opts.db, (s) => keyCreate(s, opts.user, opts.label, opts.json === true));
  });
key
  .command('list')
  .description("list a user's keys (prefixes and labels only)")
  .requiredOption('--user <NAME>', 'the user')
  .option('--json', 'print JSON')
  .option(...dbOption)
  .action(async (opts: { user: string; json?: boolean; db?: string }) => {
    const { keyList } = await import('./admin/accounts.js');
    await withStorage(opts.db, (s) => keyList(s, opts.user, opts.json === true));
  });
key
  .command('revoke <PREFIX>')
  .description('revoke the key with this prefix')
  .option(...dbOption)
  .action(async (prefix: string, opts: { db?: string }) => {
    const { keyRevoke } = await import('./admin/accounts.js');
    await withStorage(opts.db, (s) => keyRevoke(s, prefix));
  });

program.parseAsync().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`work-prod: error: ${message}\n`);
  if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  process.exitCode = 1;
});
