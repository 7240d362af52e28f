#!/usr/bin/env node
// Reads Stryker's JSON reports (reports/mutation/<scope>.json) and prints, as Markdown, the mutation
// score per folder and every surviving or uncovered mutant (file:line, mutator, replacement), so that
// docs/testing.md can list each with why it is equivalent or which test now kills it.
// Usage: node scripts/mutation-summary.mjs [reports/mutation/core.json ...]
import fs from 'node:fs';
import path from 'node:path';

const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);

const files = process.argv.slice(2);
const reports = files.length
  ? files
  : fs
      .readdirSync('reports/mutation')
      .filter((f) => f.endsWith('.json'))
      .map((f) => path.join('reports/mutation', f));
if (reports.length === 0) {
  console.error('no Stryker JSON report found: run `npm run mutation:core`, `mutation:query` or `mutation:frames` first');
  process.exit(2);
}

/** The folder a score is reported for: src/core/<area>, src/connector/query or src/plugin/frames. */
function folderOf(file) {
  const parts = file.split('/');
  return parts[1] === 'core' && parts.length > 3 ? parts.slice(0, 3).join('/') : parts.slice(0, parts.length - 1).join('/');
}

const tally = new Map();
const bump = (key, status) => {
  const t = tally.get(key) ?? { detected: 0, undetected: 0, other: 0 };
  if (DETECTED.has(status)) t.detected += 1;
  else if (UNDETECTED.has(status)) t.undetected += 1;
  else t.other += 1;
  tally.set(key, t);
};
const survivors = [];

/** A report's file name as a path from src/ (a report made in another checkout names its files from there). */
function relativeName(json, file) {
  const fromCwd = path
    .relative(process.cwd(), path.resolve(json.projectRoot ?? process.cwd(), file))
    .split(path.sep)
    .join('/');
  return fromCwd.startsWith('../') && fromCwd.includes('/src/') ? fromCwd.slice(fromCwd.indexOf('/src/') + 1) : fromCwd;
}

// A file in two reports (a scope's old whole-folder report beside its parts, a re-run beside its
// first run) is counted once, from the newest report, and the older one is named.
const newest = new Map();
for (const report of reports) {
  const json = JSON.parse(fs.readFileSync(report, 'utf8'));
  const mtimeMs = fs.statSync(report).mtimeMs;
  for (const [file, { mutants }] of Object.entries(json.files)) {
    const rel = relativeName(json, file);
    const before = newest.get(rel);
    if (before && before.mtimeMs >= mtimeMs) {
      console.error(`${rel}: counted from ${before.report}, not from the older ${report}`);
      continue;
    }
    if (before) console.error(`${rel}: counted from ${report}, not from the older ${before.report}`);
    newest.set(rel, { report, mtimeMs, mutants });
  }
}

for (const [rel, { mutants }] of newest) {
  for (const m of mutants) {
    // src/core gets a total beside its areas; any other folder is its own total (counted once).
    if (rel.startsWith('src/core/')) bump('src/core', m.status);
    bump(folderOf(rel), m.status);
    if (UNDETECTED.has(m.status)) {
      survivors.push({
        file: rel,
        line: m.location.start.line,
        mutator: m.mutatorName,
        replacement: (m.replacement ?? '').replace(/\s+/g, ' ').slice(0, 80),
        status: m.status,
      });
    }
  }
}

const pct = (t) => (t.detected + t.undetected === 0 ? 'n/a' : `${((100 * t.detected) / (t.detected + t.undetected)).toFixed(1)} %`);
console.log('| folder | detected (killed + timeout) | survived + no coverage | score |');
console.log('|---|---:|---:|---:|');
for (const [folder, t] of [...tally].sort(([a], [b]) => a.localeCompare(b)))
  console.log(`| \`${folder}\` | ${t.detected} | ${t.undetected} | ${pct(t)} |`);
console.log('');
console.log('| file:line | mutator | replacement | status |');
console.log('|---|---|---|---|');
for (const s of survivors.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line)) {
  console.log(`| \`${s.file}:${s.line}\` | ${s.mutator} | \`${s.replacement.replace(/\|/g, '\\|').replace(/`/g, "'")}\` | ${s.status} |`);
}
