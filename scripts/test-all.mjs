#!/usr/bin/env node
// The one test command (`npm test`), self-sufficient on a fresh Debian machine: it first installs what
// the suites need (npm dependencies when node_modules is missing; as root, Debian's chromium,
// postgresql, prometheus and wrk; as another user it prints the exact command instead), then runs
// lint, the type check, the fast suites, the plugin build and the slow suites (browser, PostgreSQL,
// Prometheus). Every skipped test is listed with its reason; a skip without a reason fails the run,
// and under CI=true a missing prerequisite fails instead of skipping (tests/helpers/prerequisites.ts).
// The last line is always "tests: N passed, N failed, N skipped"; the exit code is non-zero on any
// failed test or step.
//   npm test                 everything
//   npm test -- fast         install check, lint, type check, fast suites (for the edit loop)
//   npm test -- slow [pat]   install check, build, slow suites (optionally only files matching pat)
//   npm test -- install      only the install step (what scripts/install.sh runs)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const require = createRequire(import.meta.url);
const { missingPackages, installCommand } = require('../tests/helpers/system-packages.js');
const artifacts = path.join(root, 'artifacts');
fs.mkdirSync(artifacts, { recursive: true });
const [mode = 'all', ...rest] = process.argv.slice(2);
const MODES = ['all', 'fast', 'slow', 'install'];
if (!MODES.includes(mode)) {
  console.error(`unknown mode "${mode}": use one of ${MODES.join(', ')}`);
  process.exit(2);
}
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const ci = /^(1|true|yes)$/i.test(process.env.CI ?? '');
// The reason a test was skipped is part of its name (tests/helpers/prerequisites.ts, SKIP_MARKER).
const SKIP_MARKER = 'skipped: ';

let passed = 0;
let failed = 0;
const skipped = [];
const failures = [];

function step(name, cmd, args, env = process.env) {
  process.stdout.write(`\n== ${name}\n`);
  const res = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env });
  if (res.status !== 0) failures.push(`${name} (exit ${res.status ?? res.signal ?? res.error?.message})`);
  return res.status === 0;
}

function installNpm() {
  const needed = ['jest', 'tsc', 'eslint', 'prettier', 'webpack', 'tsx'].filter((b) => !fs.existsSync(bin(b)));
  if (needed.length === 0) return true;
  console.log(`\n== npm dependencies: node_modules lacks ${needed.join(', ')}; installing from package-lock.json`);
  // npm ci refuses our lockfile when the registry lacks optional platform binaries of other systems
  // (e.g. @swc/core-darwin-arm64); npm install honours the same exact-pinned lockfile then.
  const ciRun = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (ciRun.status === 0) return true;
  console.log('npm ci failed; falling back to npm install with the committed lockfile');
  return step('npm install', 'npm', ['install', '--no-audit', '--no-fund']);
}

// Test fixtures with packages of their own (the browser test's React 18 / Grafana 12 host page).
function installNested() {
  let ok = true;
  for (const dir of ['tests/browser/host-react18']) {
    const full = path.join(root, dir);
    if (!fs.existsSync(path.join(full, 'package.json')) || fs.existsSync(path.join(full, 'node_modules'))) continue;
    console.log(`\n== npm dependencies of ${dir}: installing from its package-lock.json`);
    const ciRun = spawnSync('npm', ['ci', '--prefix', full, '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
    if (ciRun.status !== 0) ok = step(`npm install --prefix ${dir}`, 'npm', ['install', '--prefix', full, '--no-audit', '--no-fund']) && ok;
  }
  return ok;
}

function installDebian() {
  let missing = missingPackages();
  if (missing.length === 0) return true;
  const debs = missing.filter((m) => !m.pretended).map((m) => m.debian);
  if (isRoot && debs.length > 0) {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    step('apt-get update', 'apt-get', ['update', '-qq'], env);
    step(`apt-get install ${debs.join(' ')}`, 'apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...debs], env);
    missing = missingPackages();
    if (missing.length === 0) return true;
  }
  console.log(`\n== system packages missing: ${missing.map((m) => `${m.name} (${m.what})`).join('; ')}`);
  console.log(`   install them with:\n     ${installCommand(missing.map((m) => m.debian))}`);
  console.log(
    ci
      ? '   CI=true: the suites that need them fail instead of skipping.'
      : '   Without them those suites are skipped, each with this reason (listed at the end).',
  );
  return false;
}

function testName(file, a) {
  return `${path.relative(root, file)}: ${[...(a.ancestorTitles ?? []), a.title].join(' > ')}`;
}

function jest(name, args) {
  const out = path.join(artifacts, `jest-${name}.json`);
  fs.rmSync(out, { force: true });
  const ok = step(`jest ${name}`, bin('jest'), ['--ci', '--json', `--outputFile=${out}`, ...args]);
  if (!fs.existsSync(out)) {
    if (!ok) failed += 1;
    return;
  }
  const report = JSON.parse(fs.readFileSync(out, 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  // A suite that fails to load (e.g. a missing prerequisite under CI=true) has no failed tests but must fail the run.
  if (report.numFailedTestSuites > 0 && report.numFailedTests === 0) failed += report.numFailedTestSuites;
  const filtered = args.some((a) => a === '-t' || a.startsWith('--testNamePattern'));
  for (const suite of report.testResults ?? []) {
    for (const a of suite.assertionResults ?? []) {
      if (a.status !== 'pending' && a.status !== 'skipped' && a.status !== 'todo') continue;
      skipped.push({
        name: testName(suite.name, a),
        reasoned: filtered || a.fullName?.includes(SKIP_MARKER) || a.title.includes(SKIP_MARKER),
      });
    }
  }
}

const installed = [installNpm(), installNested(), installDebian()].every(Boolean);
if (mode === 'install') {
  process.exit(installed ? 0 : 1);
}
if (!installed && ci) failures.push('prerequisites (CI=true: everything the suites need must be installed)');

if (mode === 'all' || mode === 'fast') {
  // ESLint (import boundaries included) and prettier --check: a finding fails the run like a failed test.
  step('lint', 'npm', ['run', '--silent', 'lint']);
  step('typecheck', bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']);
  jest('fast', []);
}
if (mode === 'all' || mode === 'slow') {
  if (step('build plugin', 'npm', ['run', '--silent', 'build'])) {
    jest('slow', ['-c', 'jest.slow.config.js', '--passWithNoTests', ...rest]);
  } else {
    failed += 1;
  }
}

if (skipped.length) {
  console.log(`\nskipped tests (${skipped.length}), each with its reason:`);
  for (const s of skipped) console.log(`  - ${s.name}${s.reasoned ? '' : '   <-- NO REASON GIVEN'}`);
  const silent = skipped.filter((s) => !s.reasoned).length;
  if (silent)
    failures.push(`${silent} test(s) skipped without a reason (use tests/helpers/prerequisites.ts, or put "(skipped: why)" in the name)`);
}
if (failures.length) console.log(`\nfailed steps: ${failures.join('; ')}`);
console.log(`\ntests: ${passed} passed, ${failed} failed, ${skipped.length} skipped`);
process.exit(failures.length || failed ? 1 : 0);
