/** `dev-infra machines [--json]`: the account's machines, as the server knows them. */
import { UserError } from '../errors.js';
import { printJson } from '../output/json.js';
import { writeOut } from '../output/stdout.js';
import { renderTable } from '../output/table.js';
import { resolvePaths } from '../registry/paths.js';
import { loadRegistry } from '../registry/read.js';
import { detectCapabilities } from '../remote/capabilities.js';
import { RemoteError } from '../remote/http.js';
import { SyncClient } from '../remote/sync-client.js';
import { httpClient, requireRemote } from '../sync/remote-config.js';
import { registrySync } from '../sync/state.js';

/** Runs `machines`. */
export async function runMachines(options: { json?: boolean }): Promise<void> {
  const paths = resolvePaths();
  const settings = requireRemote(paths);
  const { registry } = loadRegistry(paths.registryFile);
  const http = httpClient(settings);
  try {
    const state = registrySync(registry);
    const protocol =
      state?.server === settings.url ? state.protocol : (await detectCapabilities(http)).protocol;
    if (protocol === 'basic')
      throw new UserError('the server does not keep machines (basic mode: an original work-prod)');
    const { machines } = await new SyncClient(http).machines();
    if (options.json) {
      printJson(machines.map((m) => ({ ...m, this_machine: m.id === registry.machine.id })));
      return;
    }
    const rows = machines.map((m) => [
      `${m.name}${m.id === registry.machine.id ? ' (this machine)' : ''}`,
      m.last_sync ?? 'never',
      String(m.checkouts),
    ]);
    writeOut(renderTable(['MACHINE', 'LAST SYNC', 'CHECKOUTS'], rows));
  } catch (error) {
    if (error instanceof RemoteError) throw new UserError(error.message);
    throw error;
  }
}
