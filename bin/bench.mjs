#!/usr/bin/env node
// Runs the TypeScript benchmark harness through tsx (like bin/waspend.mjs), so `npm run bench`
// needs no build step. Prints one JSON object to stdout; progress goes to stderr.
import { createRequire } from 'node:module';
import { register } from 'tsx/cjs/api';

register();
const require = createRequire(import.meta.url);
const { main } = require('../bench/run.ts');
main(process.argv.slice(2)).then(
  (code) => process.exit(code ?? 0),
  (err) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  },
);
