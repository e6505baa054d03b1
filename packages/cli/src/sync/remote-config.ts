/**
 * Which work-prod to talk to: `remote.url` and `remote.key` in config.yml, overridden by
 * DEV_INFRA_REMOTE and DEV_INFRA_API_KEY; timeouts from DEV_INFRA_CONNECT_TIMEOUT and
 * DEV_INFRA_TIMEOUT (seconds). The key is only ever shown as a prefix.
 */
import { configValue, readConfig } from '../config/file.js';
import { UserError } from '../errors.js';
import type { DevInfraPaths } from '../registry/paths.js';
import { checkRemoteUrl, HttpClient, RemoteError, type RemoteOptions } from '../remote/http.js';

/** The remote in effect, and where each part came from. */
export interface RemoteSettings {
  url: string;
  apiKey: string | undefined;
  urlFrom: 'env' | 'config';
  keyFrom: 'env' | 'config' | 'none';
}

/** The work-prod this machine syncs with (config.yml, overridden by the environment). */
export interface Remote {
  /** Undefined when no remote is set. */
  settings(): RemoteSettings | undefined;
  /** The settings, or a UserError saying how to set a remote. */
  require(): RemoteSettings;
  /** `short` is for read-only checks such as `status` (5 s at most, no retries). */
  http(settings: RemoteSettings, options?: { short?: boolean }): HttpClient;
}

const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;

/** The configured remote, or undefined when none is set. */
export function readRemoteSettings(
  paths: DevInfraPaths,
  env: NodeJS.ProcessEnv = process.env,
): RemoteSettings | undefined {
  const doc = readConfig(paths.configFile);
  const envUrl = str(env.DEV_INFRA_REMOTE);
  const url = envUrl ?? str(configValue(doc, 'remote.url'));
  if (!url) return undefined;
  const envKey = str(env.DEV_INFRA_API_KEY);
  const key = envKey ?? str(configValue(doc, 'remote.key'));
  return {
    url: checked(url, envUrl ? 'env' : 'config'),
    apiKey: key,
    urlFrom: envUrl ? 'env' : 'config',
    keyFrom: envKey ? 'env' : key ? 'config' : 'none',
  };
}

/**
 * The URL checked and without trailing slashes; a UserError when it is not one, or when it
 * carries user info: a password in the URL would be printed by `remote show` and stored in
 * config.yml, the registry and the cache header, so the key must come through --key instead.
 */
export function checked(url: string, from: 'env' | 'config' = 'config'): string {
  refuseCredentials(url, from);
  try {
    return checkRemoteUrl(url);
  } catch (error) {
    throw new UserError(error instanceof RemoteError ? error.message : String(error));
  }
}

/**
 * Throws when `url` has user info, naming it without: checked before any other message, since
 * those show the URL and a password holding `@` or `/` would defeat their redaction.
 */
function refuseCredentials(url: string, from: 'env' | 'config'): void {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return; // not a URL at all: checkRemoteUrl says so
  }
  if (parsed.username === '' && parsed.password === '') return;
  // Only the URL without its user info is shown: the user name is often the token itself. An
  // `@` after the host means a password held a `/` (the URL ends the user info there), so the
  // rest may be secret too: then the URL is not echoed at all.
  const shown = parsed.pathname.includes('@')
    ? `${parsed.protocol}//<host>`
    : `${parsed.protocol}//${parsed.host}${parsed.pathname}`.replace(/\/+$/, '');
  throw new UserError(
    from === 'env'
      ? `the work-prod URL in DEV_INFRA_REMOTE must not contain credentials; use: DEV_INFRA_REMOTE=${shown} with DEV_INFRA_API_KEY=<KEY>`
      : `the work-prod URL must not contain credentials; use: dev-infra remote set ${shown} --key <KEY>`,
  );
}

/** The one line every network command prints when no remote is set. */
export const NO_REMOTE =
  'no work-prod server is set: run `dev-infra remote set <URL> [--key KEY]` (or set DEV_INFRA_REMOTE)';

/** Characters of work-prod's prefix of a key ("wp_" and 8), which `work-prod key list` shows. */
const SERVER_PREFIX = 11;

/**
 * A key shown as its first characters only: as many as work-prod itself shows, so the user can
 * tell which key it is; a key too short to spare them shows a third at most.
 */
export function keyPrefix(key: string): string {
  const shown =
    key.length >= SERVER_PREFIX * 3 ? SERVER_PREFIX : Math.min(8, Math.floor(key.length / 3));
  return `${key.slice(0, shown)}…`;
}

/**
 * The one error of a command whose key work-prod refused (or that needs one): never "offline",
 * since the network is fine and only a new key helps. Undefined for any other failure.
 */
export function keyError(error: unknown, settings: RemoteSettings): UserError | undefined {
  if (!(error instanceof RemoteError) || error.kind !== 'auth') return undefined;
  if (!settings.apiKey) return new UserError(error.message);
  return new UserError(
    `work-prod refused the API key ${keyPrefix(settings.apiKey)} (${error.status}): set a new one with dev-infra remote set ${settings.url} --key <KEY>`,
  );
}

function seconds(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new UserError(`timeout must be a positive number of seconds (got "${value}")`);
  return Math.round(n * 1000);
}

/** An HTTP client for the remote; `short` is for read-only checks such as `status`. */
export function httpClient(
  settings: RemoteSettings,
  options: { short?: boolean } = {},
  env: NodeJS.ProcessEnv = process.env,
): HttpClient {
  const opts: RemoteOptions = { url: settings.url, apiKey: settings.apiKey };
  const connect = seconds(env.DEV_INFRA_CONNECT_TIMEOUT);
  const overall = seconds(env.DEV_INFRA_TIMEOUT);
  if (connect !== undefined) opts.connectTimeoutMs = connect;
  if (overall !== undefined) opts.timeoutMs = overall;
  if (options.short) {
    opts.timeoutMs = Math.min(opts.timeoutMs ?? 5_000, 5_000);
    opts.retries = 0;
  }
  return new HttpClient(opts);
}

/** The remote as a command's context offers it, read from these files and this environment. */
export function remoteFor(paths: DevInfraPaths, env: NodeJS.ProcessEnv): Remote {
  return {
    settings: () => readRemoteSettings(paths, env),
    require: () => {
      const settings = readRemoteSettings(paths, env);
      if (!settings) throw new UserError(NO_REMOTE);
      return settings;
    },
    http: (settings, options = {}) => httpClient(settings, options, env),
  };
}
