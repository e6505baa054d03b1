// Bundles the CLI so that it starts fast (one file to load, commands split into lazily
// imported chunks) and installs with no runtime dependencies on any machine.
import { chmod, readFile, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const pkg = JSON.parse(await readFile(new URL('./package.json', import.meta.url), 'utf8'));
const outdir = new URL('./dist/', import.meta.url).pathname;
await rm(outdir, { recursive: true, force: true });
await build({
  entryPoints: { bin: 'src/bin.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  chunkNames: 'chunks/[name]-[hash]',
  // Bundled CommonJS dependencies call require() for Node built-ins and use __filename.
  banner: {
    js: [
      "import { createRequire as __cr } from 'node:module';",
      "import { fileURLToPath as __fup } from 'node:url';",
      'const require = __cr(import.meta.url);',
      'const __filename = __fup(import.meta.url);',
    ].join(' '),
  },
  // Core is bundled from its sources, so the CLI build never depends on core's build order.
  alias: { '@dev-infra/core': fileURLToPath(new URL('../core/src/index.ts', import.meta.url)) },
  define: { __VERSION__: JSON.stringify(pkg.version) },
  logLevel: 'warning',
});
await chmod(`${outdir}bin.js`, 0o755);
