#!/usr/bin/env node
// Placeholder until the work-prod issue lands.
process.stderr.write('work-prod: the server is not built yet (see the open issues)\n');
process.exitCode = 1;
