#!/usr/bin/env node
// The one test command (`npm test`): type check, fast suites, plugin build, then the slow suites
// against the built bundle, a browser, PostgreSQL and Prometheus. Prints one closing line
// "tests: N passed, N failed" summed over every jest run, and exits non-zero on any failure.
//   npm test                 everything
//   npm test -- fast         type check + fast suites only (for the edit loop)
//   npm test -- slow [pat]   build + slow suites (optionally only files matching pat)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const artifacts = path.join(root, 'artifacts');
fs.mkdirSync(artifacts, { recursive: true });
const [mode = 'all', ...rest] = process.argv.slice(2);
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

let passed = 0;
let failed = 0;
const failures = [];

function step(name, cmd, args) {
  process.stdout.write(`\n== ${name}\n`);
  const res = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: process.env });
  if (res.status !== 0) failures.push(`${name} (exit ${res.status ?? res.signal})`);
  return res.status === 0;
}

function jest(name, args) {
  const out = path.join(artifacts, `jest-${name}.json`);
  fs.rmSync(out, { force: true });
  const ok = step(`jest ${name}`, bin('jest'), ['--ci', '--json', `--outputFile=${out}`, ...args]);
  if (fs.existsSync(out)) {
    const report = JSON.parse(fs.readFileSync(out, 'utf8'));
    passed += report.numPassedTests;
    failed += report.numFailedTests;
    // A suite that fails to load has no failed tests but must still fail the run.
    if (report.numFailedTestSuites > 0 && report.numFailedTests === 0) failed += report.numFailedTestSuites;
  } else if (!ok) {
    failed += 1;
  }
}

if (mode === 'all' || mode === 'fast') {
  step('typecheck', bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']);
  jest('fast', []);
}
if (mode === 'all' || mode === 'slow') {
  // The plugin (src/plugin, issue 4) has not landed yet: say so instead of failing on a missing config.
  const hasPlugin = fs.existsSync(path.join(root, 'webpack.config.cjs')) && fs.existsSync(path.join(root, 'src/plugin/module.ts'));
  if (!hasPlugin) console.log('\n== build plugin: not built (src/plugin/module.ts or webpack.config.cjs not present yet)');
  if (!hasPlugin || step('build plugin', 'npm', ['run', '--silent', 'build'])) {
    jest('slow', ['-c', 'jest.slow.config.js', '--passWithNoTests', ...rest]);
  } else {
    failed += 1;
  }
}

if (failures.length) console.log(`\nfailed steps: ${failures.join('; ')}`);
console.log(`\ntests: ${passed} passed, ${failed} failed`);
process.exit(failures.length || failed ? 1 : 0);
