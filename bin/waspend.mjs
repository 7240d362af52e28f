#!/usr/bin/env node
// Runs the TypeScript CLI directly through tsx, so `npx waspend ...` works from a fresh clone
// without a separate build step.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { register } from 'tsx/cjs/api';

const entry = new URL('../src/connector/cli/main.ts', import.meta.url);
if (!fs.existsSync(entry)) {
  console.error(
    'waspend: the connector CLI (src/connector/cli/main.ts, issue 3) is not built yet; `npm start` runs the core demo summary.',
  );
  process.exit(2);
}
register();
const require = createRequire(import.meta.url);
const { main } = require(entry.pathname);
main(process.argv).catch((err) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
