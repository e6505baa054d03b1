/** `dev-infra remote set|show|remove`: which work-prod this machine syncs with. */
import { configValue, readConfig, writeConfigValue } from '../../config/file.js';
import type { Context, Remote } from '../../context.js';
import { UserError } from '../../errors.js';
import { printJson } from '../../output/json.js';
import { loadRegistry } from '../../registry/read.js';
import { mutateRegistry } from '../../registry/store.js';
import { detectCapabilities, type RemoteProtocol } from '../../remote/capabilities.js';
import { RemoteError } from '../../remote/http.js';
import { verifyRemote } from '../../remote/verify.js';
import { checked, keyPrefix, NO_REMOTE } from '../../sync/remote-config.js';
import { ensureSync, registrySync } from '../../sync/state.js';

/** What the server says about itself (a label to show), or why it could not be asked. */
async function probe(
  remote: Remote,
  url: string,
  apiKey: string | undefined,
): Promise<{ label: string; protocol?: RemoteProtocol }> {
  try {
    const { protocol } = await detectCapabilities(
      remote.http({ url, apiKey, urlFrom: 'config', keyFrom: 'none' }, { short: true }),
    );
    return { label: protocol === 'basic' ? 'basic (original work-prod API)' : protocol, protocol };
  } catch (error) {
    if (error instanceof RemoteError) return { label: `unknown (${error.message})` };
    throw error;
  }
}

/**
 * When this server now speaks another protocol than the sync state was made with (it was
 * upgraded, or downgraded), starts the state afresh; returns a line saying so, or ''.
 */
async function adoptProtocol(
  ctx: Context,
  url: string,
  protocol: RemoteProtocol | undefined,
): Promise<string> {
  const paths = ctx.paths;
  const state = registrySync(loadRegistry(paths.registryFile).registry);
  if (!protocol || state?.server !== url || state.protocol === protocol) return '';
  await mutateRegistry(paths.registryFile, paths.dataDir, (registry) => {
    ensureSync(registry, url, protocol);
  });
  return `The server now speaks ${protocol} (was ${state.protocol}): the next sync matches every project again.\n`;
}

export async function runRemoteSet(
  ctx: Context,
  url: string,
  options: { key?: string; verify?: boolean },
): Promise<void> {
  const paths = ctx.paths;
  const clean = checked(url);
  if (options.key !== undefined && options.key.trim() === '')
    throw new UserError('--key must not be empty; leave it out to keep the key');
  const key =
    options.key?.trim() ??
    (configValue(readConfig(paths.configFile), 'remote.key') as string | undefined);
  const remote = await ctx.remote();
  let found: { label: string; protocol?: RemoteProtocol };
  if (options.verify === false) {
    found = await probe(remote, clean, key || undefined);
  } else {
    const http = remote.http(
      { url: clean, apiKey: key || undefined, urlFrom: 'config', keyFrom: 'none' },
      { short: true },
    );
    try {
      const protocol = await verifyRemote(http, key ? keyPrefix(key) : undefined);
      found = {
        label: protocol === 'basic' ? 'basic (original work-prod API)' : protocol,
        protocol,
      };
    } catch (error) {
      if (error instanceof RemoteError) throw new UserError(error.message);
      throw error;
    }
  }
  await writeConfigValue(paths.configFile, paths.configDir, 'remote.url', clean);
  if (options.key !== undefined)
    await writeConfigValue(paths.configFile, paths.configDir, 'remote.key', options.key.trim());
  ctx.io.out(
    `Remote set to ${clean}${key ? ` (key ${keyPrefix(key)})` : ''}; protocol: ${found.label}\n${await adoptProtocol(ctx, clean, found.protocol)}`,
  );
}

export async function runRemoteShow(ctx: Context, options: { json?: boolean }): Promise<void> {
  const remote = await ctx.remote();
  const settings = remote.settings();
  if (!settings) {
    if (options.json) printJson(ctx.io, { url: null });
    else ctx.io.out(`${NO_REMOTE}\n`);
    return;
  }
  const protocol = (await probe(remote, settings.url, settings.apiKey)).label;
  const key = settings.apiKey ? keyPrefix(settings.apiKey) : null;
  if (options.json) {
    printJson(ctx.io, {
      url: settings.url,
      url_from: settings.urlFrom,
      key,
      key_from: settings.keyFrom,
      protocol,
    });
    return;
  }
  const from = (f: string) => (f === 'env' ? ' (from the environment)' : '');
  ctx.io.out(
    `url:      ${settings.url}${from(settings.urlFrom)}\nkey:      ${key ?? '(none)'}${from(settings.keyFrom)}\nprotocol: ${protocol}\n`,
  );
}

/** Runs `remote remove`: forgets the URL and key (the registry's sync state stays). */
export async function runRemoteRemove(ctx: Context): Promise<void> {
  const paths = ctx.paths;
  await writeConfigValue(paths.configFile, paths.configDir, 'remote.url', null);
  await writeConfigValue(paths.configFile, paths.configDir, 'remote.key', null);
  ctx.io.out('Remote removed; local commands work as before.\n');
}
