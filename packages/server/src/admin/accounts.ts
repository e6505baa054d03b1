/** `work-prod user ...` and `work-prod key ...`: account and key administration. */
import { UserError } from '../errors.js';
import { generateKey } from '../keys.js';
import type { AccountInfo, AccountStore } from '../storage/types.js';

/** Checks a user (account) name: 1-100 characters, no control characters. */
export function checkUserName(name: string): string {
  const trimmed = name.trim();
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (trimmed.length === 0 || trimmed.length > 100 || /[\u0000-\u001f\u007f]/.test(trimmed))
    throw new UserError('a user name must be 1 to 100 printable characters');
  return trimmed;
}

async function requireUser(storage: AccountStore, name: string): Promise<AccountInfo> {
  const account = await storage.findAccount(name);
  if (!account)
    throw new UserError(`no user named ${JSON.stringify(name)} (see: work-prod user list)`);
  return account;
}

/** Renders rows as aligned columns under a header. */
function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}

/** `user add NAME`. */
export async function userAdd(storage: AccountStore, rawName: string): Promise<string> {
  const name = checkUserName(rawName);
  const created = await storage.createAccount(name);
  if (!created) throw new UserError(`a user named ${JSON.stringify(name)} already exists`);
  return `Created user ${name}. Make a key for it with: work-prod key create --user ${JSON.stringify(name)}\n`;
}

/** `user list`. */
export async function userList(storage: AccountStore, json: boolean): Promise<string> {
  const accounts = await storage.listAccounts();
  if (json)
    return `${JSON.stringify(
      accounts.map(({ id: _id, ...a }) => a),
      null,
      2,
    )}\n`;
  if (accounts.length === 0) return 'No users yet. Add one with: work-prod user add <NAME>\n';
  return table(
    ['NAME', 'KEYS', 'CREATED'],
    accounts.map((a) => [a.name, String(a.active_keys), a.created_at]),
  );
}

/** `key create --user NAME [--label L] [--json]`: the key is shown this once only. */
export async function keyCreate(
  storage: AccountStore,
  user: string,
  label: string | undefined,
  json: boolean,
): Promise<string> {
  const account = await requireUser(storage, user);
  if (label !== undefined && label.length > 200)
    throw new UserError('a key label must be at most 200 characters');
  const { key, stored } = generateKey(label ?? null);
  await storage.addKey(account.id, stored);
  if (json)
    return `${JSON.stringify({ key, prefix: stored.prefix, user: account.name, label: stored.label })}\n`;
  return (
    `API key for ${account.name} (shown only this once; store it now):\n\n  ${key}\n\n` +
    `On each machine: dev-infra remote set <URL> --key ${key}\n` +
    `Revoke it with: work-prod key revoke ${stored.prefix}\n`
  );
}

/** `key list --user NAME`: prefixes and labels, never keys. */
export async function keyList(storage: AccountStore, user: string, json: boolean): Promise<string> {
  const account = await requireUser(storage, user);
  const keys = await storage.listKeys(account.id);
  if (json) return `${JSON.stringify(keys, null, 2)}\n`;
  if (keys.length === 0)
    return `${account.name} has no keys. Make one with: work-prod key create --user ${JSON.stringify(account.name)}\n`;
  return table(
    ['PREFIX', 'LABEL', 'CREATED', 'REVOKED'],
    keys.map((k) => [k.prefix, k.label ?? '', k.created_at, k.revoked_at ?? '']),
  );
}

/** `key revoke PREFIX`. */
export async function keyRevoke(storage: AccountStore, prefix: string): Promise<string> {
  const outcome = await storage.revokeKey(prefix);
  if (outcome === 'not_found')
    throw new UserError(
      `no active key with prefix ${prefix} (see: work-prod key list --user NAME)`,
    );
  if (outcome === 'ambiguous')
    throw new UserError(`several active keys have prefix ${prefix}; nothing was revoked`);
  return `Revoked key ${prefix}. Requests with it now get 401.\n`;
}
