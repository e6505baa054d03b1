#!/usr/bin/env node
// Committed launcher: npm links package bins before `prepare` builds dist/, so the bin entry
// must point at a file that exists in a fresh checkout. It only loads the built server.
import { existsSync } from 'node:fs';

const target = new URL('../dist/bin.js', import.meta.url);
if (existsSync(target)) await import(target.href);
else {
  process.stderr.write('work-prod: error: not built: run "npm run build" in its repository\n');
  process.exitCode = 1;
}
