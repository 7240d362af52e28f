#!/usr/bin/env node
// Runs bench/what-if-probe.ts through tsx (as bin/bench.mjs runs the whole harness).
import { createRequire } from 'node:module';
import { register } from 'tsx/cjs/api';

register();
const require = createRequire(import.meta.url);
const { main } = require('../bench/what-if-probe.ts');
main(process.argv.slice(2)).then(
  (code) => process.exit(code ?? 0),
  (err) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  },
);
