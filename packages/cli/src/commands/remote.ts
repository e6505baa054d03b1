/** `dev-infra remote set|show|remove`: which work-prod this machine syncs with. */
import { configValue, readConfig, writeConfigValue } from '../config/file.js';
import { UserError } from '../errors.js';
import { printJson } from '../output/json.js';
import { writeOut } from '../output/stdout.js';
import { resolvePaths } from '../registry/paths.js';
import { detectCapabilities } from '../remote/capabilities.js';
import { RemoteError } from '../remote/http.js';
import {
  checked,
  httpClient,
  keyPrefix,
  NO_REMOTE,
  readRemoteSettings,
} from '../sync/remote-config.js';

/** What the server says about itself, or why it could not be asked. */
async function probe(url: string, apiKey: string | undefined): Promise<string> {
  try {
    const caps = await detectCapabilities(
      httpClient({ url, apiKey, urlFrom: 'config', keyFrom: 'none' }, { short: true }),
    );
    return caps.protocol === 'basic' ? 'basic (original work-prod API)' : caps.protocol;
  } catch (error) {
    if (error instanceof RemoteError) return `unknown (${error.message})`;
    throw error;
  }
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
  const protocol = await probe(clean, key || undefined);
  writeOut(
    `Remote set to ${clean}${key ? ` (key ${keyPrefix(key)})` : ''}; protocol: ${protocol}\n`,
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
  const protocol = await probe(settings.url, settings.apiKey);
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
