/**
 * `npm run bench [-- --scale tiny|small|medium|full] [--only <sections>]` (the sections: options.ts SECTIONS)
 * Prints one JSON object to stdout and writes it to bench/results.json; progress goes to stderr.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeBenchConfig } from './bench-config';
import { ROOT, connectorAvailable } from './connector-process';
import { wrkInstalled } from './load/wrk';
import { describeMachine } from './machine';
import { parseOptions, type Options } from './options';
import { startPostgres } from './postgres';
import {
  commitBound,
  measureBackend,
  measureCeiling,
  measureCommitFloor,
  measureHmacUs,
  sqliteUrl,
  INGEST_TARGET,
  type IngestBackend,
} from './sections/ingest';
import { QUERIES_TARGET, QUERY_PEAK, measureQueries, type EngineQueries, type QueriesResult } from './sections/queries';
import { WEBHOOK_UNDER_LOAD_TARGET } from './sections/webhook-under-load';
import { QUERY_LAYER_TARGET, measureQueryLayer } from './sections/query-layer';
import { REPRICE_TARGET, measureReprice, repriceSectionMet } from './sections/repricing';
import { REPLICAS_TARGET, measureReplicas } from './sections/replicas';
import { log } from './stats';
import { reuseStore } from './reused-store';
import { buildWabas } from './webhook-bodies';
import {
  MEMORY_TARGET,
  UNIQUE_CONTACTS_TARGET,
  VISIBLE_TARGET,
  ceilingShare,
  ingestMet,
  memoryMet,
  pluginQueryMet,
  queriesMet,
} from './targets';

type Section = Record<string, unknown> & { target: Record<string, unknown>; met: boolean; durationMs: number };

async function timed(
  name: string,
  target: Record<string, unknown>,
  body: () => Promise<Record<string, unknown> & { met: boolean }>,
): Promise<Section> {
  const t0 = Date.now();
  log(`== ${name}`);
  try {
    const result = await body();
    return { target, ...result, durationMs: Date.now() - t0 };
  } catch (err) {
    log(`${name} failed: ${(err as Error).message}`);
    return { target, met: false, error: (err as Error).message.slice(0, 2000), durationMs: Date.now() - t0 };
  }
}

const skipped = (target: Record<string, unknown>, why: string): Section => ({ target, met: false, unavailable: why, durationMs: 0 });

/**
 * A figure each engine's query store measured (`queries.<engine>[key]`) as a section of its own: met
 * when SQLite measured it and every engine that measured it met its target.
 */
function perEngineSection(
  qr: QueriesResult | null,
  key: 'uniqueContacts30d' | 'webhookToVisible',
  target: Record<string, unknown>,
): Section {
  if (!qr) return skipped(target, 'no query store was built');
  const of = (e: QueriesResult['sqlite'] | QueriesResult['postgres']) =>
    'queries' in e ? e[key] : 'unavailable' in e ? { unavailable: e.unavailable } : { error: e.error };
  const measured = [qr.sqlite, qr.postgres].filter((e): e is EngineQueries => 'queries' in e).map((e) => e[key]);
  return {
    target,
    met: 'met' in qr.sqlite[key] && measured.every((f) => 'met' in f && f.met),
    sqlite: of(qr.sqlite),
    postgres: of(qr.postgres),
    durationMs: 0,
  };
}
/** Which path built the query store (`--build`, else the scale's default), and each engine's build rate. */
function buildRecord(opts: Options, qr: QueriesResult | null): Record<string, unknown> {
  const of = (e: QueriesResult['sqlite'] | QueriesResult['postgres'] | undefined) => {
    if (!e) return { unavailable: 'no query store was built' };
    if (!('store' in e)) return 'unavailable' in e ? { unavailable: e.unavailable } : { error: e.error };
    const { events, calls, inbound, tierAnnouncements, requests, eventsPerSec, seconds } = e.store;
    return { events, calls, inbound, tierAnnouncements, requests, eventsPerSec, seconds };
  };
  return {
    path: opts.build,
    default: opts.build === opts.scale.build,
    // The SQLite store came from an earlier run (--reuse-store): its build was not timed by this one.
    ...(opts.reuseStore ? { sqliteReusedFrom: opts.reuseStore } : {}),
    sqlite: of(qr?.sqlite),
    postgres: of(qr?.postgres),
  };
}

const NO_CONNECTOR = 'the connector CLI (src/connector/cli/main.ts) does not exist in this tree yet';

async function runIngest(opts: Options, dir: string, config: string, peaks: Record<string, number | null>) {
  if (!wrkInstalled()) throw new Error('wrk is not installed (scripts/install.sh installs it)');
  const ceiling = await measureCeiling(dir, opts.scale);
  const hmacUsPerBody = measureHmacUs();
  const commitFloor = measureCommitFloor(dir);
  if (!connectorAvailable()) return { met: false, unavailable: NO_CONNECTOR, ceiling, hmacUsPerBody };
  const backends: IngestBackend[] = [];
  let postgresError: string | undefined;
  const sqlite = await measureBackend(sqliteUrl(dir, 'ingest.sqlite'), 'sqlite', config, dir, opts.scale, [1, 10]);
  backends.push(...sqlite);
  peaks.ingestSqlite = sqlite[0]?.peakRssMb ?? null;
  if (!opts.noPostgres) {
    // A PostgreSQL failure is reported next to the SQLite figures instead of discarding them.
    try {
      const pg = await startPostgres();
      if (!pg) postgresError = 'no PostgreSQL binaries (initdb/pg_ctl) found';
      else {
        try {
          const pgRes = await measureBackend(pg.url, 'postgres', config, dir, opts.scale, [1]);
          backends.push(...pgRes);
          peaks.ingestPostgres = pgRes[0]?.peakRssMb ?? null;
        } finally {
          await pg.stop();
        }
      }
    } catch (err) {
      postgresError = (err as Error).message.slice(0, 1500);
    }
  }
  const headline = backends.find((b) => b.backend === 'sqlite' && b.statusesPerBody === 1) as IngestBackend;
  const clean = backends.every((b) => b.runs.every((r) => r.non2xx === 0 && r.socketErrors === 0));
  return {
    met: ingestMet(headline, ceiling.eventsPerSec, clean),
    headline: {
      backend: 'sqlite',
      statusesPerBody: 1,
      eventsPerSec: headline.eventsPerSec,
      ceilingEventsPerSec: ceiling.eventsPerSec,
      ceilingShare: ceilingShare(headline.eventsPerSec, ceiling.eventsPerSec),
      reqPerSec: headline.reqPerSec,
      p50Ms: headline.p50Ms,
      p99Ms: headline.p99Ms,
      cpuUsPerEvent: headline.cpuUsPerEvent,
    },
    // One FULL-sync WAL commit in the store's directory, measured beside the runs, and the rate it allows at this concurrency.
    commitFloor: {
      ...commitFloor,
      connections: opts.scale.connections,
      boundEventsPerSec: commitBound(commitFloor, opts.scale.connections, 1),
    },
    backends,
    ...(postgresError ? { postgresError } : {}),
    ceiling,
    hmacUsPerBody,
  };
}

export async function main(argv: string[]): Promise<number> {
  const opts = parseOptions(argv, path.join(ROOT, 'bench', 'results.json'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waspend-bench-'));
  const started = Date.now();
  const endSec = Math.floor(Date.UTC(2026, 10, 20) / 1000);
  const config = writeBenchConfig(dir, opts.scale.phones);
  log(`scale ${opts.scale.name}, work dir ${dir}`);
  const machine = describeMachine(dir);
  const peaks: Record<string, number | null> = { ingestSqlite: null, ingestPostgres: null, queriesSqlite: null, queriesPostgres: null };
  let queriesResult: QueriesResult | null = null;
  const want = (s: string) => opts.only.has(s as never);
  const out: Record<string, unknown> = { scale: opts.scale.name, startedAt: new Date(started).toISOString(), machine };

  try {
    out.ingest = want('ingest')
      ? await timed('ingest', { ...INGEST_TARGET }, () => runIngest(opts, dir, config, peaks))
      : skipped({ ...INGEST_TARGET }, 'not selected (--only)');

    // `--only repricing --reuse-store FILE` re-prices a kept store without timing its panels again.
    const repricingAlone =
      opts.reuseStore !== null && !['queries', 'webhookUnderLoad', 'uniqueContacts', 'webhookToVisible', 'memory'].some(want);
    const needStore =
      ['queries', 'webhookUnderLoad', 'uniqueContacts', 'webhookToVisible', 'repricing', 'memory'].some(want) && !repricingAlone;
    out.queries = !needStore
      ? skipped({ ...QUERIES_TARGET }, 'not selected (--only)')
      : !connectorAvailable()
        ? skipped({ ...QUERIES_TARGET }, NO_CONNECTOR)
        : await timed('queries', { ...QUERIES_TARGET, messages: opts.scale.messages }, async () => {
            queriesResult = await measureQueries(
              dir,
              config,
              opts.scale,
              endSec,
              () => (opts.noPostgres ? Promise.resolve(null) : startPostgres()),
              opts.build,
              opts.reuseStore,
            );
            peaks.queriesSqlite = QUERY_PEAK.sqlite;
            peaks.queriesPostgres = QUERY_PEAK.postgres;
            const engines = [queriesResult.sqlite, queriesResult.postgres].filter((e): e is EngineQueries => 'queries' in e);
            // A panel that was not measured fails the section: it has no number to meet the target with.
            const met = queriesMet(queriesResult.builderCheck.identical, engines);
            return { met, atTargetScale: opts.scale.messages >= QUERIES_TARGET.messages, ...queriesResult };
          });

    out.build = buildRecord(opts, queriesResult as QueriesResult | null);

    const underLoad = (e: QueriesResult['sqlite'] | QueriesResult['postgres']) =>
      'webhookUnderLoad' in e ? e.webhookUnderLoad : 'unavailable' in e ? { unavailable: e.unavailable } : { error: e.error };
    const inThreadLoad = (e: QueriesResult['sqlite'] | QueriesResult['postgres']) =>
      'webhookUnderLoadInThread' in e
        ? e.webhookUnderLoadInThread
        : 'unavailable' in e
          ? { unavailable: e.unavailable }
          : { error: e.error };
    const qrLoad = queriesResult as QueriesResult | null;
    out.webhookUnderLoad = !qrLoad
      ? skipped({ ...WEBHOOK_UNDER_LOAD_TARGET }, 'no query store was built')
      : {
          target: { ...WEBHOOK_UNDER_LOAD_TARGET },
          met:
            [qrLoad.sqlite, qrLoad.postgres].every(
              (e) => !('webhookUnderLoad' in e) || ('met' in e.webhookUnderLoad && e.webhookUnderLoad.met),
            ) && 'met' in qrLoad.sqlite.webhookUnderLoad,
          sqlite: underLoad(qrLoad.sqlite),
          postgres: underLoad(qrLoad.postgres),
          // The A/B in the same run: the same loops against a connector with query.worker: false.
          inThread: { sqlite: inThreadLoad(qrLoad.sqlite), postgres: inThreadLoad(qrLoad.postgres) },
          durationMs: 0,
        };

    out.uniqueContacts = perEngineSection(qrLoad, 'uniqueContacts30d', { ...UNIQUE_CONTACTS_TARGET });
    out.webhookToVisible = perEngineSection(qrLoad, 'webhookToVisible', { ...VISIBLE_TARGET });

    out.queryLayer = want('queryLayer')
      ? await timed('queryLayer', { ...QUERY_LAYER_TARGET }, async () => {
          const r = await measureQueryLayer(opts.scale);
          const largest = qrLoad?.sqlite.pluginOnLargest ?? { unavailable: 'no query store was built (select queries)' };
          return { met: 'medianMs' in largest && pluginQueryMet(largest), largestDashboardResponse: largest, ...r };
        })
      : skipped({ ...QUERY_LAYER_TARGET }, 'not selected (--only)');

    const memTarget = { ...MEMORY_TARGET };
    const measured = Object.values(peaks).filter((v): v is number => typeof v === 'number');
    out.memory =
      measured.length === 0
        ? skipped(memTarget, connectorAvailable() ? 'no connector process ran (select ingest or queries)' : NO_CONNECTOR)
        : {
            target: memTarget,
            met: memoryMet(Object.values(peaks)),
            peakRssMb: Math.max(...measured),
            byPhase: peaks,
            messagesInStore: (queriesResult as QueriesResult | null)?.sqlite.store.messages ?? 0,
            atTargetScale: ((queriesResult as QueriesResult | null)?.sqlite.store.messages ?? 0) >= memTarget.messages,
            durationMs: 0,
          };

    const qr = queriesResult as QueriesResult | null;
    out.repricing = !want('repricing')
      ? skipped({ ...REPRICE_TARGET }, 'not selected (--only)')
      : !connectorAvailable()
        ? skipped({ ...REPRICE_TARGET }, NO_CONNECTOR)
        : !qr && !repricingAlone
          ? skipped({ ...REPRICE_TARGET }, 'no query store was built')
          : await timed('repricing', { ...REPRICE_TARGET }, async () => {
              const file = path.join(dir, 'queries.sqlite');
              const messages = qr ? qr.sqlite.store.messages : reuseStore(opts.reuseStore as string, file, opts.scale).messages;
              const r = await measureReprice({
                file,
                config,
                messages,
                endSec,
                waba: buildWabas(opts.scale.phones)[0]!,
                capSeconds: opts.scale.repriceCapSeconds,
              });
              return { met: repriceSectionMet(r), atTargetScale: r.messages >= QUERIES_TARGET.messages, ...r };
            });

    out.replicas = !want('replicas')
      ? skipped({ ...REPLICAS_TARGET }, 'not selected (--only)')
      : opts.noPostgres
        ? skipped({ ...REPLICAS_TARGET }, '--no-postgres: two connectors share one PostgreSQL database (SQLite is one replica per file)')
        : !connectorAvailable()
          ? skipped({ ...REPLICAS_TARGET }, NO_CONNECTOR)
          : !wrkInstalled()
            ? skipped({ ...REPLICAS_TARGET }, 'wrk is not installed (scripts/install.sh installs it)')
            : await timed('replicas', { ...REPLICAS_TARGET }, async () => {
                const pg = await startPostgres();
                if (!pg) return { met: false, unavailable: 'no PostgreSQL binaries (initdb/pg_ctl) found' };
                try {
                  return { ...(await measureReplicas({ dir, config, scale: opts.scale, postgres: pg })) };
                } finally {
                  await pg.stop();
                }
              });
  } finally {
    if (!opts.keep) fs.rmSync(dir, { recursive: true, force: true });
  }
  out.durationSec = Math.round((Date.now() - started) / 1000);
  out.loadAvg1mAtEnd = Math.round((os.loadavg()[0] ?? 0) * 100) / 100;
  const json = JSON.stringify(out, null, 2);
  fs.mkdirSync(path.dirname(opts.out), { recursive: true });
  fs.writeFileSync(opts.out, json + '\n');
  process.stdout.write(json + '\n');
  log(`done in ${out.durationSec} s; written to ${path.relative(process.cwd(), opts.out) || opts.out}`);
  return 0;
}
