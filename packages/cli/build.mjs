// Bundles the CLI so that it starts fast and installs with no runtime dependencies:
// - dist/bin.js: the entry point, one CommonJS file (no ES module loader to start) that
//   also holds the `list` code, so a bare `list` reads one file;
// - dist/list-all.js: `list --all` / `--remote-only` alone, required by bin.js (CommonJS too);
// - dist/cli.mjs + dist/chunks/: every other command, ES modules split per command and
//   imported lazily, so each command loads only what it uses.
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { generatePlainChecks } from './scripts/plain-checks.mjs';

const pkg = JSON.parse(await readFile(new URL('./package.json', import.meta.url), 'utf8'));
const outdir = fileURLToPath(new URL('./dist/', import.meta.url));
const corePlainChecks = fileURLToPath(
  new URL('../core/src/schema/plain-checks.ts', import.meta.url),
);

// Core's schemas are TypeScript: bundle the spec with TypeBox's generator to evaluate them here.
async function plainChecksModule() {
  const spec = await build({
    stdin: {
      contents: [
        "export { Code } from 'typebox/compile';",
        `export * from ${JSON.stringify(corePlainChecks.replace(/plain-checks\.ts$/, 'plain-checks-spec.ts'))};`,
      ].join('\n'),
      resolveDir: fileURLToPath(new URL('.', import.meta.url)),
      loader: 'js',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    write: false,
    logLevel: 'warning',
  });
  const m = await import(
    `data:text/javascript;base64,${Buffer.from(spec.outputFiles[0].contents).toString('base64')}`
  );
  return generatePlainChecks(m.Code, m.PLAIN_CHECKS, m.PLAIN_FIELD_FINDERS);
}
const plainChecks = await plainChecksModule();

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  // Core is bundled from its sources, so the CLI build never depends on core's build order.
  alias: { '@dev-infra/core': fileURLToPath(new URL('../core/src/index.ts', import.meta.url)) },
  define: { __VERSION__: JSON.stringify(pkg.version) },
  logLevel: 'warning',
  plugins: [
    {
      // The registry and the remote cache are checked with functions generated from core's
      // schemas at build time, so no bundle loads TypeBox or compiles a schema to read them.
      name: 'plain-checks',
      setup(b) {
        b.onLoad({ filter: /[\\/]core[\\/]src[\\/]schema[\\/]plain-checks\.ts$/ }, (args) =>
          args.path === corePlainChecks ? { contents: plainChecks, loader: 'js' } : undefined,
        );
      },
    },
  ],
};

await rm(outdir, { recursive: true, force: true });
await mkdir(outdir, { recursive: true });
// dist/bin.js is CommonJS inside a "type": "module" package.
await writeFile(`${outdir}package.json`, '{ "type": "commonjs" }\n');

await build({
  ...common,
  entryPoints: { cli: 'src/cli.ts' },
  outdir,
  splitting: true,
  format: 'esm',
  outExtension: { '.js': '.mjs' },
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
});

// `list --all` and `list --remote-only` without other flags: one more CommonJS file that
// bin.js requires, so they skip commander and the ES module loader too.
await build({
  ...common,
  entryPoints: { 'list-all': 'src/commands/list/run-all.ts' },
  outdir,
  format: 'cjs',
});

await build({
  ...common,
  entryPoints: { bin: 'src/bin.ts' },
  outdir,
  format: 'cjs',
  plugins: [
    ...common.plugins,
    {
      name: 'lazy-cli',
      setup(b) {
        // Keep `import('./cli.js')` a real lazy import of the ES module bundle above, and
        // `require('./list-all.js')` a lazy require of the CommonJS one.
        b.onResolve({ filter: /^\.\/cli\.js$/ }, () => ({ path: './cli.mjs', external: true }));
        b.onResolve({ filter: /^\.\/list-all\.js$/ }, () => ({
          path: './list-all.js',
          external: true,
        }));
      },
    },
  ],
});
await chmod(`${outdir}bin.js`, 0o755);
