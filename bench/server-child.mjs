// A server process for bench/server.mjs: `bare` (Fastify with one constant route) or
// `work-prod` (the real app over BENCH_DB, rate limit raised). Prints its URL as one JSON line.
import { join } from 'node:path';
import { serverDist } from './lib.mjs';

const mode = process.argv[2];
let app;
if (mode === 'bare') {
  const { default: Fastify } = await import('fastify');
  app = Fastify({ logger: false });
  app.get('/bare', async () => ({ status: 'ok' }));
} else {
  const { openStorage } = await import(join(serverDist, 'storage/open.js'));
  const { resolveDatabase } = await import(join(serverDist, 'config.js'));
  const { buildApp } = await import(join(serverDist, 'app.js'));
  const storage = await openStorage(resolveDatabase(process.env.BENCH_DB));
  // The default is 10,000 per key per minute; the run would hit it in seconds.
  const options = {
    bodyLimit: 16 * 1024 * 1024,
    rateLimit: 1e9,
    logLevel: 'silent',
    trustProxy: false,
  };
  app = await buildApp({ storage, options });
  app.addHook('onClose', async () => storage.close());
}
const url = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`${JSON.stringify({ url })}\n`);
process.on('SIGTERM', async () => {
  await app.close();
  process.exit(0);
});
