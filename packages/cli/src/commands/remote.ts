/** `dev-infra remote set|show|remove`: which work-prod this machine syncs with. */
import { configValue, readConfig, writeConfigValue } from '../config/file.js';
import { UserError } from '../errors.js';
import { printJson } from '../output/json.js';
import { writeOut } from '../output/stdout.js';
import { resolvePaths } from '../registry/paths.js';
import { loadRegistry } from '../registry/read.js';
import { mutateRegistry } from '../registry/store.js';
import { detectCapabilities, type RemoteProtocol } from '../remote/capabilities.js';
import { RemoteError } from '../remote/http.js';
import {
  checked,
  httpClient,
  keyPrefix,
  NO_REMOTE,
  readRemoteSettings,
} from '../sync/remote-config.js';
import { ensureSync, registrySync } from '../sync/state.js';

/** What the server says about itself (a label to show), or why it could not be asked. */
async function probe(
  url: string,
  apiKey: string | undefined,
): Promise<{ label: string; protocol?: RemoteProtocol }> {
  try {
    const { protocol } = await detectCapabilities(
      httpClient({ url, apiKey, urlFrom: 'config', keyFrom: 'none' }, { short: true }),
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
async function adoptProtocol(url: string, protocol: RemoteProtocol | undefined): Promise<string> {
  const paths = resolvePaths();
  const state = registrySync(loadRegistry(paths.registryFile).registry);
  if (!protocol || state?.server !== url || state.protocol === protocol) return '';
  await mutateRegistry(paths.registryFile, paths.dataDir, (registry) => {
    ensureSync(registry, url, protocol);
  });
  return `The server now speaks ${protocol} (was ${state.protocol}): the next sync matches every project again.\n`;
}

/** Runs `remote set URL [--key KEY]`. */
export async function runRemoteSet(url: string, options: { key?: string }): Promise<void> {
  const paths = resolvePaths();
  const clean = checked(url);
  await writeConfigValue(paths.configFile, paths.configDir, 'remote.url', clean);
  if (options.key !== undefined) {
    const key = options.key.trim();
    if (key === '') throw new UserError('--key must not be empty; leave it out to keep the key');
    await writeConfigValue(paths.configFile, paths.configDir, 'remote.key', key);
  }
  const key =
    options.key?.trim() ??
    (configValue(readConfig(paths.configFile), 'remote.key') as string | undefined);
  const found = await probe(clean, key || undefined);
  writeOut(
    `Remote set to ${clean}${key ? ` (key ${keyPrefix(key)})` : ''}; protocol: ${found.label}\n${await adoptProtocol(clean, found.protocol)}`,
  );
}

/** Runs `remote show`. */
export async function runRemoteShow(options: { json?: boolean }): Promise<void> {
  const settings = readRemoteSettings(resolvePaths());
  if (!settings) {
    if (options.json) printJson({ url: null });
    else writeOut(`${NO_REMOTE}\n`);
    return;
  }
  const protocol = (await probe(settings.url, settings.apiKey)).label;
  const key = settings.apiKey ? keyPrefix(settings.apiKey) : null;
  if (options.json) {
    printJson({
      url: settings.url,
      url_from: settings.urlFrom,
      key,
      key_from: settings.keyFrom,
      protocol,
    });
    return;
  }
  const from = (f: string) => (f === 'env' ? ' (from the environment)' : '');
  writeOut(
    `url:      ${settings.url}${from(settings.urlFrom)}\nkey:      ${key ?? '(none)'}${from(settings.keyFrom)}\nprotocol: ${protocol}\n`,
  );
}

/** Runs `remote remove`: forgets the URL and key (the registry's sync state stays). */
export async function runRemoteRemove(): Promise<void> {
  const paths = resolvePaths();
  await writeConfigValue(paths.configFile, paths.configDir, 'remote.url', null);
  await writeConfigValue(paths.configFile, paths.configDir, 'remote.key', null);
  writeOut('Remote removed; local commands work as before.\n');
}
