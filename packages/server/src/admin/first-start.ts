/** The first account's name and the notice `work-prod serve` prints when it made it. */
import { checkUserName } from './accounts.js';

export interface FirstAccountName {
  name: string;
  /** Why it has this name, for the notice. */
  origin: string;
}

/** $USER when it is a usable name, else "default" (and the notice says why). */
export function firstAccountName(env: NodeJS.ProcessEnv = process.env): FirstAccountName {
  const user = env.USER;
  if (user === undefined || user.trim() === '')
    return { name: 'default', origin: '$USER is not set' };
  try {
    return { name: checkUserName(user), origin: 'named after $USER' };
  } catch {
    return { name: 'default', origin: '$USER is not a usable name' };
  }
}

/** `value` as one shell word (quoted only when it must be). */
export function shellWord(value: string): string {
  return /^[\w./:@%+=,-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

export interface FirstStartNotice {
  url: string;
  account: FirstAccountName;
  key: string;
  /** What `key create` needs to reach the same database (e.g. ` --db FILE`), or ''. */
  dbArgs: string;
}

const LOOPBACK = /^http:\/\/(127\.\d+\.\d+\.\d+|\[::1\]|localhost)[:/]/;

/** The lines shown once, right after the first account was made. */
export function firstStartNotice({ url, account, key, dbArgs }: FirstStartNotice): string[] {
  const loopback = LOOPBACK.test(url)
    ? [
        'It listens on loopback only: for other machines, start it with --host 0.0.0.0 (or behind a proxy).',
        '',
      ]
    : [];
  return [
    '',
    `Created the first account, ${account.name} (${account.origin}). Its API key is shown only this once:`,
    '',
    `  ${key}`,
    '',
    ...loopback,
    'On each machine, install dev-infra from this server and connect it:',
    '',
    `npm install -g ${url}/install/dev-infra.tgz && dev-infra remote set ${url} --key ${key}`,
    '',
    'Where dev-infra is already installed:',
    '',
    `dev-infra remote set ${url} --key ${key}`,
    '',
    `More keys (one per machine, say): work-prod key create --user ${shellWord(account.name)}${dbArgs}`,
    '',
  ];
}
