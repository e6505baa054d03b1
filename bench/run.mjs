// `npm run bench`: every part in turn, each writing its own section of bench/results.md.
// A part that fails is reported and the others still run; the exit code says if any failed.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { root } from './lib.mjs';

const parts = [
  'cli-list.mjs',
  'sync.mjs',
  'server.mjs',
  'cli-add.mjs',
  'sqlite-durability.mjs',
  'git-state.mjs',
  'hook-latency.mjs',
];
const failed = [];
const start = Date.now();
for (const part of parts) {
  process.stderr.write(`\n== bench/${part}\n`);
  const t = Date.now();
  const r = spawnSync(process.execPath, [join(root, 'bench', part)], { stdio: 'inherit' });
  process.stderr.write(
    `== bench/${part}: ${r.status === 0 ? 'done' : 'FAILED'} in ${((Date.now() - t) / 1000).toFixed(0)} s\n`,
  );
  if (r.status !== 0) failed.push(part);
}
process.stderr.write(
  `\nAll parts in ${((Date.now() - start) / 1000).toFixed(0)} s; results in bench/results.md${failed.length ? `; FAILED: ${failed.join(', ')}` : ''}\n`,
);
process.exitCode = failed.length ? 1 : 0;
