#!/usr/bin/env node
// Runs one mutation scope a part at a time (scripts/mutation-parts.mjs): `npm run mutation:<scope>`,
// or `npm run mutation:<scope> -- <part> ...` for some of its parts. Each part is its own Stryker run
// with its own report (reports/mutation/<scope>-<part>.json) and incremental file, so a run stopped
// midway keeps every part that finished. Stops at the first part that fails.
// Usage: node scripts/mutation.mjs <core|query|frames> [part ...]
import { spawnSync } from 'node:child_process';
import { FOLDERS, partsOf } from './mutation-parts.mjs';

const [scope, ...asked] = process.argv.slice(2);
if (!FOLDERS[scope]) {
  console.error(`usage: node scripts/mutation.mjs <${Object.keys(FOLDERS).join('|')}> [part ...]; got scope "${scope ?? ''}"`);
  process.exit(2);
}
const known = partsOf(scope);
const unknown = asked.filter((p) => !known.includes(p));
if (unknown.length > 0) {
  console.error(`unknown part(s) of ${scope}: ${unknown.join(', ')}; the parts are ${known.join(', ')}`);
  process.exit(2);
}
const parts = asked.length > 0 ? asked : known;
for (const part of parts) {
  console.error(`== mutation ${scope}, part ${part} (${parts.indexOf(part) + 1} of ${parts.length})`);
  const run = spawnSync('npx', ['stryker', 'run'], {
    stdio: 'inherit',
    env: { ...process.env, WASPEND_MUTATION_SCOPE: scope, WASPEND_MUTATION_PART: part },
  });
  if (run.status !== 0) {
    console.error(`mutation ${scope}, part ${part} failed (exit ${run.status ?? run.signal}); the parts before it kept their reports`);
    process.exit(run.status ?? 1);
  }
}
