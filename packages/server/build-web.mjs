// Bundles the dashboard (web/) into dist/web/public/: one ES module, its stylesheet and page.
import { copyFileSync, mkdirSync } from 'node:fs';
import { build } from 'esbuild';

const out = new URL('./dist/web/public/', import.meta.url);
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [new URL('./web/src/main.ts', import.meta.url).pathname],
  outfile: new URL('app.js', out).pathname,
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  legalComments: 'none',
  logLevel: 'warning',
});
for (const file of ['index.html', 'styles.css']) {
  copyFileSync(new URL(`./web/${file}`, import.meta.url), new URL(file, out));
}
