#!/usr/bin/env node
// Runs the TypeScript CLI directly through tsx, so `npx waspend ...` works from a fresh clone
// without a separate build step.
import { createRequire } from 'node:module';
import { register } from 'tsx/cjs/api';

register();
const require = createRequire(import.meta.url);
const { main } = require('../src/connector/cli/main.ts');
main(process.argv).catch((err) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
