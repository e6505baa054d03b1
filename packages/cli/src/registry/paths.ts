/** Where dev-infra keeps its files (design section 5). */
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The files of one dev-infra "machine". */
export interface DevInfraPaths {
  configDir: string;
  configFile: string;
  dataDir: string;
  registryFile: string;
}

/**
 * Resolves the config and registry files: `DEV_INFRA_HOME` puts both in one folder; else
 * `$XDG_CONFIG_HOME/dev-infra/config.yml` and `$XDG_DATA_HOME/dev-infra/registry.json`.
 */
export function resolvePaths(
  env: NodeJS.ProcessEnv = process.env,
  home: string = homedir(),
): DevInfraPaths {
  const single = env.DEV_INFRA_HOME;
  if (single) {
    return {
      configDir: single,
      configFile: join(single, 'config.yml'),
      dataDir: single,
      registryFile: join(single, 'registry.json'),
    };
  }
  // XDG says relative values are invalid and must be ignored.
  const xdg = (name: string, fallback: string) => {
    const value = env[name];
    return value?.startsWith('/') ? value : join(home, fallback);
  };
  const configDir = join(xdg('XDG_CONFIG_HOME', '.config'), 'dev-infra');
  const dataDir = join(xdg('XDG_DATA_HOME', '.local/share'), 'dev-infra');
  return {
    configDir,
    configFile: join(configDir, 'config.yml'),
    dataDir,
    registryFile: join(dataDir, 'registry.json'),
  };
}
