/** `dev-infra machines [--json]`: the account's machines, as the server knows them. */
import type { Context } from '../../context.js';
import { UserError } from '../../errors.js';
import { printJson } from '../../output/json.js';
import { renderTable } from '../../output/table.js';
import { loadRegistry } from '../../registry/read.js';
import { detectCapabilities } from '../../remote/capabilities.js';
import { RemoteError } from '../../remote/http.js';
import { SyncClient } from '../../remote/sync-client.js';
import { keyError } from '../../sync/remote-config.js';
import { registrySync } from '../../sync/state.js';

export async function runMachines(ctx: Context, options: { json?: boolean }): Promise<void> {
  const remote = await ctx.remote();
  const settings = remote.require();
  const { registry } = loadRegistry(ctx.paths.registryFile);
  const http = remote.http(settings);
  try {
    const state = registrySync(registry);
    const protocol =
      state?.server === settings.url ? state.protocol : (await detectCapabilities(http)).protocol;
    if (protocol === 'basic')
      throw new UserError('the server does not keep machines (basic mode: an original work-prod)');
    const { machines } = await new SyncClient(http).machines();
    if (options.json) {
      printJson(
        ctx.io,
        machines.map((m) => ({ ...m, this_machine: m.id === registry.machine.id })),
      );
      return;
    }
    // Two machines may share a name (a copied home took a new id and kept its name): those
    // show the start of their id too.
    const names = new Map<string, number>();
    for (const m of machines) names.set(m.name, (names.get(m.name) ?? 0) + 1);
    const label = (m: (typeof machines)[number]) =>
      (names.get(m.name) ?? 0) > 1 ? `${m.name} (${m.id.slice(0, 8)})` : m.name;
    const rows = machines.map((m) => [
      `${label(m)}${m.id === registry.machine.id ? ' (this machine)' : ''}`,
      m.last_sync ?? 'never',
      String(m.checkouts),
    ]);
    ctx.io.out(renderTable(['MACHINE', 'LAST SYNC', 'CHECKOUTS'], rows));
  } catch (error) {
    const refused = keyError(error, settings);
    if (refused) throw refused;
    if (error instanceof RemoteError) throw new UserError(error.message);
    throw error;
  }
}
