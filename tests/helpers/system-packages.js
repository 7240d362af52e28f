// The programs the slow suites (and the bench) need from Debian, how to tell they are there, and the
// one command that installs the missing ones. Shared by scripts/test-all.mjs (which installs them as
// root before the tests) and tests/helpers/prerequisites.ts (which a test asks before it needs one).
const fs = require('node:fs');
const path = require('node:path');

function onPath(name) {
  for (const dir of (process.env.PATH || '/usr/bin:/bin').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, name);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return file;
    } catch {
      // not in this directory
    }
  }
  return null;
}

function postgresBin(name) {
  const base = '/usr/lib/postgresql';
  if (!fs.existsSync(base)) return null;
  const versions = fs
    .readdirSync(base)
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  for (const v of versions) {
    const file = path.join(base, v, 'bin', name);
    if (fs.existsSync(file)) return file;
  }
  return null;
}

/** WASPEND_TEST_WITHOUT=PostgreSQL,Chromium makes these count as missing (to see the skip and CI paths). */
function pretendMissing(name) {
  return (process.env.WASPEND_TEST_WITHOUT || '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .includes(name.toLowerCase());
}

/** name -> { debian: package, what: who needs it, found(): path or null } */
const SYSTEM_PACKAGES = {
  PostgreSQL: {
    debian: 'postgresql',
    what: 'the PostgreSQL store suites (a private cluster is started from initdb/pg_ctl)',
    found: () => process.env.WASPEND_TEST_PG_URL || (postgresBin('initdb') && postgresBin('pg_ctl')) || null,
  },
  Prometheus: {
    debian: 'prometheus',
    what: 'the alerting suites (promtool and a real Prometheus scraping the connector)',
    found: () => (onPath('prometheus') && onPath('promtool')) || null,
  },
  Chromium: {
    debian: 'chromium',
    what: 'the browser suites (the plugin bundle in headless Chromium)',
    found: () => onPath('chromium') || onPath('chromium-browser'),
  },
  wrk: {
    debian: 'wrk',
    what: 'the ingest benchmark (npm run bench)',
    found: () => onPath('wrk'),
  },
  openssl: {
    debian: 'openssl',
    what: 'the report mail TLS suite (a throw-away CA and server certificate)',
    found: () => onPath('openssl'),
  },
};

/** What is missing; `pretended` marks the ones only WASPEND_TEST_WITHOUT hides (nothing to install). */
function missingPackages() {
  return Object.entries(SYSTEM_PACKAGES)
    .filter(([name, p]) => pretendMissing(name) || !p.found())
    .map(([name, p]) => ({ name, debian: p.debian, what: p.what, pretended: pretendMissing(name) && Boolean(p.found()) }));
}

/** The exact command that installs these Debian packages (prefixed with sudo when not root). */
function installCommand(debs) {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const sudo = root ? '' : 'sudo ';
  return `${sudo}apt-get update && ${sudo}env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${debs.join(' ')}`;
}

module.exports = { SYSTEM_PACKAGES, missingPackages, installCommand, postgresBin, pretendMissing };
