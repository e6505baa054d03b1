#!/usr/bin/env node
// Committed launcher: npm links package bins before `prepare` builds dist/, so the bin entry
// must point at a file that exists in a fresh checkout. It only loads the bundled CLI (one
// more small file read; the existence check runs only when loading failed).
'use strict';
try {
  require('../dist/bin.js');
} catch (error) {
  if (require('node:fs').existsSync(`${__dirname}/../dist/bin.js`)) throw error;
  process.stderr.write('error: dev-infra is not built: run "npm run build" in its repository\n');
  process.exitCode = 1;
}
