/** `dev-infra config list|get|set|unset`: this machine's settings. */
import { DEFAULT_SYNC_FREQUENCY, parseSyncFrequency } from '@dev-infra/core';
import { configValue, readConfig, writeConfigValue } from '../../config/file.js';
import { CONFIG_KEYS, type ConfigKey, findConfigKey } from '../../config/keys.js';
import type { Context } from '../../context.js';
import { UserError } from '../../errors.js';
import { printJson } from '../../output/json.js';
import { renderTable } from '../../output/table.js';
import type { DevInfraPaths } from '../../registry/paths.js';
import { loadRegistry } from '../../registry/read.js';
import { mutateRegistry } from '../../registry/store.js';
import { resetNextDue } from '../../sync/background.js';

interface Setting {
  key: string;
  value: string;
  set: boolean;
}

function currentValue(key: ConfigKey, paths: DevInfraPaths): Setting {
  let stored: unknown;
  if (key.store === 'machine') {
    stored = loadRegistry(paths.registryFile).registry.machine.name;
  } else {
    stored = configValue(readConfig(paths.configFile), key.key);
  }
  const set = stored !== undefined && stored !== null && String(stored) !== '';
  const value = set ? String(stored) : key.defaultValue();
  return { key: key.key, value: key.secret && set ? '(set, hidden)' : value, set };
}

async function store(key: ConfigKey, value: string | null, paths: DevInfraPaths): Promise<void> {
  if (key.store === 'machine') {
    await mutateRegistry(paths.registryFile, paths.dataDir, (registry) => {
      registry.machine.name = value;
    });
  } else {
    await writeConfigValue(paths.configFile, paths.configDir, key.key, value);
  }
  // The shell hook reads only the next-due stamp: a new period must reach it.
  if (key.key === 'sync.frequency')
    resetNextDue(paths, parseSyncFrequency(value ?? DEFAULT_SYNC_FREQUENCY) ?? 'off');
}

export function runConfigList(ctx: Context, options: { json?: boolean }): void {
  const paths = ctx.paths;
  const settings = CONFIG_KEYS.map((k) => currentValue(k, paths));
  const { registry, exists } = loadRegistry(paths.registryFile);
  const machineId = exists ? registry.machine.id : null;
  if (options.json) {
    printJson(ctx.io, {
      'machine.id': machineId,
      ...Object.fromEntries(settings.map((s) => [s.key, s.value])),
    });
    return;
  }
  const rows = [
    ['machine.id', machineId ?? '(made on the first change to the registry)', 'read-only'],
    ...settings.map((s) => [s.key, s.value, s.set ? '' : 'default']),
  ];
  ctx.io.out(renderTable(['KEY', 'VALUE', ''], rows));
}

/** Runs `config get KEY`: prints the value in effect. */
export function runConfigGet(ctx: Context, keyName: string): void {
  if (keyName === 'machine.id') {
    const { registry, exists } = loadRegistry(ctx.paths.registryFile);
    ctx.io.out(`${exists ? registry.machine.id : ''}\n`);
    return;
  }
  ctx.io.out(`${currentValue(findConfigKey(keyName), ctx.paths).value}\n`);
}

/** Settings shown by `config` that something else owns, and what sets them. */
const READ_ONLY: Record<string, string> = {
  'machine.id': 'it is made once per machine and names it on the server',
  'remote.url': 'set it with `dev-infra remote set URL`',
  'remote.key': 'set it with `dev-infra remote set URL --key KEY`',
};

/** A writable key, or a UserError saying why this one cannot be changed here. */
function writableKey(keyName: string): ConfigKey {
  const why = READ_ONLY[keyName];
  if (why) throw new UserError(`${keyName} is read-only: ${why}`);
  return findConfigKey(keyName);
}

export async function runConfigSet(ctx: Context, keyName: string, raw: string): Promise<void> {
  const key = writableKey(keyName);
  const value = key.check ? key.check(raw) : raw;
  await store(key, value, ctx.paths);
  ctx.io.out(`Set ${key.key} to ${key.secret ? '(hidden)' : value}\n`);
}

export async function runConfigUnset(ctx: Context, keyName: string): Promise<void> {
  const key = writableKey(keyName);
  await store(key, null, ctx.paths);
  ctx.io.out(`Unset ${key.key} (now ${key.secret ? 'unset' : key.defaultValue()})\n`);
}
