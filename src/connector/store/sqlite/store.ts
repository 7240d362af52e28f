import Database from 'better-sqlite3';
import type { WebhookEvent } from '../../ingest';
import type { MetaCallRow, MetaPricingRow, PullCursor, PullSource } from '../../pull/pull-sink';
import {
  conversationOf,
  foldConversation,
  foldStatus,
  keyFromValues,
  keyValues,
  pricingKeyValues,
  PRICING_KEY_COLUMNS,
  unitsOf,
  usageKeyOf,
  USAGE_KEY_COLUMNS,
  type ConversationState,
  type MessageState,
  type UsageKey,
} from '../message-state';
import { contactEventOf, inferVerdict, LOOKBACK_MS, MAX_OUTBOUND_CONSIDERED, withInferred, type ContactEvent } from '../window-inference';
import { finishedCallsSql, SqliteCallRollup } from './calls';
import { SqliteContactSketches } from './contacts';
import { SqliteInboundRollup } from './inbound';
import { SqliteInvoices } from './invoices';
import { SqliteReportDeliveries } from './report-deliveries';
import { MARK_DIRTY_SQL, SqlitePricedRollups } from './priced-rollups';
import { addMark, type PendingMarks, type PricedKind, type PricedRollupStore } from '../priced-rollups';
import { migrateSqlite } from './migrate';
import { dataDaysOf, dataDaysSql } from '../data-days';
import { interner, pricingRowOf } from '../usage-row';
import { readCalls, readPricing, readUsage, replacePulledDays } from './queries';
import type { ConnectorStore, DeliveredMessage, FinishedCall } from '../connector-store';
import { finishedCallReader, type StoredCallRow } from '../finished-call';
import type { StoredRateFile } from '../rate-files';
import type { InvoiceRange, StoredInvoice } from '../invoice-store';
import type { ReportDeliveryStore } from '../report-deliveries';
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

/** The bulk load's page cache, in KiB (2 GiB). */
const BULK_CACHE_KIB = 2 * 1024 * 1024;

interface MessageRow {
  wamid: string;
  waba_id: string;
  phone_number_id: string | null;
  recipient: string | null;
  grp: string | null;
  delivered_at_ms: number | null;
  failed_at_ms: number | null;
  category: string | null;
  pricing_type: string | null;
  pricing_model: string | null;
  billable: number | null;
  counted_key: string | null;
  counted_units: number;
  verdict_source: 'meta' | 'inferred' | null;
  conversation_id: string | null;
  conversation_origin: string | null;
  conversation_expires_ms: number | null;
}

interface ConversationRow {
  waba_id: string;
  conversation_id: string;
  origin: string | null;
  first_at_ms: number | null;
  first_wamid: string | null;
  base_key: string | null;
  counted_key: string | null;
}

const toConversation = (r: ConversationRow): ConversationState => ({
  wabaId: r.waba_id,
  conversationId: r.conversation_id,
  origin: r.origin,
  firstAtMs: r.first_at_ms,
  firstWamid: r.first_wamid,
  baseKey: r.base_key,
  countedKey: r.counted_key,
});

const verdictOfRow = (r: MessageRow): MessageVerdict => ({
  category: r.category,
  pricingType: r.pricing_type,
  pricingModel: r.pricing_model,
  source: r.verdict_source,
  conversationId: r.conversation_id,
  deliveredAtMs: r.delivered_at_ms,
  countedKey: r.counted_key,
  countedUnits: r.counted_units,
});

const toState = (r: MessageRow): MessageState => ({
  wamid: r.wamid,
  wabaId: r.waba_id,
  phoneNumberId: r.phone_number_id,
  recipient: r.recipient,
  group: r.grp,
  deliveredAtMs: r.delivered_at_ms,
  failedAtMs: r.failed_at_ms,
  category: r.category,
  pricingType: r.pricing_type,
  pricingModel: r.pricing_model,
  billable: r.billable === null ? null : r.billable === 1,
  verdictSource: r.verdict_source,
  conversationId: r.conversation_id,
  conversationOrigin: r.conversation_origin,
  conversationExpiresMs: r.conversation_expires_ms,
});

const placeholders = USAGE_KEY_COLUMNS.map(() => '?').join(', ');
const keyWhere = USAGE_KEY_COLUMNS.map((c) => `${c} = ?`).join(' AND ');

/** How long a write waits for another process's write lock unless the opener says otherwise (StoreOptions). */
const DEFAULT_BUSY_TIMEOUT_MS = 5_000;
/** Page cache of a read-only connection (the query and re-pricing workers), KiB: docs/performance.md, "Heap growth". */
const READER_CACHE_KIB = 4096;

/** The embedded store: one SQLite file in WAL mode. better-sqlite3 is synchronous; the async surface is for parity with PostgreSQL. */
export class SqliteStore implements ConnectorStore {
  readonly kind = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly stmts;
  private readonly calls: SqliteCallRollup;
  private readonly contacts: SqliteContactSketches;
  private readonly inbound: SqliteInboundRollup;
  private readonly invoiceTable: SqliteInvoices;
  private readonly reportTable: SqliteReportDeliveries;
  private readonly priced: SqlitePricedRollups;
  /** The re-pricer's marks of the transaction under way (WABA and month -> first day and kind bits), written once at its end. */
  private readonly dirtyMarks: PendingMarks = new Map();
  /**
   * The usage counters' changes of the transaction under way, summed per usage_daily key and added once
   * at its end (PostgreSQL's ingest does the same): a group of 32 statuses of one key is then 2
   * upserts, not 64. Nothing reads these tables during ingest, and every count is the number of
   * messages under its key, never below 0 at any step, so the sums leave the same rows (a row that
   * would have dropped to 0 and come back ends with the same values).
   */
  private readonly usageDeltas = new Map<string, { key: UsageKey; messages: number; units: number }>();
  private dataDaysStmt: Database.Statement | undefined;

  constructor(
    file: string,
    private readonly options: StoreOptions,
  ) {
    // Every write transaction of this store begins IMMEDIATE (takes the write lock first): a deferred
    // one that read before writing cannot wait for the lock in WAL mode (SQLite fails it at once with
    // "database is locked", busy_timeout or not), which a CLI import beside a running connector hit.
    const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
    if (options.readOnly) {
      // The writer made the file, its schema and WAL mode; a reader must not migrate or write.
      this.db = new Database(file, { readonly: true, fileMustExist: true });
      this.db.pragma(`busy_timeout = ${busyTimeoutMs}`);
      // A reader's pages come from the OS's file cache at a copy each; its own cache (16 MB as
      // better-sqlite3 builds SQLite, per connection and thread) mostly duplicates it.
      this.db.pragma(`cache_size = -${READER_CACHE_KIB}`);
    } else {
      this.db = new Database(file);
      // Set first: even the pragmas and migrations below may meet another process's write lock.
      this.db.pragma(`busy_timeout = ${busyTimeoutMs}`);
      this.db.pragma('journal_mode = WAL');
      // FULL: a webhook is acknowledged only after commit, so the commit must survive power loss. A bulk
      // load acknowledges nobody and is thrown away if it fails: no fsync, and a cache (2 GiB, filled
      // only as pages are used) that keeps the messages table's indexes in memory instead of re-reading
      // them per status: the contact index's keys arrive in random order, and at 10M messages it
      // outgrows a 256 MiB cache (docs/performance.md, "The whole full run in 60 minutes").
      this.db.pragma(options.bulkLoad ? 'synchronous = OFF' : 'synchronous = FULL');
      if (options.bulkLoad) this.db.pragma(`cache_size = -${BULK_CACHE_KIB}`);
      migrateSqlite(this.db);
    }
    this.calls = new SqliteCallRollup(this.db);
    this.contacts = new SqliteContactSketches(this.db);
    this.inbound = new SqliteInboundRollup(this.db);
    this.invoiceTable = new SqliteInvoices(this.db);
    this.reportTable = new SqliteReportDeliveries(this.db);
    this.priced = new SqlitePricedRollups(this.db);
    const pricingKey = PRICING_KEY_COLUMNS.join(', ');
    const pricingDays = (byWaba: string) =>
      this.db
        .prepare(`SELECT ${pricingKey}, messages, units FROM usage_pricing WHERE day >= ? AND day <= ?${byWaba} ORDER BY ${pricingKey}`)
        .raw(true);
    this.stmts = {
      // Prepared once: /pricing-input reads a month one day per call.
      pricingDays: pricingDays(''),
      pricingDaysOfWaba: pricingDays(' AND waba_id = ?'),
      insertRaw: this.db.prepare(
        'INSERT INTO raw_events (dedupe_key, kind, waba_id, phone_number_id, at_ms, received_at_ms, body) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING',
      ),
      getMessage: this.db.prepare('SELECT * FROM messages WHERE wamid = ?'),
      putMessage: this.db
        .prepare(`INSERT INTO messages (wamid, waba_id, phone_number_id, recipient, grp, delivered_at_ms, failed_at_ms, category, pricing_type, pricing_model, billable, counted_key,
          counted_units, verdict_source, conversation_id, conversation_origin, conversation_expires_ms)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (wamid) DO UPDATE SET phone_number_id = excluded.phone_number_id, recipient = excluded.recipient, grp = excluded.grp,
        delivered_at_ms = excluded.delivered_at_ms, failed_at_ms = excluded.failed_at_ms, category = excluded.category, pricing_type = excluded.pricing_type,
        pricing_model = excluded.pricing_model, billable = excluded.billable, counted_key = excluded.counted_key, counted_units = excluded.counted_units,
        verdict_source = excluded.verdict_source, conversation_id = excluded.conversation_id, conversation_origin = excluded.conversation_origin,
        conversation_expires_ms = excluded.conversation_expires_ms`),
      addUsage: this.db.prepare(`INSERT INTO usage_daily (${USAGE_KEY_COLUMNS.join(', ')}, messages, units) VALUES (${placeholders}, ?, ?)
        ON CONFLICT (${USAGE_KEY_COLUMNS.join(', ')}) DO UPDATE SET messages = messages + excluded.messages, units = units + excluded.units`),
      dropEmpty: this.db.prepare(`DELETE FROM usage_daily WHERE ${keyWhere} AND messages <= 0 AND units <= 0`),
      addPricing: this.db
        .prepare(`INSERT INTO usage_pricing (${PRICING_KEY_COLUMNS.join(', ')}, messages, units) VALUES (${PRICING_KEY_COLUMNS.map(() => '?').join(', ')}, ?, ?)
        ON CONFLICT (${PRICING_KEY_COLUMNS.join(', ')}) DO UPDATE SET messages = messages + excluded.messages, units = units + excluded.units`),
      dropEmptyPricing: this.db.prepare(
        `DELETE FROM usage_pricing WHERE ${PRICING_KEY_COLUMNS.map((c) => `${c} = ?`).join(' AND ')} AND messages <= 0 AND units <= 0`,
      ),
      // The re-pricer's mark (migration 013): one small upsert per WABA and month touched, at the end of the ingest transaction.
      markDirty: this.db.prepare(MARK_DIRTY_SQL),
      // /health's figures (migrations 015, 016): the events this transaction inserted and the newest receipt.
      // Slot 1 only: SQLite has one writer, so nothing waits on the row (PostgreSQL spreads over the slots).
      countStored: this.db.prepare(
        'UPDATE raw_event_stats SET events = events + ?, last_received_at_ms = MAX(COALESCE(last_received_at_ms, ?), ?) WHERE id = 1',
      ),
      eventStats: this.db.prepare(
        'SELECT SUM(events) AS events, MAX(last_received_at_ms) AS last FROM raw_event_stats WHERE id BETWEEN 1 AND 16',
      ),
      getConversation: this.db.prepare('SELECT * FROM conversations WHERE waba_id = ? AND conversation_id = ?'),
      putConversation: this.db
        .prepare(`INSERT INTO conversations (waba_id, conversation_id, origin, first_at_ms, first_wamid, base_key, counted_key)
        VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (waba_id, conversation_id) DO UPDATE SET origin = excluded.origin, first_at_ms = excluded.first_at_ms,
        first_wamid = excluded.first_wamid, base_key = excluded.base_key, counted_key = excluded.counted_key`),
      addContactEvent: this.db.prepare(
        'INSERT INTO contact_events (phone_number_id, contact, at_ms, kind, id, referral) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
      ),
      contactEvents: this.db.prepare(
        'SELECT * FROM contact_events WHERE phone_number_id = ? AND contact = ? AND at_ms >= ? AND at_ms <= ?',
      ),
      contactMessages: this.db.prepare(
        'SELECT * FROM messages WHERE phone_number_id = ? AND recipient = ? AND delivered_at_ms >= ? AND delivered_at_ms <= ? ORDER BY delivered_at_ms, wamid',
      ),
      // The most recent ones only (MAX_OUTBOUND_CONSIDERED), newest first, read through the same index.
      recentContactMessages: this.db.prepare(
        'SELECT * FROM messages WHERE phone_number_id = ? AND recipient = ? AND delivered_at_ms >= ? AND delivered_at_ms <= ? ORDER BY delivered_at_ms DESC LIMIT ?',
      ),
      getCursor: this.db.prepare('SELECT last_complete_day FROM pull_cursors WHERE waba_id = ? AND source = ?'),
    };
  }

  private timeZoneOf(wabaId: string): string {
    return this.options.timezones[wabaId] ?? this.options.defaultTimezone ?? 'UTC';
  }

  private addUsage(key: UsageKey, messages: number, units: number): void {
    // JSON, not a separator: key values come from webhook bodies and may hold any character.
    const id = JSON.stringify(keyValues(key));
    const delta = this.usageDeltas.get(id);
    if (delta) {
      delta.messages += messages;
      delta.units += units;
    } else this.usageDeltas.set(id, { key, messages, units });
    this.markDirty(key.wabaId, key.day, 'usage');
  }

  /** Notes that the re-pricer owes `day`'s month of `wabaId` a pricing of `kind` from `day` on (written at the transaction's end). */
  private markDirty(wabaId: string, day: string, kind: PricedKind): void {
    addMark(this.dirtyMarks, wabaId, day, kind);
  }

  /** Adds the transaction's summed usage changes to usage_daily and usage_pricing; a row left at 0 and 0 goes. */
  private flushUsage(): void {
    const pricing = new Map<string, { values: string[]; messages: number; units: number }>();
    for (const d of this.usageDeltas.values()) {
      const values = pricingKeyValues(d.key);
      const id = JSON.stringify(values);
      const p = pricing.get(id);
      if (p) {
        p.messages += d.messages;
        p.units += d.units;
      } else pricing.set(id, { values, messages: d.messages, units: d.units });
      if (d.messages === 0 && d.units === 0) continue;
      const key = keyValues(d.key);
      this.stmts.addUsage.run(...key, d.messages, d.units);
      if (d.messages < 0 || d.units < 0) this.stmts.dropEmpty.run(...key);
    }
    for (const p of pricing.values()) {
      if (p.messages === 0 && p.units === 0) continue;
      this.stmts.addPricing.run(...p.values, p.messages, p.units);
      if (p.messages < 0 || p.units < 0) this.stmts.dropEmptyPricing.run(...p.values);
    }
    this.usageDeltas.clear();
  }

  /** The classifier's verdict for a delivered message without Meta's, from the contact's stored history (indexed lookups). */
  private inferred(s: MessageState): MessageState {
    if (s.verdictSource === 'meta' || s.deliveredAtMs === null) return s;
    const phone = s.phoneNumberId ?? '';
    const contact = s.recipient ?? '';
    const from = s.deliveredAtMs - LOOKBACK_MS;
    const events = (this.stmts.contactEvents.all(phone, contact, from, s.deliveredAtMs) as Record<string, string | number>[]).map(
      (r): ContactEvent => ({
        phoneNumberId: String(r.phone_number_id),
        contact: String(r.contact),
        atMs: Number(r.at_ms),
        kind: r.kind as ContactEvent['kind'],
        id: String(r.id),
        referral: Number(r.referral) === 1,
      }),
    );
    const outbound = (
      this.stmts.recentContactMessages.all(phone, contact, from, s.deliveredAtMs, MAX_OUTBOUND_CONSIDERED + 1) as MessageRow[]
    ).map(toState);
    return withInferred(s, inferVerdict(s, events, outbound, this.timeZoneOf(s.wabaId)));
  }

  /** Moves the message's contribution (messages, units, its CBP conversation's unit) from what is stored to `next`, and stores it. */
  private recount(row: MessageRow | undefined, next: MessageState): void {
    const key = usageKeyOf(next, this.timeZoneOf(next.wabaId));
    const keyText = key ? JSON.stringify(keyValues(key)) : null;
    const units = unitsOf(next, key);
    const prevText = row?.counted_key ?? null;
    const prevUnits = row?.counted_units ?? 0;
    // A delivery learnt later can move the count to an earlier day: take it off the old key first.
    if (prevText !== keyText || prevUnits !== units) {
      if (prevText) this.addUsage(keyFromValues(JSON.parse(prevText) as string[]), -1, -prevUnits);
      if (key) this.addUsage(key, 1, units);
      if (key && next.recipient && prevText !== keyText) this.contacts.note(key.day, key.wabaId, next.phoneNumberId, next.recipient);
    }
    const conversation = conversationOf(next, key);
    if (conversation !== null && key !== null) {
      const stored = this.stmts.getConversation.get(next.wabaId, conversation) as ConversationRow | undefined;
      const c = foldConversation(stored ? toConversation(stored) : null, { ...next, conversationId: conversation }, key);
      const before = stored?.counted_key ?? null;
      if (before !== c.countedKey) {
        if (before) this.addUsage(keyFromValues(JSON.parse(before) as string[]), 0, -1);
        if (c.countedKey) this.addUsage(keyFromValues(JSON.parse(c.countedKey) as string[]), 0, 1);
      }
      this.stmts.putConversation.run(c.wabaId, c.conversationId, c.origin, c.firstAtMs, c.firstWamid, c.baseKey, c.countedKey);
    }
    const s = next;
    this.stmts.putMessage.run(
      s.wamid,
      s.wabaId,
      s.phoneNumberId,
      s.recipient,
      s.group,
      s.deliveredAtMs,
      s.failedAtMs,
      s.category,
      s.pricingType,
      s.pricingModel,
      s.billable === null ? null : s.billable ? 1 : 0,
      keyText,
      units,
      s.verdictSource,
      s.conversationId,
      s.conversationOrigin,
      s.conversationExpiresMs,
    );
  }

  private applyStatus(e: Extract<WebhookEvent, { kind: 'status' }>): void {
    const row = this.stmts.getMessage.get(e.wamid) as MessageRow | undefined;
    this.recount(row, this.inferred(foldStatus(row ? toState(row) : null, e)));
  }

  /**
   * A window opener can arrive after the statuses it explains (webhooks are unordered): the contact's
   * inferred messages delivered in the LOOKBACK_MS after it are classified again, in delivery order.
   */
  private applyContactEvent(c: ContactEvent): void {
    if (this.stmts.addContactEvent.run(c.phoneNumberId, c.contact, c.atMs, c.kind, c.id, c.referral ? 1 : 0).changes === 0) return;
    const rows = this.stmts.contactMessages.all(c.phoneNumberId, c.contact, c.atMs, c.atMs + LOOKBACK_MS) as MessageRow[];
    for (const row of rows) {
      if (row.verdict_source !== 'inferred') continue;
      const fresh = this.stmts.getMessage.get(row.wamid) as MessageRow;
      this.recount(fresh, this.inferred(toState(fresh)));
    }
  }

  private readonly ingestTx = (events: readonly WebhookEvent[], receivedAtMs: number): IngestResult => {
    let inserted = 0;
    for (const e of events) {
      const res = this.stmts.insertRaw.run(e.dedupeKey, e.kind, e.wabaId, e.phoneNumberId, e.atMs, receivedAtMs, JSON.stringify(e.raw));
      if (res.changes === 0) continue;
      inserted++;
      if (e.kind === 'status') this.applyStatus(e);
      else if (e.kind === 'call')
        for (const [wabaId, day] of this.calls.apply(e, this.timeZoneOf(e.wabaId))) this.markDirty(wabaId, day, 'calls');
      else if (e.kind === 'inbound')
        this.contacts.note(this.inbound.apply(e, this.timeZoneOf(e.wabaId)), e.wabaId, e.phoneNumberId, e.from);
      const opener = contactEventOf(e);
      if (opener) this.applyContactEvent(opener);
    }
    this.flushUsage();
    this.contacts.flush();
    for (const [key, { day, kinds }] of this.dirtyMarks)
      this.stmts.markDirty.run(key.slice(0, key.lastIndexOf('\u0000')), day, day, day, kinds, kinds);
    this.dirtyMarks.clear();
    if (inserted > 0) this.stmts.countStored.run(inserted, receivedAtMs, receivedAtMs);
    return { inserted, duplicates: events.length - inserted };
  };

  async ingest(events: readonly WebhookEvent[], receivedAtMs: number): Promise<IngestResult> {
    try {
      return this.db.transaction(this.ingestTx).immediate(events, receivedAtMs);
    } finally {
      this.contacts.discard();
      this.dirtyMarks.clear();
      this.usageDeltas.clear();
    }
  }

  async inboundDaily(range: DayRange): Promise<InboundDailyRow[]> {
    return this.inbound.read(range);
  }

  async uniqueContacts(range: DayRange): Promise<number> {
    return this.contacts.uniqueContacts(range);
  }

  async daySketches(range: DayRange & { wabaId: string }): Promise<DaySketchRow[]> {
    return this.contacts.daySketches(range);
  }

  async dataDays(wabaId: string): Promise<{ fromDay: string; toDay: string } | null> {
    this.dataDaysStmt ??= this.db.prepare(dataDaysSql('@waba'));
    return dataDaysOf(this.dataDaysStmt.get({ waba: wabaId }) as Record<string, unknown> | undefined);
  }

  async usageDaily(range: UsageDailyQuery): Promise<UsageDailyRow[]> {
    return readUsage(this.db, range);
  }

  async callsDaily(range: DayRange): Promise<CallsDailyRow[]> {
    return this.calls.read(range);
  }

  async accountEvents(range: { fromMs: number; toMs: number; wabaId?: string }): Promise<AccountEventRow[]> {
    const byWaba = range.wabaId === undefined ? '' : ' AND waba_id = ?';
    const rows = this.db
      .prepare(
        `SELECT at_ms, waba_id, kind, body FROM raw_events WHERE kind IN ('account_update', 'template_category') AND at_ms >= ? AND at_ms < ?${byWaba} ORDER BY at_ms, seq`,
      )
      .all(range.fromMs, range.toMs, ...(range.wabaId === undefined ? [] : [range.wabaId])) as {
      at_ms: number;
      waba_id: string;
      kind: AccountEventRow['kind'];
      body: string;
    }[];
    return rows.map((r) => ({ atMs: r.at_ms, wabaId: r.waba_id, kind: r.kind, value: JSON.parse(r.body) as unknown }));
  }

  async pulledPricing(source: PullSource, range: DayRange): Promise<MetaPricingRow[]> {
    return readPricing(this.db, source, range);
  }

  async pulledCalls(source: PullSource, range: DayRange): Promise<MetaCallRow[]> {
    return readCalls(this.db, source, range);
  }

  async getCursor(wabaId: string, source: PullSource): Promise<PullCursor> {
    const row = this.stmts.getCursor.get(wabaId, source) as { last_complete_day: string | null } | undefined;
    return { lastCompleteDay: row?.last_complete_day ?? null };
  }

  async replaceDays(
    wabaId: string,
    source: PullSource,
    days: string[],
    rows: { pricing?: MetaPricingRow[]; calls?: MetaCallRow[] },
    cursor: PullCursor,
  ): Promise<void> {
    replacePulledDays(this.db, wabaId, source, days, rows, cursor);
  }

  async finishedCalls(range: DayRange): Promise<FinishedCall[]> {
    const read = finishedCallReader();
    const out: FinishedCall[] = [];
    // Row by row: the month's rows are never all held as read and as calls at once.
    for (const r of this.db
      .prepare(finishedCallsSql(range.wabaId !== undefined))
      .iterate(range.fromDay, range.toDay, ...(range.wabaId === undefined ? [] : [range.wabaId])))
      out.push(read(r as StoredCallRow));
    return out;
  }

  async usagePricingDaily(range: DayRange): Promise<UsageDailyRow[]> {
    const rows = (
      range.wabaId === undefined
        ? this.stmts.pricingDays.all(range.fromDay, range.toDay)
        : this.stmts.pricingDaysOfWaba.all(range.fromDay, range.toDay, range.wabaId)
    ) as unknown[][];
    const intern = interner();
    return rows.map((r) => pricingRowOf(r, intern));
  }

  async deliveredMessages(range: { fromMs: number; toMs: number }): Promise<DeliveredMessage[]> {
    const rows = this.db
      .prepare(
        'SELECT delivered_at_ms, counted_key FROM messages WHERE counted_key IS NOT NULL AND delivered_at_ms >= ? AND delivered_at_ms < ?',
      )
      .all(range.fromMs, range.toMs) as { delivered_at_ms: number; counted_key: string }[];
    return rows.map((r) => ({ atMs: r.delivered_at_ms, countedKey: r.counted_key }));
  }

  async saveRateFile(f: StoredRateFile): Promise<void> {
    // The file and the months it re-prices commit together: a re-pricer that sees the mark finds the file.
    this.db
      .transaction(() => {
        this.priced.markFromDay(f.effectiveFrom);
        this.db
          .prepare(
            `INSERT INTO rate_files (kind, currency, effective_from, file_name, imported_at_ms, content) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (kind, currency, effective_from) DO UPDATE SET file_name = excluded.file_name, imported_at_ms = excluded.imported_at_ms, content = excluded.content`,
          )
          .run(f.kind, f.currency, f.effectiveFrom, f.fileName, f.importedAtMs, f.content);
      })
      .immediate();
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
    const rows = this.db.prepare('SELECT * FROM rate_files ORDER BY effective_from, kind, currency').all() as Record<
      string,
      string | number
    >[];
    return rows.map((r) => ({
      kind: r.kind as StoredRateFile['kind'],
      currency: String(r.currency),
      effectiveFrom: String(r.effective_from),
      fileName: String(r.file_name),
      importedAtMs: Number(r.imported_at_ms),
      content: String(r.content),
    }));
  }

  saveInvoices(invoices: readonly StoredInvoice[]): Promise<{ saved: number; replaced: number }> {
    return this.invoiceTable.saveInvoices(invoices);
  }

  invoices(range: InvoiceRange): Promise<StoredInvoice[]> {
    return this.invoiceTable.invoices(range);
  }

  claimReportPeriod: ReportDeliveryStore['claimReportPeriod'] = (...a) => this.reportTable.claimReportPeriod(...a);
  completeReportPeriod: ReportDeliveryStore['completeReportPeriod'] = (...a) => this.reportTable.completeReportPeriod(...a);
  failReportPeriod: ReportDeliveryStore['failReportPeriod'] = (...a) => this.reportTable.failReportPeriod(...a);
  reportDelivery: ReportDeliveryStore['reportDelivery'] = (...a) => this.reportTable.reportDelivery(...a);
  recordReportRun: ReportDeliveryStore['recordReportRun'] = (...a) => this.reportTable.recordReportRun(...a);
  reportRuns: ReportDeliveryStore['reportRuns'] = () => this.reportTable.reportRuns();

  async messageVerdict(wamid: string): Promise<MessageVerdict | null> {
    const r = this.stmts.getMessage.get(wamid) as MessageRow | undefined;
    return r ? verdictOfRow(r) : null;
  }

  async countRawEvents(): Promise<number> {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM raw_events').get() as { n: number }).n;
  }

  async eventStats(): Promise<{ events: number; lastEventAt: number | null }> {
    // At most 16 rows kept by ingest (migrations 015, 016), not a count over raw_events: load balancers call this every few seconds.
    const r = this.stmts.eventStats.get() as { events: number | null; last: number | null } | undefined;
    return { events: r?.events ?? 0, lastEventAt: r?.last ?? null };
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
