import { Hll } from '@core';
import { Pool } from 'pg';
import type { WebhookEvent } from '../ingest';
import type { MetaCallRow, MetaPricingRow, PullCursor, PullSource } from '../pull/pull-sink';
import { ingestBatch } from './pg-ingest';
import { migratePostgres } from './pg-migrate';
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
} from './pg-queries';
import { inTransaction } from './pg-tx';
import type {
  AccountEventRow,
  CallsDailyRow,
  DayRange,
  DaySketchRow,
  InboundDailyRow,
  IngestResult,
  MessageVerdict,
  Store,
  StoreOptions,
  UsageDailyRow,
} from './store';

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
}

/**
 * The shared store: one PostgreSQL database that several connector replicas may write at once.
 * Same tables and counting rules as SqliteStore; see pg-ingest.ts for how concurrent ingests of the
 * same events are kept to exactly one count.
 */
export class PgStore implements Store {
  readonly kind = 'postgres' as const;
  private closed = false;

  private constructor(
    private readonly pool: Pool,
    private readonly options: StoreOptions,
  ) {}

  /** Connects, applies pending migrations (serialised across replicas by an advisory lock) and returns the store. */
  static async open(url: string, options: PgStoreOptions): Promise<PgStore> {
    const where = describeUrl(url);
    const pool = new Pool({ connectionString: url, max: options.poolSize ?? 10 });
    // An idle connection dropped by the server emits 'error' on the pool; unhandled, it would end the
    // process. The next query gets a fresh connection or fails with its own error.
    pool.on('error', () => undefined);
    try {
      await migratePostgres(pool);
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw new Error(`PostgreSQL store at ${where}: ${(err as Error).message}`, { cause: err });
    }
    return new PgStore(pool, options);
  }

  private readonly timeZoneOf = (wabaId: string): string => this.options.timezones[wabaId] ?? this.options.defaultTimezone ?? 'UTC';

  async ingest(events: readonly WebhookEvent[], receivedAtMs: number): Promise<IngestResult> {
    if (events.length === 0) return { inserted: 0, duplicates: 0 };
    return inTransaction(this.pool, (c) => ingestBatch(c, events, receivedAtMs, this.timeZoneOf));
  }

  usageDaily(range: DayRange): Promise<UsageDailyRow[]> {
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
    return Hll.union(sketches.map((s) => Hll.fromBase64(s))).count();
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
    await inTransaction(this.pool, (c) => replacePulledDays(c, wabaId, source, days, rows, cursor));
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
    const { rows } = await this.pool.query<{ n: string; last: string | null }>(
      'SELECT COUNT(*) AS n, MAX(received_at_ms) AS last FROM raw_events',
    );
    const r = rows[0];
    return { events: Number(r?.n ?? 0), lastEventAt: r?.last == null ? null : Number(r.last) };
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}
