import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import pino, { type Logger } from 'pino';
import { Registry, collectDefaultMetrics } from 'prom-client';
import type { ConnectorConfig } from '../config';
import { seedDemo } from '../demo';
import { buildApp } from '../http';
import { registerIngestMetrics, registerSpendMetrics, spendSnapshot, type SpendSnapshot } from '../metrics';
import { createPullScheduler, registerPullMetrics, type PullClock, type PullScheduler, type PullWabaConfig } from '../pull';
import { Repricer, type QueryContext, type WabaInfo } from '../query';
import { buildReportContent, createReportScheduler, createReportSenders, registerReportMetrics, type ReportScheduler } from '../reports';
import { createEnvelopeIngest, GroupCommitWriter, PgChangeListener, PgStore, type ConnectorStore } from '../store';
import { describeDb, isMemoryDb, openStore } from './open-store';
import { QueryWorker, type QueryWorkerOptions } from './query-worker-client';
import type { WorkerRole } from './query-worker';
import { importDemoRateFile, priceBookLoader } from './price-files';
import { currencyToday, wabaInfoOf } from './waba-info';

export const VERSION = '0.1.0';

export interface ConnectorOptions {
  config: ConnectorConfig;
  db: string;
  host: string;
  port: number;
  /** Seed demo data (rates, a month of webhooks, Meta's figures) when the store is empty. */
  demo?: boolean;
  /**
   * A fixed instant (epoch ms) the demo ends at and the queries and metrics read as "now", so a demo
   * (and every test on it) shows the same month ends and DST changes whatever the calendar says.
   */
  asOfMs?: number;
  /** Start the Meta/360Dialog pullers (default: when a WABA has credentials). */
  pulls?: boolean;
  logger?: Logger;
  /** Progress lines for long work (demo seeding); defaults to the logger. */
  progress?: (line: string) => void;
  /** The report scheduler's clock (tests drive it by hand); defaults to the system clock. */
  reportClock?: PullClock;
  /** Where WASPEND_SMTP_* are read from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Run the background re-pricer of the priced rollups (default true). */
  repricing?: boolean;
  /** How often it looks for dirty months (default 5 s). */
  repriceEveryMs?: number;
  /**
   * Tests only: what the re-pricer runs between two days' writes of a month (RepricerOptions.betweenDays),
   * so a test can post webhooks or import prices at a known point of a pass.
   */
  repricerBetweenDays?: (day: string) => Promise<void>;
  /**
   * Overrides WASPEND_QUERY_WORKER and config `query.worker` (answer /api/v1 queries in a worker
   * thread; default on, never for sqlite::memory:).
   */
  queryWorker?: boolean;
  /**
   * Overrides WASPEND_REPRICING_WORKER and config `query.repricingWorker` (the re-pricer's pricing in
   * a worker thread of its own; default on whenever the query worker runs, else in the query worker).
   */
  repricingWorker?: boolean;
  /** Tests only: holds or crashes the worker threads inside a query or a re-pricing step (QueryWorkerData.gate; both threads share it). */
  queryWorkerGate?: SharedArrayBuffer;
  /** Tests only: starts each worker thread in place of QueryWorker.start (to have one of them fail to start). */
  startWorker?: (options: QueryWorkerOptions) => Promise<QueryWorker>;
  /** Tests only: awaited before each reconnection of the PostgreSQL change listener (ChangeListenerOptions.beforeReconnect). */
  changeListenerBeforeReconnect?: () => Promise<void>;
}

const REPRICE_EVERY_MS = 5_000;

export interface RunningConnector {
  url: string;
  store: ConnectorStore;
  /** The HTTP thread's query context (what /api/v1 answers in the HTTP thread, or the worker answers from its own connection). */
  query: QueryContext;
  /** The thread answering /api/v1 queries; null when they run in the HTTP thread. */
  queryWorker: QueryWorker | null;
  logger: Logger;
  /** The `reports:` scheduler, null when none are configured. */
  reports: ReportScheduler | null;
  /** The thread the re-pricer prices in (null when it prices in the query worker or in this thread). */
  repricingWorker: QueryWorker | null;
  /** The background re-pricer (null with `repricing: false`); tests run its passes with `runOnce()`. */
  repricer: Repricer | null;
  /** On PostgreSQL, the LISTEN connection that hears the other replicas' commits (docs/replicas.md); null on SQLite. */
  changes: PgChangeListener | null;
  close(): Promise<void>;
}

/**
 * How long a PostgreSQL ingest group that follows another waits for more webhooks (GroupCommitWriter's
 * `followLingerMs`). PostgreSQL's commit leaves the event loop free, so under load the webhooks split
 * into two halves that take turns, each paying a whole group's round trips: with 32 in flight, groups
 * of 16. Waiting 1 ms for the answered half to come back made groups of 30.5 and raised ingest from
 * 2.0-2.2k to 2.6-2.9k events/s, with PostgreSQL's CPU per event down 38 % (docs/performance.md,
 * "Fewer b-trees per commit, and groups that wait a moment"). SQLite's commit blocks the loop, so
 * its groups are whole already; a wait there only idles the loop (7.0-7.3k against 9.9-10.2k
 * events/s), hence 0.
 */
const FOLLOW_LINGER_MS = 1;

/** The logger the connector uses: secrets are configured values, so they are redacted by path as a second line of defence. */
export function createLogger(level: string = process.env.WASPEND_LOG_LEVEL ?? 'info'): Logger {
  return pino({
    level,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers["x-hub-signature-256"]',
        '*.apiToken',
        '*.appSecret',
        '*.token',
        '*.apiKey',
        '*.password',
        '*.pass',
      ],
      censor: '[redacted]',
    },
  });
}

function pullWabas(config: ConnectorConfig): PullWabaConfig[] {
  return config.wabas.map((w, configIndex) => ({
    id: w.id,
    timezone: w.timezone,
    // Only a fallback for figures whose currency Meta's answer does not name.
    currency: currencyToday(w, Date.now()),
    configIndex,
    ...(w.meta ? { meta: { token: w.meta.token, ...(w.meta.apiVersion ? { apiVersion: w.meta.apiVersion } : {}) } } : {}),
    ...(w.d360 ? { d360: w.d360 } : {}),
  }));
}

/**
 * WASPEND_QUERY_WORKER and WASPEND_REPRICING_WORKER (true/false) override `query.worker` and
 * `query.repricingWorker`, as the environment overrides the config file elsewhere.
 */
function switchFromEnv(env: NodeJS.ProcessEnv, name: string): boolean | undefined {
  const value = env[name];
  if (value === undefined || value === '') return undefined;
  if (/^(true|1|on)$/i.test(value)) return true;
  if (/^(false|0|off)$/i.test(value)) return false;
  throw new Error(`${name} must be true or false, got ${JSON.stringify(value)}`);
}

/** Opens the store, seeds the demo when asked, starts pulls and the HTTP server. */
export async function startConnector(opts: ConnectorOptions): Promise<RunningConnector> {
  const logger = opts.logger ?? createLogger(opts.config.server?.logLevel);
  const { config } = opts;
  const env = opts.env ?? process.env;
  const wantWorker = opts.queryWorker ?? switchFromEnv(env, 'WASPEND_QUERY_WORKER') ?? config.query?.worker ?? true;
  const wantRepricingWorker =
    opts.repricing !== false &&
    (opts.repricingWorker ?? switchFromEnv(env, 'WASPEND_REPRICING_WORKER') ?? config.query?.repricingWorker ?? true);
  // Report senders first: a missing or bad WASPEND_SMTP_* stops the start before anything is opened.
  const reportConfigs = config.reports ?? {};
  const senders = Object.keys(reportConfigs).length ? createReportSenders(reportConfigs, env) : null;
  const timezones = Object.fromEntries(config.wabas.map((w) => [w.id, w.timezone]));
  const store = await openStore(opts.db, {
    timezones,
    onChangeNoticeError: (err) =>
      logger.warn({ err: err.message }, 'change notice to the other replicas failed; the next commit sends another'),
  });
  const writer = new GroupCommitWriter(store, { followLingerMs: store.kind === 'postgres' ? FOLLOW_LINGER_MS : 0 });
  let generation = 0;
  let queryWorker: QueryWorker | null = null;
  const bump = () => {
    generation++;
    queryWorker?.bump();
  };
  // Every commit through the writer moves the generation, so cached pricing never outlives new data in this process.
  writer.onCommitted(bump);
  const wabas = new Map<string, WabaInfo>(config.wabas.map((w) => [w.id, wabaInfoOf(w)]));
  const loadBook = priceBookLoader(store);
  let book = await loadBook();
  const ctx: QueryContext = {
    store,
    wabas,
    now: opts.asOfMs === undefined ? Date.now : () => opts.asOfMs as number,
    generation: () => generation,
    priceBook: () => book,
    // The re-pricer below keeps them; months it has not caught up with are priced at query time.
    readPricedRollups: opts.repricing !== false,
  };
  // One reload at a time: asks that arrive during one (a flood of price notifications) make one more after it.
  let reloading: Promise<void> | null = null;
  let reloadAgain = false;
  const reloadPrices = (): void => {
    reloadAgain = true;
    if (reloading) return;
    reloading = (async () => {
      while (reloadAgain) {
        reloadAgain = false;
        try {
          // The loader parses the files only when they changed, and then returns a new book.
          const next = await loadBook();
          if (next === book) continue;
          book = next;
          bump();
          queryWorker?.pricesChanged();
        } catch (err) {
          logger.warn({ err: (err as Error).message }, 'price book reload failed');
        }
      }
    })().finally(() => (reloading = null));
  };
  // A price file stored by `waspend rates import` (or, without the change listener, another replica): reloaded once a minute.
  const reloadBook = setInterval(reloadPrices, 60_000);
  reloadBook.unref();

  const progress = opts.progress ?? ((line: string) => logger.info(line));
  // The count ingest keeps (migration 015): a COUNT(*) over raw_events scans millions of rows on a store of real size.
  if (opts.demo && (await store.eventStats()).events === 0) {
    progress('seeding demo data (invented rates, a month of webhooks for three WABAs, Meta figures)...');
    const ingest = createEnvelopeIngest(store);
    let lastLine = 0;
    const seeded = await seedDemo({
      asOfMs: opts.asOfMs ?? Date.now(),
      ingest,
      sink: store,
      invoices: store,
      importRates: (f) => importDemoRateFile(store, f),
      onProgress: (p) => {
        if (p.phase === 'webhooks' && p.done - lastLine >= 20_000) {
          lastLine = p.done;
          progress(`  ${p.done} webhook bodies stored`);
        }
      },
    });
    book = await loadBook();
    bump();
    progress(`demo seeded: ${seeded.envelopes} webhook bodies, ${seeded.statuses} statuses, ${seeded.metaPricingRows} Meta pricing rows`);
  }

  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'waspend_process_' });
  const ingestMetrics = registerIngestMetrics(registry);
  ingestMetrics.lastEventAt((await store.eventStats()).lastEventAt);
  // Priced in the query worker when it runs (a scrape prices two months), read when Prometheus scrapes.
  registerSpendMetrics(registry, ctx, async () =>
    queryWorker ? (JSON.parse(await queryWorker.run('spend-snapshot', {})) as SpendSnapshot) : spendSnapshot(ctx),
  );
  const pullMetrics = registerPullMetrics(registry);
  let scheduler: PullScheduler | null = null;
  const pw = pullWabas(config);
  if ((opts.pulls ?? true) && pw.some((w) => w.meta || w.d360)) {
    const p = config.pulls ?? {};
    scheduler = createPullScheduler({
      sink: {
        getCursor: (w, s) => store.getCursor(w, s),
        replaceDays: async (...args) => {
          await store.replaceDays(...args);
          bump();
        },
      },
      wabas: pw,
      logger,
      options: {
        ...(p.graphBaseUrl ? { graphBaseUrl: p.graphBaseUrl } : {}),
        ...(p.d360BaseUrl ? { d360BaseUrl: p.d360BaseUrl } : {}),
        ...(p.backfillDays !== undefined ? { backfillDays: p.backfillDays } : {}),
        ...(p.repullDays !== undefined ? { repullDays: p.repullDays } : {}),
        ...(p.intervalMs !== undefined ? { intervalMs: p.intervalMs } : {}),
        ...(p.failureBackoffMs !== undefined ? { failureBackoffMs: p.failureBackoffMs } : {}),
        ...(p.maxFailureBackoffMs !== undefined ? { maxFailureBackoffMs: p.maxFailureBackoffMs } : {}),
        ...(p.retry ? { retry: p.retry } : {}),
      },
      onStatus: pullMetrics.onStatus,
      onFailure: pullMetrics.onFailure,
    });
  }

  let reports: ReportScheduler | null = null;
  if (senders) {
    let reportMetrics: ReturnType<typeof registerReportMetrics> | null = null;
    reports = createReportScheduler({
      reports: reportConfigs,
      store,
      ctx,
      // Built in the query worker when it runs (a month of store reads and pricing would hold webhooks).
      build: (name, cfg, period) => (queryWorker ? queryWorker.report(name, cfg, period) : buildReportContent(ctx, name, cfg, period)),
      send: senders.send,
      secrets: senders.secrets,
      logger,
      ...(opts.reportClock ? { clock: opts.reportClock } : {}),
      onOutcome: (name, outcome) => reportMetrics?.onOutcome(name, outcome),
    });
    const scheduler = reports;
    reportMetrics = registerReportMetrics(registry, Object.keys(reportConfigs), () => scheduler.health());
  }

  // After the demo seeding: the worker opens the store read-only and loads the price book as it is now.
  if (wantWorker && isMemoryDb(opts.db))
    logger.warn('query.worker: an in-memory SQLite store cannot be read by a second thread; queries run in the HTTP thread');
  let repricingWorker: QueryWorker | null = null;
  if (wantWorker && !isMemoryDb(opts.db)) {
    const start = (role: WorkerRole) =>
      (opts.startWorker ?? QueryWorker.start)({
        role,
        db: opts.db,
        timezones,
        wabas: [...wabas.values()],
        ...(opts.asOfMs !== undefined ? { asOfMs: opts.asOfMs } : {}),
        readPricedRollups: ctx.readPricedRollups === true,
        logger,
        ...(opts.queryWorkerGate ? { gate: opts.queryWorkerGate } : {}),
      });
    // Started side by side: each opens its own read connection and loads the sources on its own.
    const started = await Promise.allSettled([start('queries'), ...(wantRepricingWorker ? [start('repricing')] : [])]);
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      for (const r of started) if (r.status === 'fulfilled') await r.value.close();
      clearInterval(reloadBook);
      await store.close();
      throw failed.reason;
    }
    const [queries, repricing] = started.map((r) => (r as PromiseFulfilledResult<QueryWorker>).value);
    queryWorker = queries ?? null;
    repricingWorker = repricing ?? null;
  }

  // PostgreSQL: the other replicas' commits, price files and pulls move this replica's caches within
  // milliseconds (docs/replicas.md). A SQLite file has one connector, which sees all its own writes.
  const changes =
    store instanceof PgStore
      ? new PgChangeListener({
          url: opts.db,
          origin: store.changeOrigin,
          onChange: (kind) => (kind === 'prices' ? reloadPrices() : bump()),
          onUnknownChanges: () => {
            bump();
            reloadPrices();
          },
          onError: (err) =>
            logger.warn({ err: err.message }, 'change listener down; reconnecting, and refreshing caches every second meanwhile'),
          ...(opts.changeListenerBeforeReconnect ? { beforeReconnect: opts.changeListenerBeforeReconnect } : {}),
        })
      : null;
  await changes?.start();

  const app = await buildApp({
    store,
    writer,
    version: VERSION,
    logger: false,
    errorLog: logger,
    ...(config.webhooks?.appSecret ? { appSecret: config.webhooks.appSecret } : {}),
    ...(config.webhooks?.sharedSecret ? { sharedSecret: config.webhooks.sharedSecret } : {}),
    ...(config.webhooks?.verifyToken ? { verifyToken: config.webhooks.verifyToken } : {}),
    ...(config.server?.bodyLimitBytes ? { bodyLimitBytes: config.server.bodyLimitBytes } : {}),
    ...(config.server?.requestTimeoutMs ? { requestTimeoutMs: config.server.requestTimeoutMs } : {}),
    ...(config.apiToken ? { apiToken: config.apiToken } : {}),
    query: ctx,
    ...(queryWorker ? { queryRunner: queryWorker } : {}),
    metrics: { registry, ingest: ingestMetrics, ...(config.metricsToken ? { token: config.metricsToken } : {}) },
    pullStatus: () =>
      (scheduler?.statuses() ?? []).map((s) => ({
        wabaId: s.wabaId,
        source: s.source,
        status: s.status,
        lastSuccessAt: s.lastSuccessAt,
        lastError: s.lastError,
        nextAttemptAt: s.nextAttemptAt,
      })),
    ...(reports ? { reportStatus: (reports as ReportScheduler).health } : {}),
    ...(changes ? { changeListenerStatus: () => changes.health() } : {}),
    ...(repricingWorker ? { repricingWorkerStatus: () => (repricingWorker as QueryWorker).health() } : {}),
  });
  const url = await app.listen({ host: opts.host, port: opts.port });
  scheduler?.start();
  reports?.start();
  // Keeps the priced rollups (migration 013) current in the background; the leases let replicas share the work.
  const pricingWorker = repricingWorker ?? queryWorker;
  const repricer =
    opts.repricing === false
      ? null
      : new Repricer({
          store,
          wabas,
          holder: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
          // Priced in a worker of its own (or the query worker) when they run, so no query waits behind a
          // month's pricing; the claims and day writes stay on this thread's connection.
          ...(pricingWorker ? { pricer: pricingWorker.pricer } : { loadBook: priceBookLoader(store) }),
          onError: (err) => logger.warn({ err: err.message }, 're-pricing failed; the months stay dirty for the next pass'),
          ...(opts.repricerBetweenDays ? { betweenDays: opts.repricerBetweenDays } : {}),
        });
  repricer?.start(opts.repriceEveryMs ?? REPRICE_EVERY_MS);
  logger.info(
    { url, db: describeDb(opts.db), wabas: config.wabas.length, pulls: scheduler !== null, reports: Object.keys(reportConfigs) },
    'waspend connector listening',
  );
  let closed = false;
  return {
    url,
    store,
    query: ctx,
    queryWorker,
    repricingWorker,
    logger,
    reports,
    repricer,
    changes,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(reloadBook);
      await changes?.close();
      await repricer?.stop();
      await scheduler?.stop();
      await reports?.stop();
      senders?.close();
      await app.close();
      await queryWorker?.close();
      await repricingWorker?.close();
      await reloading;
      await store.close();
    },
  };
}
