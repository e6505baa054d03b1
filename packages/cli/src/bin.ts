#!/usr/bin/env node
// Placeholder until the CLI issue lands: the real entry point parses commands lazily.
process.stdout.write('dev-infra: not built yet\n');
