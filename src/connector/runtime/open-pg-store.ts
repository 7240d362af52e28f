import { Pool } from 'pg';
import {
  PgInvoices,
  PgReportDeliveries,
  PgStore,
  type ConnectorStore,
  type DayRange,
  type DeliveredMessage,
  type FinishedCall,
  type UsageDailyRow,
  type StoredRateFile,
  type StoreOptions,
  usageRowOf,
} from '../store';

/**
 * PgStore plus what the running connector needs beyond ingest and rollups (price files, per-call
 * records). A second small pool keeps these reads from queueing behind ingest transactions.
 */
class PgConnectorStore implements ConnectorStore {
  readonly kind = 'postgres' as const;
  private readonly invoiceTable: PgInvoices;
  private readonly reportTable: PgReportDeliveries;
  constructor(
    private readonly inner: PgStore,
    private readonly pool: Pool,
  ) {
    this.invoiceTable = new PgInvoices(pool);
    this.reportTable = new PgReportDeliveries(pool);
  }

  ingest: ConnectorStore['ingest'] = (...a) => this.inner.ingest(...a);
  usageDaily: ConnectorStore['usageDaily'] = (...a) => this.inner.usageDaily(...a);
  callsDaily: ConnectorStore['callsDaily'] = (...a) => this.inner.callsDaily(...a);
  inboundDaily: ConnectorStore['inboundDaily'] = (...a) => this.inner.inboundDaily(...a);
  uniqueContacts: ConnectorStore['uniqueContacts'] = (...a) => this.inner.uniqueContacts(...a);
  daySketches: ConnectorStore['daySketches'] = (...a) => this.inner.daySketches(...a);
  dataDays: ConnectorStore['dataDays'] = (...a) => this.inner.dataDays(...a);
  accountEvents: ConnectorStore['accountEvents'] = (...a) => this.inner.accountEvents(...a);
  pulledPricing: ConnectorStore['pulledPricing'] = (...a) => this.inner.pulledPricing(...a);
  pulledCalls: ConnectorStore['pulledCalls'] = (...a) => this.inner.pulledCalls(...a);
  getCursor: ConnectorStore['getCursor'] = (...a) => this.inner.getCursor(...a);
  replaceDays: ConnectorStore['replaceDays'] = (...a) => this.inner.replaceDays(...a);
  countRawEvents: ConnectorStore['countRawEvents'] = () => this.inner.countRawEvents();
  messageVerdict: ConnectorStore['messageVerdict'] = (...a) => this.inner.messageVerdict(...a);
  eventStats: ConnectorStore['eventStats'] = () => this.inner.eventStats();
  ping: ConnectorStore['ping'] = () => this.inner.ping();
  saveInvoices: ConnectorStore['saveInvoices'] = (...a) => this.invoiceTable.saveInvoices(...a);
  invoices: ConnectorStore['invoices'] = (...a) => this.invoiceTable.invoices(...a);
  claimReportPeriod: ConnectorStore['claimReportPeriod'] = (...a) => this.reportTable.claimReportPeriod(...a);
  completeReportPeriod: ConnectorStore['completeReportPeriod'] = (...a) => this.reportTable.completeReportPeriod(...a);
  failReportPeriod: ConnectorStore['failReportPeriod'] = (...a) => this.reportTable.failReportPeriod(...a);
  reportDelivery: ConnectorStore['reportDelivery'] = (...a) => this.reportTable.reportDelivery(...a);
  recordReportRun: ConnectorStore['recordReportRun'] = (...a) => this.reportTable.recordReportRun(...a);
  reportRuns: ConnectorStore['reportRuns'] = () => this.reportTable.reportRuns();

  async close(): Promise<void> {
    await this.inner.close();
    await this.pool.end().catch(() => undefined);
  }

  async saveRateFile(f: StoredRateFile): Promise<void> {
    await this.pool.query(
      `INSERT INTO rate_files (kind, currency, effective_from, file_name, imported_at_ms, content) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (kind, currency, effective_from) DO UPDATE SET file_name = excluded.file_name, imported_at_ms = excluded.imported_at_ms, content = excluded.content`,
      [f.kind, f.currency, f.effectiveFrom, f.fileName, f.importedAtMs, f.content],
    );
  }

  async rateFiles(): Promise<StoredRateFile[]> {
    const res = await this.pool.query('SELECT * FROM rate_files ORDER BY effective_from, kind, currency');
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
    const res = await this.pool.query(
      `SELECT * FROM usage_pricing WHERE day >= $1 AND day <= $2${range.wabaId === undefined ? '' : ' AND waba_id = $3'}`,
      args,
    );
    return res.rows.map(usageRowOf);
  }

  async deliveredMessages(range: { fromMs: number; toMs: number }): Promise<DeliveredMessage[]> {
    const res = await this.pool.query(
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
    const byWaba = range.wabaId === undefined ? '' : ' AND waba_id = $3';
    if (range.wabaId !== undefined) args.push(range.wabaId);
    const res = await this.pool.query(
      `SELECT call_id, start_ms, connected_at_ms, terminated_at_ms, duration_sec, counted_key FROM calls
       WHERE counted_key IS NOT NULL AND (counted_key::json->>0) BETWEEN $1 AND $2${byWaba} ORDER BY start_ms, call_id`,
      args,
    );
    return res.rows.map((r: Record<string, string | null>) => {
      const [day = '', wabaId = '', phone = '', country = '', market = '', direction = ''] = JSON.parse(String(r.counted_key)) as string[];
      const n = (v: string | null | undefined) => (v == null ? null : Number(v));
      return {
        callId: String(r.call_id),
        day,
        wabaId,
        phoneNumberId: phone || null,
        country: country || null,
        market,
        direction: direction || null,
        startMs: n(r.start_ms) ?? n(r.connected_at_ms) ?? n(r.terminated_at_ms) ?? 0,
        durationSec: n(r.duration_sec) ?? 0,
      };
    });
  }
}

export async function openPgConnectorStore(url: string, options: StoreOptions): Promise<ConnectorStore> {
  const inner = await PgStore.open(url, options);
  const pool = new Pool({ connectionString: url, max: 2 });
  pool.on('error', () => undefined);
  return new PgConnectorStore(inner, pool);
}
