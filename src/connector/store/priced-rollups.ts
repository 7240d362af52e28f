import { addDays, type Micros, type TierSplit } from '@core';
import type { DayRange } from './store';

/** One row of priced_usage: the pricing grain, keyed by category, pricing type and model as core prices them. */
export interface PricedUsageRow {
  day: string;
  wabaId: string;
  market: string;
  category: string;
  pricingType: string;
  pricingModel: string;
  portfolioId: string;
  currency: string;
  messages: number;
  units: number;
  billable: number;
  /** null: no price is known; `problem` is core's code for why. */
  costMicros: Micros | null;
  problem: string | null;
  tiers: TierSplit[] | null;
  /** The pricing version the row was written under (read back; writes take it from `PricedDay`). */
  version?: string;
}

/** The finer grains the panels split by; each row's cost is allocated from one priced_usage row. */
export type PricedDimension = 'country' | 'phone' | 'group';
export const PRICED_DIMENSIONS: readonly PricedDimension[] = ['country', 'phone', 'group'];

export interface PricedDimRow {
  day: string;
  wabaId: string;
  /** The country, phone number id or group; '' when unknown (as in usage_daily). */
  value: string;
  market: string;
  category: string;
  pricingType: string;
  pricingModel: string;
  currency: string;
  messages: number;
  units: number;
  billable: number;
  costMicros: Micros | null;
}

/**
 * A panel's read of one finer grain: `range` narrowed to the listed WABAs, dimension values,
 * categories and pricing types (each list empty or absent: no narrowing).
 */
export interface PricedDimQuery extends DayRange {
  wabaIds?: readonly string[];
  values?: readonly string[];
  categories?: readonly string[];
  pricingTypes?: readonly string[];
  /**
   * Sum over the range's days too: one row per key, dated the range's first day. For a panel bucketed by month that
   * reads one WABA-month at a time, the rows it would add up anyway (a month of a finer grain is ~30
   * times the rows of its total). Within one month, a grain with month totals (migration 021, read
   * with the market) is read from them when the range's WABAs have no day row of the month outside
   * the range: the same sums without the temporary B-tree.
   */
  sumDays?: boolean;
  /**
   * The panel neither splits nor filters by market: phone and group are read summed over markets
   * (migration 020: fewer rows by as many times as the markets a phone or group reaches), their
   * rows' market ''. The pricing grain and the country keep the market whatever this says.
   */
  withoutMarket?: boolean;
}

/** A finer-grain row summed over pricing models (no panel shows the model); cost null only when every part's is. */
export type PricedDimTotal = Omit<PricedDimRow, 'pricingModel'>;

/**
 * A WHERE of the `leading` conditions (each `<column> <operator>` and its value), with
 * `narrow(column, values)` adding `column IN (...)` for a non-empty list; `ph(i)` writes the i-th
 * placeholder (from 1), and `args` holds the values in that order.
 */
export function sqlWhere(leading: readonly (readonly [string, unknown])[], ph: (i: number) => string) {
  const args: unknown[] = [];
  const where: string[] = [];
  for (const [condition, value] of leading) where.push(`${condition} ${ph(args.push(value))}`);
  const narrow = (col: string, values: readonly string[] | undefined) => {
    if (!values || values.length === 0) return;
    where.push(`${col} IN (${values.map((v) => ph(args.push(v))).join(', ')})`);
  };
  return { args, where, narrow };
}

const dayRangeWhere = (fromDay: string, toDay: string, ph: (i: number) => string) =>
  sqlWhere(
    [
      ['day >=', fromDay],
      ['day <=', toDay],
    ],
    ph,
  );

/** A panel's narrowing of a priced grain read (its WABAs, the dimension's values, categories, pricing types). */
export function narrowPanel(narrow: ReturnType<typeof sqlWhere>['narrow'], q: PricedDimQuery, column: string | null): void {
  narrow('waba_id', q.wabaId === undefined ? q.wabaIds : [q.wabaId]);
  if (column !== null) narrow(column, q.values);
  narrow('category', q.categories);
  narrow('pricing_type', q.pricingTypes);
}

/** Whether a read of `dimension` goes to its table without the market (migration 020). */
export const readsWithoutMarket = (dimension: PricedDimension | null, q: PricedDimQuery): boolean =>
  q.withoutMarket === true && dimension !== null && DIM_TABLE[dimension].withoutMarket !== undefined;

/**
 * The aggregate behind `pricedUsageTotals`, for both engines (`ph(i)` writes the i-th placeholder,
 * from 1): the day range leads so each table's primary key (day first) or its (waba_id, day) index
 * serves it; the narrowing lists go to SQL, so only the rows a panel keeps leave the database.
 * `dimension` null reads the pricing grain (priced_usage) the same way. Summed over days, a row whose
 * cost is unknown is never merged into a priced one, so the messages counted but not priced stay
 * countable (they are reported as problems).
 */
export function pricedTotalsSql(
  dimension: PricedDimension | null,
  q: PricedDimQuery,
  ph: (i: number) => string,
): { sql: string; args: unknown[] } {
  const { table, column, withoutMarket } = dimension === null ? PRICING_GRAIN_TABLE : DIM_TABLE[dimension];
  const lean = readsWithoutMarket(dimension, q);
  const { args, where, narrow } = dayRangeWhere(q.fromDay, q.toDay, ph);
  narrowPanel(narrow, q, column);
  const keyOf = (market: string[]) =>
    ['waba_id', ...(column === null ? [] : [column]), ...market, 'category', 'pricing_type', 'currency'].join(', ');
  const keys = keyOf(lean ? [] : ['market']);
  const selected = keyOf([lean ? "'' AS market" : 'market']);
  // The tables without the market keep a cost-less row apart already (`unpriced`).
  const costless = lean ? 'unpriced' : 'cost_micros IS NULL';
  const sums = 'SUM(messages) AS messages, SUM(units) AS units, SUM(billable) AS billable, SUM(cost_micros) AS cost_micros';
  const from = `FROM ${lean ? withoutMarket : table} WHERE ${where.join(' AND ')}`;
  return {
    sql: q.sumDays
      ? `SELECT ${selected}, ${sums} ${from} GROUP BY ${keys}, ${costless} ORDER BY ${keys}, ${costless}`
      : `SELECT day, ${selected}, ${sums} ${from} GROUP BY day, ${keys} ORDER BY day, ${keys}`,
    args,
  };
}

/** A `pricedTotalsSql` or `monthTotalsSql` row; summed over days, dated the range's first day. */
export const dimTotalOf = (d: PricedDimension | null, q: PricedDimQuery, r: Record<string, unknown>): PricedDimTotal =>
  dimFields(d, q.sumDays ? q.fromDay : String(r.day), r);

/** A finer-grain row's fields but its pricing model, field by field: a panel reads thousands of them. */
function dimFields(d: PricedDimension | null, day: string, r: Record<string, unknown>): PricedDimTotal {
  return {
    day,
    wabaId: String(r.waba_id),
    value: d === null ? '' : String(r[DIM_TABLE[d].column]),
    market: String(r.market),
    category: String(r.category),
    pricingType: String(r.pricing_type),
    currency: String(r.currency),
    messages: Number(r.messages),
    units: Number(r.units),
    billable: Number(r.billable),
    costMicros: microsOf(r.cost_micros),
  };
}

/**
 * What a dirty mark owes a pricing to (migration 022): the messages' usage (priced_usage and its finer
 * grains) or the calls (priced_calls). A message webhook marks the usage, a call webhook the calls,
 * a price-file import or a new pricing version both.
 */
export type PricedKind = 'usage' | 'calls';
export const PRICED_KINDS: readonly PricedKind[] = ['usage', 'calls'];
/** Each kind's bit in pricing_dirty's kinds and touched_kinds. */
export const KIND_BITS: Readonly<Record<PricedKind, number>> = { usage: 1, calls: 2 };
export const ALL_KINDS_BITS = KIND_BITS.usage | KIND_BITS.calls;
export const kindsOfBits = (bits: number): PricedKind[] => PRICED_KINDS.filter((k) => (bits & KIND_BITS[k]) !== 0);
export const bitsOfKinds = (kinds: readonly PricedKind[]): number => kinds.reduce((bits, k) => bits | KIND_BITS[k], 0);

/** An ingest transaction's dirty marks, by WABA and month (`wabaId` NUL `month`): the first day and the kinds' bits. */
export type PendingMarks = Map<string, { day: string; kinds: number }>;

/** Notes in `marks` that `day`'s month of `wabaId` owes a pricing of `kind` from `day` on. */
export function addMark(marks: PendingMarks, wabaId: string, day: string, kind: PricedKind): void {
  const key = `${wabaId}\u0000${day.slice(0, 7)}`;
  const mark = marks.get(key);
  if (mark === undefined) marks.set(key, { day, kinds: KIND_BITS[kind] });
  else {
    if (day < mark.day) mark.day = day;
    mark.kinds |= KIND_BITS[kind];
  }
}

/**
 * A WABA-local month owed a re-pricing of `kinds` from `fromDay` on (the stored days before it are
 * exact, and so are every day of a kind not listed). `touchedDay`: the earliest day ingest or an
 * import marked since the re-pricer last claimed the month (null: none since), so a pass knows which
 * of the days it priced moved under it.
 */
export interface DirtyMonth {
  wabaId: string;
  month: string;
  fromDay: string;
  touchedDay: string | null;
  kinds: PricedKind[];
}

/**
 * Where a month's marks stand once the re-pricer has written `day` from a read that began when it
 * claimed the month: every day up to `day` is exact unless something marked since the claim touched
 * it (`touched`, the earliest such day). The first day not known exact, or null when that is past
 * the month's end (the month is clean).
 */
export function markAfterWrite(day: string, touched: string | null): string | null {
  const next = addDays(day, 1);
  const from = touched !== null && touched < next ? touched : next;
  return monthOfDay(from) === monthOfDay(day) ? from : null;
}

/**
 * Whether `day` ends its month: a mark still standing after the re-pricer wrote it keeps only the
 * kinds marked since the claim (`touched_kinds`), the pass having priced every kind it claimed.
 */
export const isLastDayOfMonth = (day: string): boolean => monthOfDay(addDays(day, 1)) !== monthOfDay(day);

/** Who re-prices which portfolio month, until when. */
export interface PricingLease {
  portfolioId: string;
  month: string;
  holder: string;
  nowMs: number;
  leaseMs: number;
}

/**
 * One row of priced_calls (migration 017): the finished calls of one calls_daily key (day, WABA,
 * phone, country, market, direction; '' where unknown, as there), each priced by core on its own
 * (pulses round per call; minute tiers per portfolio and month, in call start order) and summed.
 */
export interface PricedCallRow {
  day: string;
  wabaId: string;
  phoneNumberId: string;
  country: string;
  market: string;
  /** business_initiated or user_initiated: core prices no other call, and no panel counts one. */
  direction: string;
  portfolioId: string;
  currency: string;
  calls: number;
  durationSec: number;
  pulses: number;
  /** The sum of the key's priced calls; null only when none of them has a price (`problem` says why). */
  costMicros: Micros | null;
  /** Core's code for the key's calls without a price (`no_call_rate`), else null. */
  problem: string | null;
  /** The pricing version the row was written under (read back; writes take it from `PricedDay`). */
  version?: string;
}

/** A panel's read of priced_calls: `range` narrowed to the listed WABAs, phones, countries and directions (empty or absent: all). */
export interface PricedCallQuery extends DayRange {
  wabaIds?: readonly string[];
  phones?: readonly string[];
  countries?: readonly string[];
  directions?: readonly string[];
  /**
   * Summed in SQL per day, WABA and currency and only these key columns (the others read ''): what a
   * panel keeps of the key (its `by` and its filters), so a daily panel over 90 days reads a row per
   * day and WABA instead of one per phone x country x direction. A group holds one day, which the
   * re-pricer writes whole under one version, so its version is its rows'.
   */
  totalsBy?: readonly PricedCallDimension[];
  /**
   * With `totalsBy`, summed over the range's days too, one row per WABA and key dated the first day
   * with calls (a panel by month reads a row per country instead of one per country and day). A
   * group then spans days the re-pricer wrote apart, so its version is null unless all of them
   * carry the same one.
   */
  sumDays?: boolean;
}

/** The priced_calls key columns a panel may keep, besides the day and the WABA. */
export type PricedCallDimension = 'phone' | 'country' | 'market' | 'direction';
const CALL_DIMENSION_COLUMN: Record<PricedCallDimension, string> = {
  phone: 'phone_number_id',
  country: 'country',
  market: 'market',
  direction: 'direction',
};

export const PRICED_CALL_KEY_COLUMNS = ['day', 'waba_id', 'phone_number_id', 'country', 'market', 'direction'] as const;
export const PRICED_CALL_COLUMNS = [
  ...PRICED_CALL_KEY_COLUMNS,
  'portfolio_id',
  'currency',
  'calls',
  'duration_sec',
  'pulses',
  'cost_micros',
  'problem',
  'version',
  'priced_at_ms',
] as const;

/** Values of a priced_calls row in PRICED_CALL_COLUMNS order. */
export function pricedCallValues(r: PricedCallRow, version: string, atMs: number): unknown[] {
  return [
    r.day,
    r.wabaId,
    r.phoneNumberId,
    r.country,
    r.market,
    r.direction,
    r.portfolioId,
    r.currency,
    r.calls,
    r.durationSec,
    r.pulses,
    r.costMicros,
    r.problem,
    version,
    atMs,
  ];
}

export function pricedCallOf(r: Record<string, unknown>): PricedCallRow {
  return {
    day: String(r.day),
    wabaId: String(r.waba_id),
    phoneNumberId: String(r.phone_number_id),
    country: String(r.country),
    market: String(r.market),
    direction: String(r.direction),
    portfolioId: String(r.portfolio_id),
    currency: String(r.currency),
    calls: Number(r.calls),
    durationSec: Number(r.duration_sec),
    pulses: Number(r.pulses),
    costMicros: microsOf(r.cost_micros),
    problem: r.problem === null || r.problem === undefined ? null : String(r.problem),
    ...(r.version === undefined || r.version === null ? {} : { version: String(r.version) }),
  };
}

/**
 * The read behind `pricedCalls`, for both engines (`ph(i)` writes the i-th placeholder, from 1): the
 * day range leads so the primary key (day first) or the (waba_id, day) index serves it, and the
 * panel's narrowing goes to SQL, so only the rows it keeps leave the database.
 */
export function pricedCallsSql(q: PricedCallQuery, ph: (i: number) => string): { sql: string; args: unknown[] } {
  const { args, where, narrow } = dayRangeWhere(q.fromDay, q.toDay, ph);
  narrow('waba_id', q.wabaId === undefined ? q.wabaIds : [q.wabaId]);
  narrow('phone_number_id', q.phones);
  narrow('country', q.countries);
  narrow('direction', q.directions);
  if (!q.totalsBy)
    return { sql: `SELECT * FROM priced_calls WHERE ${where.join(' AND ')} ORDER BY ${PRICED_CALL_KEY_COLUMNS.join(', ')}`, args };
  const kept = new Set(q.totalsBy.map((d) => CALL_DIMENSION_COLUMN[d]));
  // Neither kept nor filtered on, the phone is summed away already in priced_calls_country (~20 times fewer rows).
  const byPhone = kept.has('phone_number_id') || (q.phones?.length ?? 0) > 0;
  const from = `FROM ${byPhone ? 'priced_calls' : 'priced_calls_country'} WHERE ${where.join(' AND ')}`;
  const byDay = q.sumDays !== true;
  const keys = PRICED_CALL_KEY_COLUMNS.map((c) =>
    c === 'day' ? (byDay ? c : 'MIN(day) AS day') : c === 'waba_id' || kept.has(c) ? c : `'' AS ${c}`,
  );
  const groupBy = [...PRICED_CALL_KEY_COLUMNS.filter((c) => (c === 'day' && byDay) || c === 'waba_id' || kept.has(c)), 'currency'].join(
    ', ',
  );
  const version = byDay ? 'MIN(version)' : 'CASE WHEN MIN(version) = MAX(version) THEN MIN(version) END';
  return {
    sql: `SELECT ${keys.join(', ')}, currency, MIN(portfolio_id) AS portfolio_id, SUM(calls) AS calls, SUM(duration_sec) AS duration_sec,
        SUM(pulses) AS pulses, SUM(cost_micros) AS cost_micros, MIN(problem) AS problem, ${version} AS version
      ${from} GROUP BY ${groupBy} ORDER BY ${groupBy}`,
    args,
  };
}

/**
 * Writes priced_calls_country (migration 019) from the priced_calls rows `where` selects (a day's,
 * of the day's WABAs): the same figures without the phone, in the transaction that wrote them.
 */
export const callsCountryFillSql = (where: string): string =>
  `INSERT INTO priced_calls_country
    SELECT day, waba_id, country, market, direction, MIN(portfolio_id), currency, SUM(calls), SUM(duration_sec), SUM(pulses),
      SUM(cost_micros), MIN(problem), MIN(version)
    FROM priced_calls WHERE ${where} GROUP BY day, waba_id, country, market, direction, currency`;

/**
 * Everything priced for one WABA-local day of the WABAs in `wabaIds`: for each of `kinds`, it replaces
 * what was stored (the rows of a kind not listed are left as they are, and that kind's lists are empty).
 */
export interface PricedDay {
  day: string;
  wabaIds: readonly string[];
  kinds: readonly PricedKind[];
  pricing: readonly PricedUsageRow[];
  dims: Readonly<Record<PricedDimension, readonly PricedDimRow[]>>;
  /** The day's priced calls (priced_calls). */
  calls: readonly PricedCallRow[];
  /**
   * Kinds the day still owes after this write (not among `kinds`): the day is marked touched for
   * them, as an ingest landing on it would, so it stays dirty for them whatever the later days'
   * writes do. The re-pricer's day whose usage moved since its read (re-pricer.ts).
   */
  owed?: readonly PricedKind[];
  version: string;
  pricedAtMs: number;
}

/**
 * The priced rollups (migrations 013, and 017 for calls) and the bookkeeping of their maintenance.
 * Ingest (messages and calls) and price-file imports mark months dirty themselves; the re-pricer (query/re-pricer.ts) does the rest through this.
 */
export interface PricedRollupStore {
  /** Every dirty month, in (month, WABA) order. */
  pricingDirty(): Promise<DirtyMonth[]>;
  /** Records `version`; when it differs from the stored one, every stored month is marked dirty from its first day. Returns whether it did. */
  ensurePricingVersion(version: string): Promise<boolean>;
  /**
   * Takes or renews the lease of a portfolio month and begins a read of it: in one transaction,
   * returns the marks of `wabaIds` (the portfolio's WABAs) in the month and clears their
   * `touchedDay`, so whatever marks the month from here on is known to have moved under the read.
   * null, and nothing cleared, while another holder's lease runs.
   */
  claimPricingMonth(lease: PricingLease, wabaIds: readonly string[]): Promise<DirtyMonth[] | null>;
  /**
   * Replaces one day's priced rows of `day.kinds` in one transaction, only while `lease` is still
   * held (false, nothing written, otherwise); in the same transaction the marks of `day.wabaIds` in
   * the day's month move to `markAfterWrite(day, their earliest touchedDay)`, or are deleted when that
   * is null. A mark that outlives the month's last day keeps only the kinds marked since the claim:
   * the pass priced the month's days of every kind the claim returned.
   */
  writePricedDay(lease: PricingLease, day: PricedDay): Promise<boolean>;
  /** Gives the lease back (the marks already say what is left: each day's write narrowed them). */
  finishPricingMonth(lease: PricingLease): Promise<void>;
  pricedUsage(range: DayRange): Promise<PricedUsageRow[]>;
  pricedUsageBy(dimension: PricedDimension, range: DayRange): Promise<PricedDimRow[]>;
  /**
   * How many pricing-grain rows of `range` hold a pricing problem (`problems`) and how many were
   * written under a version other than `version` (`stale`), counted in one scan of the range.
   */
  pricedUsageUnfit(range: DayRange, version: string): Promise<{ problems: number; stale: number }>;
  /**
   * What the pricing-grain rows of `range` were written as: their count and latest `priced_at_ms`, as
   * one string. Any usage a month gets marks it, and the re-pricer rewrites its days from the mark
   * with a later time, so a month without a mark whose stamp has not moved holds the same usage.
   */
  pricedUsageStamp(range: DayRange): Promise<string>;
  /**
   * One finer grain (or, `dimension` null, the pricing grain) summed per day, WABA, value, market,
   * category, pricing type and currency, narrowed in SQL; with `sumDays`, over the range's days too.
   */
  pricedUsageTotals(dimension: PricedDimension | null, query: PricedDimQuery): Promise<PricedDimTotal[]>;
  /** The stored priced calls of a range, narrowed in SQL, in key order. */
  pricedCalls(query: PricedCallQuery): Promise<PricedCallRow[]>;
}

/**
 * The column of a finer grain's dimension, its table, and the table of the same figures summed over
 * markets (migration 020; the country has none: a country is in one market).
 */
export const DIM_TABLE: Record<PricedDimension, { table: string; column: string; withoutMarket?: string }> = {
  country: { table: 'priced_usage_country', column: 'country' },
  phone: { table: 'priced_usage_phone', column: 'phone_number_id', withoutMarket: 'priced_usage_phone_category' },
  group: { table: 'priced_usage_group', column: 'grp', withoutMarket: 'priced_usage_group_category' },
};
/** The pricing grain read as totals: no dimension column (its rows' `value` is ''). */
const PRICING_GRAIN_TABLE = { table: 'priced_usage', column: null, withoutMarket: undefined } as const;

/** `pricedUsageStamp`'s figures; its WHERE (the day range) follows. */
export const STAMP_OF = 'SELECT COUNT(*) AS n, MAX(priced_at_ms) AS at FROM priced_usage';
export const stampOf = (r: { n: unknown; at: unknown } | undefined): string => `${String(r?.n ?? 0)}:${String(r?.at ?? '')}`;

/**
 * `pricedUsageUnfit`'s two counts for both engines, each from an index of migration 024: the rows
 * with a pricing problem from the partial index on them, the rows of another version from
 * (version, day), below and above the current version (a store written under one version reads
 * nothing there). A scan of the range's rows cost every panel request 1.5 ms per month at full scale
 * (docs/performance.md, "Calls by month summed in SQL"). SQLite keeps no statistics here to choose
 * those indexes by, so `sqliteIndexes` names them (`INDEXED BY`); PostgreSQL chooses by its own.
 */
export function unfitCountsSql(
  range: DayRange,
  version: string,
  ph: (i: number) => string,
  sqliteIndexes = false,
): { sql: string; args: unknown[] } {
  const args: unknown[] = [];
  const from = (index: string) => `FROM priced_usage${sqliteIndexes ? ` INDEXED BY ${index}` : ''}`;
  const days = () => {
    const conditions = [`day >= ${ph(args.push(range.fromDay))}`, `day <= ${ph(args.push(range.toDay))}`];
    if (range.wabaId !== undefined) conditions.push(`waba_id = ${ph(args.push(range.wabaId))}`);
    return conditions.join(' AND ');
  };
  const problems = `SELECT COUNT(*) ${from('priced_usage_problem_day')} WHERE problem IS NOT NULL AND ${days()}`;
  const other = (op: '<' | '>') =>
    `SELECT COUNT(*) ${from('priced_usage_version_day')} WHERE version ${op} ${ph(args.push(version))} AND ${days()}`;
  return { sql: `SELECT (${problems}) AS problems, (${other('<')}) + (${other('>')}) AS stale`, args };
}

/** The tables a priced day of each kind is written to row by row (the re-pricer's; a day replaces what they held). */
export const PRICED_TABLES: Readonly<Record<PricedKind, readonly string[]>> = {
  usage: ['priced_usage', ...PRICED_DIMENSIONS.map((x) => DIM_TABLE[x].table)],
  calls: ['priced_calls', 'priced_calls_country'],
};

/** The tables written from the day's finer-grain rows (migration 020), and the statement that fills each. */
export const WITHOUT_MARKET_FILLS = PRICED_DIMENSIONS.flatMap((d) => {
  const { table, column, withoutMarket } = DIM_TABLE[d];
  if (withoutMarket === undefined) return [];
  const unpriced = 'CASE WHEN cost_micros IS NULL THEN 1 ELSE 0 END';
  return [
    {
      table: withoutMarket,
      /** Fills it from the rows of `table` that `where` selects (a day's, of the day's WABAs). */
      fillSql: (where: string) =>
        `INSERT INTO ${withoutMarket}
          SELECT day, waba_id, ${column}, category, pricing_type, currency, ${unpriced}, SUM(messages), SUM(units), SUM(billable), SUM(cost_micros)
          FROM ${table} WHERE ${where} GROUP BY day, waba_id, ${column}, category, pricing_type, currency, ${unpriced}`,
    },
  ];
});

export const PRICED_KEY_COLUMNS = ['day', 'waba_id', 'market', 'category', 'pricing_type', 'pricing_model'] as const;
export const PRICED_COLUMNS = [
  ...PRICED_KEY_COLUMNS,
  'portfolio_id',
  'currency',
  'messages',
  'units',
  'billable',
  'cost_micros',
  'problem',
  'tiers',
  'version',
  'priced_at_ms',
] as const;
export const dimColumns = (d: PricedDimension) =>
  [
    'day',
    'waba_id',
    DIM_TABLE[d].column,
    'market',
    'category',
    'pricing_type',
    'pricing_model',
    'currency',
    'messages',
    'units',
    'billable',
    'cost_micros',
  ] as const;

const microsOf = (v: unknown): Micros | null => (v === null || v === undefined ? null : BigInt(v as string | number | bigint));

/** Values of a priced_usage row in PRICED_COLUMNS order (cost as bigint, tiers as JSON). */
export function pricedValues(r: PricedUsageRow, version: string, atMs: number): unknown[] {
  const tiers = r.tiers ? JSON.stringify(r.tiers.map((t) => [t.lower, t.upper, t.units, t.rateMicros.toString()])) : null;
  return [
    r.day,
    r.wabaId,
    r.market,
    r.category,
    r.pricingType,
    r.pricingModel,
    r.portfolioId,
    r.currency,
    r.messages,
    r.units,
    r.billable,
    r.costMicros,
    r.problem,
    tiers,
    version,
    atMs,
  ];
}

export function dimValues(r: PricedDimRow): unknown[] {
  return [
    r.day,
    r.wabaId,
    r.value,
    r.market,
    r.category,
    r.pricingType,
    r.pricingModel,
    r.currency,
    r.messages,
    r.units,
    r.billable,
    r.costMicros,
  ];
}

export function pricedRowOf(r: Record<string, unknown>): PricedUsageRow {
  const tiers =
    r.tiers === null || r.tiers === undefined
      ? null
      : (JSON.parse(String(r.tiers)) as [number, number | null, number, string][]).map(([lower, upper, units, rate]) => ({
          lower,
          upper,
          units,
          rateMicros: BigInt(rate),
        }));
  return {
    day: String(r.day),
    wabaId: String(r.waba_id),
    market: String(r.market),
    category: String(r.category),
    pricingType: String(r.pricing_type),
    pricingModel: String(r.pricing_model),
    portfolioId: String(r.portfolio_id),
    currency: String(r.currency),
    messages: Number(r.messages),
    units: Number(r.units),
    billable: Number(r.billable),
    costMicros: microsOf(r.cost_micros),
    problem: r.problem === null || r.problem === undefined ? null : String(r.problem),
    tiers,
    ...(r.version === undefined || r.version === null ? {} : { version: String(r.version) }),
  };
}

export function dimRowOf(d: PricedDimension | null, r: Record<string, unknown>): PricedDimRow {
  return { ...dimFields(d, String(r.day), r), pricingModel: String(r.pricing_model) };
}

/** A pricing_dirty row as read back. */
export function markOf(r: Record<string, unknown>): DirtyMonth {
  return {
    wabaId: String(r.waba_id),
    month: String(r.month),
    fromDay: String(r.from_day),
    touchedDay: r.touched_day === null || r.touched_day === undefined ? null : String(r.touched_day),
    kinds: kindsOfBits(Number(r.kinds)),
  };
}

/** The WABA-local month of a day. */
export const monthOfDay = (day: string) => day.slice(0, 7);
