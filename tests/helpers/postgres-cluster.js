// Starts a throw-away PostgreSQL cluster from Debian's binaries for the test run, so `npm test`
// needs no pre-configured server. Set WASPEND_TEST_PG_URL to use an existing server instead.
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { postgresBin } = require('./system-packages');

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

// initdb and postgres refuse to run as root; run them as the postgres system user then.
function asPgUser(bin, args) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const cmd = isRoot ? 'runuser' : bin;
  const argv = isRoot ? ['-u', 'postgres', '--', bin, ...args] : args;
  const res = spawnSync(cmd, argv, { encoding: 'utf8' });
  if (res.status !== 0) {
    throw new Error(`${path.basename(bin)} ${args.join(' ')} failed: ${res.stderr || res.stdout}`);
  }
  return res.stdout;
}

/**
 * `settings`: more `-c name=value` server settings for this cluster only, e.g. a suite that needs a
 * cluster-wide setting the run's shared cluster must not have (tests/integration/notify-after-commit.test.ts).
 */
async function startCluster(settings = {}) {
  const initdb = postgresBin('initdb');
  const pgCtl = postgresBin('pg_ctl');
  if (!initdb || !pgCtl) return null;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waspend-pg-'));
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot) execFileSync('chown', ['postgres:postgres', dir]);
  const dataDir = path.join(dir, 'data');
  asPgUser(initdb, ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  const extra = Object.entries(settings).map(([name, value]) => ` -c ${name}=${value}`);
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=on -c synchronous_commit=on${extra.join('')}`;
  asPgUser(pgCtl, ['-D', dataDir, '-o', opts, '-l', path.join(dir, 'log'), '-w', '-t', '60', 'start']);
  return { dir, dataDir, port, url: `postgres://postgres@127.0.0.1:${port}/postgres` };
}

function stopCluster(cluster) {
  const pgCtl = postgresBin('pg_ctl');
  if (!cluster || !pgCtl) return;
  try {
    asPgUser(pgCtl, ['-D', cluster.dataDir, '-m', 'immediate', '-w', 'stop']);
  } finally {
    fs.rmSync(cluster.dir, { recursive: true, force: true });
  }
}

module.exports = { startCluster, stopCluster };
