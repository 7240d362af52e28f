import { randomUUID } from 'node:crypto';
import { Hll } from '@core';
import { Pool } from 'pg';
import type { WebhookEvent } from '../../ingest';
import type { MetaCallRow, MetaPricingRow, PullCursor, PullSource } from '../../pull/pull-sink';
import { ingestBatch } from './ingest';
import { migratePostgres } from './migrate';
import {
  checkReplacedRows,
  readAccountEvents,
  readCalls,
  readCallsDaily,
  readCursor,
  readDataDays,
  readDaySketches,
  readInbound,
  readPricing,
  readSketches,
  readUsage,
  replacePulledDays,
} from './queries';
import { AfterCommitNotices, notifyChange, sendChange } from './change-feed';
import { inTransaction } from './tx';
import { PgInvoices } from './invoices';
import { PgReportDeliveries } from './report-deliveries';
import { markFromDay, PgPricedRollups } from './priced-rollups';
import type { PricedRollupStore } from '../priced-rollups';
import type { ConnectorStore, DeliveredMessage, FinishedCall } from '../connector-store';
import { finishedCallReader } from '../finished-call';
import type { StoredRateFile } from '../rate-files';
import type { ReportDeliveryStore } from '../report-deliveries';
import { PRICING_KEY_COLUMNS } from '../message-state';
import { interner, usageRowOf } from '../usage-row';
import { sketchOfText } from '../sketch-text';
import type {
  AccountEventRow,
  CallsDailyRow,
  DayRange,
  DaySketchRow,
  InboundDailyRow,
  IngestResult,
  MessageVerdict,
  StoreOptions,
  UsageDailyQuery,
  UsageDailyRow,
} from '../store';

/** host:port/database of a connection URL for error messages: never the password. */
function describeUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error('PgStore.open: url must be a postgres:// connection URL');
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:')
    throw new Error(`PgStore.open: url must be a postgres:// connection URL, not ${u.protocol}`);
  return `${u.host}${u.pathname}`;
}

export interface PgStoreOptions extends StoreOptions {
  /** Connections in the pool (default 10). */
  poolSize?: number;
  /**
   * Tests only: awaited inside each ingest transaction that stored an event, after its last
   * statement and before COMMIT, so a test can hold the transaction open with its /health slot
   * locked (tests/store/event-stats-suite.ts).
   */
  beforeIngestCommit?: () => Promise<void>;
  /** An ingest's change notice that failed (it never fails the ingest); by default a line on stderr. */
  onChangeNoticeError?: (err: Error) => void;
}

/**
 * The terminated calls counted on the days $1 to $2 (and of WABA $3 when `byWaba`), in start order.
 * The day is read with the expression migration 018 indexes, so the read can seek to the range.
 */
export const finishedCallsSql = (byWaba: boolean) =>
  `SELECT call_id, start_ms, connected_at_ms, terminated_at_ms, duration_sec, counted_key FROM calls
   WHERE counted_key IS NOT NULL AND (counted_key::json ->> 0) BETWEEN $1 AND $2${byWaba ? ' AND waba_id = $3' : ''} ORDER BY start_ms, call_id`;

/**
 * The shared store: one PostgreSQL database that several connector replicas may write at once.
 * Same tables and counting rules as SqliteStore; see ingest.ts for how concurrent ingests of the
 * same events are kept to exactly one count.
 */
export class PgStore implements ConnectorStore {
  readonly kind = 'postgres' as const;
  /** Names this store's writes in their change notifications (change-feed.ts), so its own connector can skip them. */
  readonly changeOrigin = randomUUID();
  private closed = false;
  private readonly invoiceTable: PgInvoices;
  private readonly reportTable: PgReportDeliveries;
  private readonly priced: PgPricedRollups;
  /** The `ingest` notices, sent after the commits (change-feed.ts AfterCommitNotices); tests wait on `idle()`. */
  readonly ingestNotices: AfterCommitNotices;

  /**
   * `pool` carries ingest, rollups and pulls; `sidePool`, a second small pool, carries price files,
   * invoices, report deliveries and the per-call and per-message reads, so they never queue behind
   * ingest transactions.
   */
  private constructor(
    private readonly pool: Pool,
    private readonly sidePool: Pool,
    private readonly options: PgStoreOptions,
  ) {
    this.ingestNotices = new AfterCommitNotices(
      () => sendChange(pool, 'ingest', this.changeOrigin),
      options.onChangeNoticeError ??
        ((err) => process.stderr.write(`waspend: change notice to the other replicas failed: ${err.message}\n`)),
    );
    this.invoiceTable = new PgInvoices(sidePool);
    this.reportTable = new PgReportDeliveries(sidePool);
    this.priced = new PgPricedRollups(sidePool);
  }

  /** Connects, applies pending migrations (serialised across replicas by an advisory lock) and returns the store. */
  static async open(url: string, options: PgStoreOptions): Promise<PgStore> {
    const where = describeUrl(url);
    // A reader (the query worker) asks the server to refuse writes, and leaves migrations to the writer.
    const readOnly = options.readOnly ? { options: '-c default_transaction_read_only=on' } : {};
    const pool = new Pool({ connectionString: url, max: options.poolSize ?? 10, ...readOnly });
    // An idle connection dropped by the server emits 'error' on the pool; unhandled, it would end the
    // process. The next query gets a fresh connection or fails with its own error.
    pool.on('error', () => undefined);
    // A bulk load does not wait for each commit's WAL flush (StoreOptions.bulkLoad); the rows are the same.
    if (options.bulkLoad) pool.on('connect', (c) => void c.query('SET synchronous_commit = off').catch(() => undefined));
    try {
      if (options.readOnly) await pool.query('SELECT 1');
      else await migratePostgres(pool);
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw new Error(`PostgreSQL store at ${where}: ${(err as Error).message}`, { cause: err });
    }
    const sidePool = new Pool({ connectionString: url, max: 2, ...readOnly });
    sidePool.on('error', () => undefined);
    return new PgStore(pool, sidePool, options);
  }

  private readonly timeZoneOf = (wabaId: string): string => this.options.timezones[wabaId] ?? this.options.defaultTimezone ?? 'UTC';

  async ingest(events: readonly WebhookEvent[], receivedAtMs: number): Promise<IngestResult> {
    if (events.length === 0) return { inserted: 0, duplicates: 0 };
    const result = await inTransaction(this.pool, async (c) => {
      const r = await ingestBatch(c, events, receivedAtMs, this.timeZoneOf);
      if (r.inserted > 0) await this.options.beforeIngestCommit?.();
      return r;
    });
    // After the commit, not inside it (a NOTIFY in the transaction would make every replica's commits
    // take turns, change-feed.ts), and not awaited: the caller's 200 does not wait for the notice.
    // Only duplicates: nothing any panel shows has changed, so the other replicas are not disturbed.
    if (result.inserted > 0) this.ingestNotices.committed();
    return result;
  }

  usageDaily(range: UsageDailyQuery): Promise<UsageDailyRow[]> {
    return readUsage(this.pool, range);
  }

  callsDaily(range: DayRange): Promise<CallsDailyRow[]> {
    return readCallsDaily(this.pool, range);
  }

  inboundDaily(range: DayRange): Promise<InboundDailyRow[]> {
    return readInbound(this.pool, range);
  }

  async uniqueContacts(range: DayRange): Promise<number> {
    const sketches = await readSketches(this.pool, range);
    if (sketches.length === 0) return 0;
    return Hll.union(sketches.map((s) => sketchOfText(s))).count();
  }

  daySketches(range: DayRange & { wabaId: string }): Promise<DaySketchRow[]> {
    return readDaySketches(this.pool, range);
  }

  dataDays(wabaId: string): Promise<{ fromDay: string; toDay: string } | null> {
    return readDataDays(this.pool, wabaId);
  }

  accountEvents(range: { fromMs: number; toMs: number; wabaId?: string }): Promise<AccountEventRow[]> {
    return readAccountEvents(this.pool, range);
  }

  pulledPricing(source: PullSource, range: DayRange): Promise<MetaPricingRow[]> {
    return readPricing(this.pool, source, range);
  }

  pulledCalls(source: PullSource, range: DayRange): Promise<MetaCallRow[]> {
    return readCalls(this.pool, source, range);
  }

  getCursor(wabaId: string, source: PullSource): Promise<PullCursor> {
    return readCursor(this.pool, wabaId, source);
  }

  async replaceDays(
    wabaId: string,
    source: PullSource,
    days: string[],
    rows: { pricing?: MetaPricingRow[]; calls?: MetaCallRow[] },
    cursor: PullCursor,
  ): Promise<void> {
    checkReplacedRows(wabaId, source, days, rows);
    await inTransaction(this.pool, async (c) => {
      await replacePulledDays(c, wabaId, source, days, rows, cursor);
      await notifyChange(c, 'pull', this.changeOrigin);
    });
  }

  async messageVerdict(wamid: string): Promise<MessageVerdict | null> {
    const { rows } = await this.pool.query<Record<string, string | null>>('SELECT * FROM messages WHERE wamid = $1', [
      wamid.replaceAll('\u0000', '\uFFFD'),
    ]);
    const r = rows[0];
    if (!r) return null;
    return {
      category: r.category ?? null,
      pricingType: r.pricing_type ?? null,
      pricingModel: r.pricing_model ?? null,
      source: (r.verdict_source ?? null) as MessageVerdict['source'],
      conversationId: r.conversation_id ?? null,
      deliveredAtMs: r.delivered_at_ms == null ? null : Number(r.delivered_at_ms),
      countedKey: r.counted_key ?? null,
      countedUnits: Number(r.counted_units ?? 0),
    };
  }

  async countRawEvents(): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>('SELECT COUNT(*) AS n FROM raw_events');
    return Number(rows[0]?.n ?? 0);
  }

  async eventStats(): Promise<{ events: number; lastEventAt: number | null }> {
    // At most 16 rows kept by ingest (migrations 015, 016), not a count over raw_events: load balancers call this every few seconds.
    const { rows } = await this.pool.query<{ events: string | null; last: string | null }>(
      'SELECT SUM(events) AS events, MAX(last_received_at_ms) AS last FROM raw_event_stats WHERE id BETWEEN 1 AND 16',
    );
    const r = rows[0];
    return { events: Number(r?.events ?? 0), lastEventAt: r?.last == null ? null : Number(r.last) };
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async saveRateFile(f: StoredRateFile): Promise<void> {
    // The file and the months it re-prices commit together: a re-pricer that sees the mark finds the file.
    await inTransaction(this.sidePool, async (c) => {
      await markFromDay(c, f.effectiveFrom);
      await c.query(
        `INSERT INTO rate_files (kind, currency, effective_from, file_name, imported_at_ms, content) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (kind, currency, effective_from) DO UPDATE SET file_name = excluded.file_name, imported_at_ms = excluded.imported_at_ms, content = excluded.content`,
        [f.kind, f.currency, f.effectiveFrom, f.fileName, f.importedAtMs, f.content],
      );
      await notifyChange(c, 'prices', this.changeOrigin);
    });
  }

  pricingDirty: PricedRollupStore['pricingDirty'] = () => this.priced.pricingDirty();
  ensurePricingVersion: PricedRollupStore['ensurePricingVersion'] = (v) => this.priced.ensurePricingVersion(v);
  claimPricingMonth: PricedRollupStore['claimPricingMonth'] = (l, wabaIds) => this.priced.claimPricingMonth(l, wabaIds);
  writePricedDay: PricedRollupStore['writePricedDay'] = (l, d) => this.priced.writePricedDay(l, d);
  finishPricingMonth: PricedRollupStore['finishPricingMonth'] = (l) => this.priced.finishPricingMonth(l);
  pricedUsage: PricedRollupStore['pricedUsage'] = (r) => this.priced.pricedUsage(r);
  pricedUsageBy: PricedRollupStore['pricedUsageBy'] = (d, r) => this.priced.pricedUsageBy(d, r);
  pricedUsageTotals: PricedRollupStore['pricedUsageTotals'] = (d, q) => this.priced.pricedUsageTotals(d, q);
  pricedUsageUnfit: PricedRollupStore['pricedUsageUnfit'] = (r, v) => this.priced.pricedUsageUnfit(r, v);
  pricedUsageStamp: PricedRollupStore['pricedUsageStamp'] = (r) => this.priced.pricedUsageStamp(r);
  pricedCalls: PricedRollupStore['pricedCalls'] = (q) => this.priced.pricedCalls(q);

  async rateFiles(): Promise<StoredRateFile[]> {
    const res = await this.sidePool.query('SELECT * FROM rate_files ORDER BY effective_from, kind, currency');
    return res.rows.map((r: Record<string, string>) => ({
      kind: r.kind as StoredRateFile['kind'],
      currency: String(r.currency),
      effectiveFrom: String(r.effective_from),
      fileName: String(r.file_name),
      importedAtMs: Number(r.imported_at_ms),
      content: String(r.content),
    }));
  }

  async usagePricingDaily(range: DayRange): Promise<UsageDailyRow[]> {
    const args: unknown[] = [range.fromDay, range.toDay];
    if (range.wabaId !== undefined) args.push(range.wabaId);
    const res = await this.sidePool.query(
      `SELECT * FROM usage_pricing WHERE day >= $1 AND day <= $2${range.wabaId === undefined ? '' : ' AND waba_id = $3'} ORDER BY ${PRICING_KEY_COLUMNS.join(', ')}`,
      args,
    );
    const intern = interner();
    return res.rows.map((r) => usageRowOf(r, intern));
  }

  async deliveredMessages(range: { fromMs: number; toMs: number }): Promise<DeliveredMessage[]> {
    const res = await this.sidePool.query(
      'SELECT delivered_at_ms, counted_key FROM messages WHERE counted_key IS NOT NULL AND delivered_at_ms >= $1 AND delivered_at_ms < $2',
      [range.fromMs, range.toMs],
    );
    return res.rows.map((r: { delivered_at_ms: string; counted_key: string }) => ({
      atMs: Number(r.delivered_at_ms),
      countedKey: r.counted_key,
    }));
  }

  async finishedCalls(range: DayRange): Promise<FinishedCall[]> {
    const args: unknown[] = [range.fromDay, range.toDay];
    if (range.wabaId !== undefined) args.push(range.wabaId);
    const res = await this.sidePool.query(finishedCallsSql(range.wabaId !== undefined), args);
    return res.rows.map(finishedCallReader());
  }

  saveInvoices: ConnectorStore['saveInvoices'] = (...a) => this.invoiceTable.saveInvoices(...a);
  invoices: ConnectorStore['invoices'] = (...a) => this.invoiceTable.invoices(...a);
  claimReportPeriod: ReportDeliveryStore['claimReportPeriod'] = (...a) => this.reportTable.claimReportPeriod(...a);
  completeReportPeriod: ReportDeliveryStore['completeReportPeriod'] = (...a) => this.reportTable.completeReportPeriod(...a);
  failReportPeriod: ReportDeliveryStore['failReportPeriod'] = (...a) => this.reportTable.failReportPeriod(...a);
  reportDelivery: ReportDeliveryStore['reportDelivery'] = (...a) => this.reportTable.reportDelivery(...a);
  recordReportRun: ReportDeliveryStore['recordReportRun'] = (...a) => this.reportTable.recordReportRun(...a);
  reportRuns: ReportDeliveryStore['reportRuns'] = () => this.reportTable.reportRuns();

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // The last commits' notice still goes out (a CLI import, a connector stopping).
    await this.ingestNotices.close();
    await this.pool.end();
    await this.sidePool.end().catch(() => undefined);
  }
}
