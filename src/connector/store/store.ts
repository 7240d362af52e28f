import type { WebhookEvent } from '../ingest';
import type { MetaCallRow, MetaPricingRow, PullSink, PullSource } from '../pull/pull-sink';

/**
 * One row of the daily usage rollup: delivered messages counted on their WABA-local delivery day, and
 * the charged units under the same key (messages on PMP days; on CBP days a conversation counts once,
 * on the day of its first delivered message, in the category of its origin). `category` is kept as
 * Meta sent it when we do not know it (lower snake case): such rows are counted and reported, not priced.
 */
export interface UsageDailyRow {
  day: string;
  wabaId: string;
  phoneNumberId: string | null;
  /** ISO 3166 alpha-2 of the recipient's number, null when unknown. */
  country: string | null;
  market: string;
  category: string;
  pricingType: string | null;
  pricingModel: string;
  group: string | null;
  messages: number;
  units: number;
}

/** Terminated calls per WABA-local day of their start. */
export interface CallsDailyRow {
  day: string;
  wabaId: string;
  phoneNumberId: string | null;
  country: string | null;
  market: string;
  direction: string | null;
  calls: number;
  /** Calls with a non-zero duration. */
  connectedCalls: number;
  durationSec: number;
}

/** A stored account_update or template category change, for annotations. */
export interface AccountEventRow {
  atMs: number;
  wabaId: string;
  kind: 'account_update' | 'template_category';
  /** The change's `value` as Meta sent it. */
  value: unknown;
}

/** Inbound messages per WABA-local day; referralSourceId is the ad id of click-to-WhatsApp referrals. */
export interface InboundDailyRow {
  day: string;
  wabaId: string;
  phoneNumberId: string | null;
  country: string | null;
  referralSourceId: string | null;
  messages: number;
}

export interface DayRange {
  fromDay: string;
  toDay: string;
  wabaId?: string;
}

/** The columns of usage_daily finer than the pricing grain. */
export type FineUsageColumn = 'phone' | 'country' | 'group';

/**
 * A read of usage_daily: `keep` (when given) sums it in SQL to the pricing grain plus only those
 * columns (the others read as unknown), for a reader that groups by them anyway.
 */
export interface UsageDailyQuery extends DayRange {
  keep?: readonly FineUsageColumn[];
}

/** The HyperLogLog sketch (base64) of the contacts of one WABA-local day, WABA and phone. */
export interface DaySketchRow {
  day: string;
  wabaId: string;
  sketch: string;
}

/** The verdict a message is counted with, and where it came from (for checks and support). */
export interface MessageVerdict {
  category: string | null;
  pricingType: string | null;
  pricingModel: string | null;
  /** 'meta': a status carried pricing; 'inferred': the window classifier gave it; null: no verdict yet. */
  source: 'meta' | 'inferred' | null;
  conversationId: string | null;
  deliveredAtMs: number | null;
  /** The usage_daily key it is counted under (JSON array) and the charged units it adds there. */
  countedKey: string | null;
  countedUnits: number;
}

export interface IngestResult {
  inserted: number;
  duplicates: number;
}

/**
 * The connector's durable store. Every method is async so that SQLite and PostgreSQL share one
 * interface; `ingest` resolves only once its events are committed.
 */
export interface Store extends PullSink {
  readonly kind: 'sqlite' | 'postgres';
  ingest(events: readonly WebhookEvent[], receivedAtMs: number): Promise<IngestResult>;
  /**
   * The fine rollup of `range`, ordered by day, WABA, phone, country, category, pricing type and group;
   * with `keep`, summed in SQL to the columns kept, in that order with market and model after.
   */
  usageDaily(range: UsageDailyQuery): Promise<UsageDailyRow[]>;
  callsDaily(range: DayRange): Promise<CallsDailyRow[]>;
  inboundDaily(range: DayRange): Promise<InboundDailyRow[]>;
  /** Estimated distinct contacts (delivered-to recipients and inbound senders) over WABA-local days. */
  uniqueContacts(range: DayRange): Promise<number>;
  /** The stored contact sketches of one WABA over WABA-local days (one per day and phone), in day order: one read for a whole range. */
  daySketches(range: DayRange & { wabaId: string }): Promise<DaySketchRow[]>;
  /**
   * The first and last WABA-local day with stored usage, calls, inbound messages or contact sketches
   * of one WABA (indexed MIN/MAX seeks, not a scan); null when it has none. Pulled Meta data is not counted.
   */
  dataDays(wabaId: string): Promise<{ fromDay: string; toDay: string } | null>;
  /** Tier updates and template recategorisations received between fromMs (inclusive) and toMs (exclusive). */
  accountEvents(range: { fromMs: number; toMs: number; wabaId?: string }): Promise<AccountEventRow[]>;
  pulledPricing(source: PullSource, range: DayRange): Promise<MetaPricingRow[]>;
  pulledCalls(source: PullSource, range: DayRange): Promise<MetaCallRow[]>;
  /** A count over raw_events (a scan): for tests and one-off checks; /health uses `eventStats`. */
  countRawEvents(): Promise<number>;
  /** The stored verdict of one message (wamid), null when no status of it was stored. */
  messageVerdict(wamid: string): Promise<MessageVerdict | null>;
  /**
   * For /health: stored raw events and when the newest was received (epoch ms). Exact, and read from
   * one row that ingest keeps in its own transaction (migration 015), never counted over raw_events.
   */
  eventStats(): Promise<{ events: number; lastEventAt: number | null }>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface StoreOptions {
  /** IANA time zone per WABA id; days are WABA-local. */
  timezones: Readonly<Record<string, string>>;
  /** Used for WABAs missing from `timezones` (events for unconfigured WABAs are still kept). */
  defaultTimezone?: string;
  /**
   * A reader beside the process that writes (the query worker): no migrations, and the connection
   * refuses writes (SQLite opened read-only on the same WAL file; PostgreSQL read-only transactions).
   */
  readOnly?: boolean;
  /**
   * Only for a store filled in one go and thrown away if the fill fails (the bench's bulk build):
   * commits are not waited on to reach the disk (SQLite `synchronous = OFF` and a larger page
   * cache, PostgreSQL `synchronous_commit = off`). The rows written are the same; only a crash
   * mid-fill can lose or (SQLite) corrupt them. Never for a connector that acknowledges webhooks.
   */
  bulkLoad?: boolean;
  /**
   * SQLite: how long a write waits for another process's write lock before failing with "database is
   * locked" (default 5 s, the connector's: a webhook waiting longer is better answered with an error
   * Meta retries). The CLI waits longer: a person importing a file beside a running connector would
   * rather wait out a long re-pricing or pulled-day commit than see it fail.
   */
  busyTimeoutMs?: number;
}
