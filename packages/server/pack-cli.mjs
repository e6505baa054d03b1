// Packs the CLI built beside this server (packages/cli, already built) into
// dist/install/dev-infra.tgz, which work-prod serves at GET /install/dev-infra.tgz: every
// machine then installs the CLI that matches its server with one `npm install -g URL`.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../cli/', import.meta.url));
const out = fileURLToPath(new URL('./dist/install/', import.meta.url));
if (!existsSync(join(cli, 'dist', 'bin.js'))) {
  process.stderr.write('pack-cli: packages/cli is not built: run "npm run build" at the root\n');
  process.exit(1);
}
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
// The npm running this build when there is one (`npm run build`), else the one on PATH.
const npm = process.env.npm_execpath ? [process.execPath, [process.env.npm_execpath]] : ['npm', []];
const packed = execFileSync(
  npm[0],
  [
    ...npm[1],
    'pack',
    cli,
    '--json',
    '--ignore-scripts',
    '--loglevel=error',
    '--pack-destination',
    out,
  ],
  { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
);
const [{ filename }] = JSON.parse(packed);
renameSync(join(out, filename), join(out, 'dev-infra.tgz'));
