/** A private PostgreSQL cluster for the run (the test helper's), or WASPEND_BENCH_PG_URL if set. */
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { log } from './stats';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const cluster = require('../tests/helpers/postgres-cluster.js') as {
  startCluster(): Promise<{ url: string; dir: string; dataDir: string; port: number } | null>;
  stopCluster(c: unknown): void;
};

export interface BenchPostgres {
  /** URL of a fresh database created for this run. */
  url: string;
  /** The postmaster's pid (first line of postmaster.pid) of the private cluster; null for WASPEND_BENCH_PG_URL. */
  serverPid: number | null;
  stop(): Promise<void>;
}

export async function startPostgres(): Promise<BenchPostgres | null> {
  const given = process.env.WASPEND_BENCH_PG_URL;
  const started = given ? null : await cluster.startCluster();
  const adminUrl = given ?? started?.url;
  if (!adminUrl) return null;
  const name = `waspend_bench_${process.pid}_${Date.now().toString(36)}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  const url = u.toString();
  log(`postgres database ${name} ready`);
  const pidLine = started ? fs.readFileSync(path.join(started.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0] : undefined;
  return {
    url,
    serverPid: pidLine ? Number(pidLine) : null,
    async stop() {
      if (started) {
        cluster.stopCluster(started);
        return;
      }
      const c = new Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
