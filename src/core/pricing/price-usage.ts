import { isKnownCategory, isKnownPricingType, rateColumnOf, type RateColumn } from '../model/category';
import type { Micros } from '../model/money';
import type { PricedRow, PricingProblem, TierSplit, UsageRow } from '../model/usage';
import { rateCardInForce, tierTableInForce, type PriceBook } from '../ratecard/price-book';
import { rateOf, type RateCard, type RateUnit } from '../ratecard/rate-card';
import { tiersOf, type TierTable } from '../ratecard/tiers';
import { ProblemCollector } from './problems';
import { freeTierKey, splitAcrossTiers, tierCostMicros, tierKey } from './tier-ladder';
import { assertUsageRows } from './validate-rows';
import { firstDayWhere, PRICING_RULES, rulesOn, type PricingRules, type PricingRuleRow } from '../rules/pricing-rules';
import { addDays } from '../time/calendar';

/** CBP: the first 1,000 service conversations per WABA per WABA-local month were free (rules table)... */
export const FREE_SERVICE_CONVERSATIONS = rulesOn(addDays((PRICING_RULES[0] as PricingRuleRow).from, -1)).cbpFreeServicePerMonth;
/** ...until service conversations became free for everyone (2024-11-01, rules table). */
export const SERVICE_FREE_FROM = firstDayWhere((r) => !r.cbpServiceCharged) as string;

export interface PriceUsageOptions {
  /**
   * Units already charged in the month before the priced rows, by tierKey(...) (and the CBP free
   * service conversations already used, by freeTierKey(...)), for windows that start mid-month.
   */
  priorUnits?: ReadonlyMap<string, number> | Readonly<Record<string, number>>;
  /** The pricing rules table (default: Meta's, PRICING_RULES); tests pass one with an extra row. */
  rules?: readonly PricingRuleRow[];
}

export interface PriceUsageResult {
  /** One priced row per input row, in input order. */
  rows: PricedRow[];
  problems: PricingProblem[];
  /** Charged units per tierKey at the end (prior units included): the current tier of each ladder. */
  tierCounts: Map<string, number>;
}

/**
 * Builds the priced row field by field, every optional field present (undefined when absent): object
 * spread, or adding a property after the literal, is several times slower on 100k rows.
 */
export function toPriced(row: UsageRow, billable: number, costMicros: Micros | null, tiers?: TierSplit[]): PricedRow {
  return {
    day: row.day,
    wabaId: row.wabaId,
    portfolioId: row.portfolioId,
    currency: row.currency,
    market: row.market,
    category: row.category,
    pricingType: row.pricingType,
    pricingModel: row.pricingModel,
    units: row.units,
    messages: row.messages,
    dims: row.dims,
    billable,
    costMicros,
    tiers,
  };
}

function movesCounter(row: UsageRow, rules: PricingRules): boolean {
  if (row.pricingModel === 'PMP') {
    const column = rateColumnOf(row.category);
    return row.pricingType === 'regular' && column !== null && rules.tierCounters[column] !== undefined;
  }
  return (
    row.category === 'service' &&
    (row.pricingType === 'regular' || row.pricingType === 'free_tier') &&
    rules.cbpServiceCharged &&
    rules.cbpFreeServicePerMonth > 0
  );
}

function dimsKey(row: UsageRow): string {
  return row.dims
    ? Object.keys(row.dims)
        .sort()
        .map((k) => `${k}=${row.dims?.[k] ?? ''}`)
        .join('\u0001')
    : '';
}

/** The only own key of a row's dims, or undefined (none, several, or no dims). */
function soleKey(dims: UsageRow['dims']): string | undefined {
  let found: string | undefined;
  if (!dims) return undefined;
  for (const k in dims) {
    if (found !== undefined || !Object.prototype.hasOwnProperty.call(dims, k)) return undefined;
    found = k;
  }
  return found;
}

function sortKey(row: UsageRow): string {
  return [row.day, row.wabaId, row.market, row.category, row.pricingType, row.pricingModel, row.currency, dimsKey(row)].join('\u0000');
}

/**
 * Prices aggregated usage rows by the rules in force on each row's WABA-local day (rules table).
 * PMP: a row is charged iff Meta's type is `regular` and the category has a rate column; columns with
 * a tier counter in the rules go through the volume tiers in force; a charged service row without a
 * Service rate on the card takes the rules' fallback column (utility, from 2026-10-01), never tiered.
 * CBP: one charge per conversation, service conversations free or within a monthly allowance as the
 * rules say. Unknown categories and pricing types are kept: cost null (0 when Meta's type is a known
 * free one) and an unknown_* problem counting rows and units. Rows are processed by day and then a
 * stable key, so the tier split does not depend on input order. Missing prices give costMicros null
 * plus a problem; never throws for them (bad rows are InputErrors).
 */
export function priceUsage(rows: readonly UsageRow[], book: PriceBook, options: PriceUsageOptions = {}): PriceUsageResult {
  const out: PricedRow[] = new Array(rows.length);
  const { problems, tierCounts } = priceUsageEach(rows, book, options, (i, row, billable, costMicros, tiers) => {
    out[i] = toPriced(row, billable, costMicros, tiers);
  });
  return { rows: out, problems, tierCounts };
}

/**
 * Receives each priced row: its index in the input, the row, charged units, cost (null: no known
 * price) and, on a tiered rate, the split. Rows come in pricing order, not input order.
 */
export type PricedRowSink = (index: number, row: UsageRow, billable: number, costMicros: Micros | null, tiers?: TierSplit[]) => void;

/**
 * priceUsage without building a priced row per input row: each row's price goes to `sink`. For
 * callers that only sum prices (the plugin's what-if frames over tens of thousands of rows), where
 * the priced copies would cost as much as the pricing. With `splits` false, tiered rows come
 * without their split (the same cost, no objects built).
 */
export function priceUsageEach(
  rows: readonly UsageRow[],
  book: PriceBook,
  options: PriceUsageOptions,
  sink: PricedRowSink,
  splits = true,
): Omit<PriceUsageResult, 'rows'> {
  assertUsageRows(rows);
  return priceCheckedRows(rows, book, options, sink, splits);
}

/**
 * priceUsageEach for rows already checked by assertUsageRows or made from checked rows (the
 * what-if scenario's rows); core-internal, not exported from the pricing module.
 */
export function priceCheckedRows(
  rows: readonly UsageRow[],
  book: PriceBook,
  options: PriceUsageOptions,
  sink: PricedRowSink,
  splits: boolean,
): Omit<PriceUsageResult, 'rows'> {
  const prior = options.priorUnits;
  const priorOf = (key: string): number =>
    (prior instanceof Map ? prior.get(key) : (prior as Record<string, number> | undefined)?.[key]) ?? 0;
  // Running counts by tierKey / freeTierKey, in order of first use, starting from the prior units.
  const counters = new Map<string, Counter>();
  const counterOf = (key: string): Counter => {
    let c = counters.get(key);
    if (!c) counters.set(key, (c = { count: priorOf(key) }));
    return c;
  };
  // Rows that move a counter wait in its slot, found through the row's own strings (portfolio,
  // market, counter, month) rather than a joined key: building that string per row costs more than
  // pricing the row. A slot's counter is only created when a row of it is charged.
  const tierSlots = new Map<string, Map<string, Map<string, Map<string, Slot>>>>();
  const freeSlots = new Map<string, Slot>();
  const newSlot = (key: string): Slot => {
    const slot: Slot = { key, rows: [], counter: undefined };
    slots.push(slot);
    return slot;
  };
  const slots: Slot[] = [];
  const tierSlotOf = (row: UsageRow, counter: string, month: string): Slot => {
    let byMarket = tierSlots.get(row.portfolioId);
    if (!byMarket) tierSlots.set(row.portfolioId, (byMarket = new Map()));
    let byCounter = byMarket.get(row.market);
    if (!byCounter) byMarket.set(row.market, (byCounter = new Map()));
    let byMonth = byCounter.get(counter);
    if (!byMonth) byCounter.set(counter, (byMonth = new Map()));
    let slot = byMonth.get(month);
    if (!slot) byMonth.set(month, (slot = newSlot(tierKey(row.portfolioId, row.market, counter, month))));
    return slot;
  };
  const freeSlotOf = (row: UsageRow, month: string): Slot => {
    const key = freeTierKey(row.wabaId, month);
    let slot = freeSlots.get(key);
    if (!slot) freeSlots.set(key, (slot = newSlot(key)));
    return slot;
  };
  const tallyOf = (slot: Slot): Counter => (slot.counter ??= counterOf(slot.key));
  const problems = new ProblemCollector();
  const table = options.rules ?? PRICING_RULES;
  // Everything a row's pricing reads that depends only on its day (and currency) is looked up once per
  // day: rows come in runs of one day, so most rows hit the last day's context without a map lookup.
  const byDay = new Map<string, DayContext>();
  let lastDay: string | undefined;
  let lastContext: DayContext | undefined;
  const contextOf = (day: string): DayContext => {
    if (day === lastDay && lastContext) return lastContext;
    let c = byDay.get(day);
    if (!c) byDay.set(day, (c = { rules: rulesOn(day, table), month: day.slice(0, 7), prices: new Map() }));
    lastDay = day;
    lastContext = c;
    return c;
  };
  const pricesOf = (c: DayContext, currency: string): DayPrices => {
    let p = c.prices.get(currency);
    if (!p)
      c.prices.set(currency, (p = { message: undefined, conversation: undefined, tiers: undefined, staleFor: undefined, staleText: '' }));
    return p;
  };
  const cardFor = (p: DayPrices, currency: string, day: string, unit: RateUnit): RateCard | null => {
    let card = p[unit];
    if (card === undefined) p[unit] = card = rateCardInForce(book, currency, day, unit);
    return card;
  };
  const tableFor = (p: DayPrices, currency: string, day: string): TierTable | null => {
    let t = p.tiers;
    if (t === undefined) p.tiers = t = tierTableInForce(book, currency, day);
    return t;
  };

  const cbpBillable = (row: UsageRow, column: RateColumn | null, c: DayContext, slot: Slot | undefined): number => {
    if (column === null || (row.pricingType !== 'regular' && row.pricingType !== 'free_tier')) return 0;
    if (row.category !== 'service') return row.pricingType === 'regular' ? row.units : 0;
    const rules = c.rules;
    if (!rules.cbpServiceCharged) return 0;
    // Meta's free_tier verdicts fill the allowance first (they sort before `regular` on a day);
    // regular service conversations only get what is left, so the allowance is never used twice.
    // Without a slot the allowance is 0 (the row does not wait for the counter): still counted as used.
    const counter = slot ? tallyOf(slot) : counterOf(freeTierKey(row.wabaId, c.month));
    const used = counter.count;
    const allowance = rules.cbpFreeServicePerMonth;
    const free = row.pricingType === 'free_tier' ? row.units : Math.max(0, Math.min(row.units, allowance - used));
    counter.count = used + free;
    return row.units - free;
  };

  const unknown = (row: UsageRow, i: number, knownCategory: boolean): void => {
    // Meta Business Agent messages, once the rules name their webhook value: recognised, but charged
    // per token, which webhooks do not report.
    const agent = !knownCategory && contextOf(row.day).rules.metaBusinessAgent.webhookValue === row.category;
    const code = agent
      ? ('unpriced_per_token' as const)
      : knownCategory
        ? ('unknown_pricing_type' as const)
        : ('unknown_category' as const);
    const message = agent
      ? `Meta Business Agent messages ("${row.category}") are charged per token; webhooks carry no token counts, so they are counted, not priced`
      : `Unknown ${knownCategory ? `pricing type "${row.pricingType}"` : `category "${row.category}"`}: counted as delivered, not priced (waspend does not know Meta's rate for it yet)`;
    problems.add({ code, message, currency: row.currency, day: row.day, market: row.market, category: row.category, units: row.units });
    // Meta's verdict still says whether it is charged; a known free verdict costs nothing.
    const free = isKnownPricingType(row.pricingType) && row.pricingType !== 'regular';
    sink(i, row, free ? 0 : row.pricingType === 'regular' ? row.units : 0, free ? 0n : null);
  };

  // Same field order as the problems always had (the API serialises them).
  const problem = (row: UsageRow, code: PricingProblem['code'], message: string) =>
    problems.add({ code, currency: row.currency, day: row.day, market: row.market, category: row.category, message });

  /** Prices a row of known category and pricing type. */
  const priceKnown = (i: number, row: UsageRow, c: DayContext, slot?: Slot): void => {
    const rules = c.rules;
    const column = rateColumnOf(row.category);
    const isPmp = row.pricingModel === 'PMP';
    const billable = isPmp ? (row.pricingType === 'regular' && column !== null ? row.units : 0) : cbpBillable(row, column, c, slot);
    if (billable === 0 || column === null) {
      sink(i, row, 0, 0n);
      return;
    }
    const unit: RateUnit = isPmp ? 'message' : 'conversation';
    const p = pricesOf(c, row.currency);
    const card = cardFor(p, row.currency, row.day, unit);
    const counter = isPmp ? rules.tierCounters[column] : undefined;
    if (counter !== undefined) {
      // A PMP row on a tier counter moves it (movesCounter), so it was priced from its slot.
      const tally = tallyOf(slot as Slot);
      const before = tally.count;
      tally.count = before + billable;
      const table = tableFor(p, row.currency, row.day);
      const ladder = table ? tiersOf(table, row.market, column) : null;
      if (table && ladder) {
        if (card && table.effectiveFrom < card.effectiveFrom) {
          // Every tiered row of the day has this problem: its text is written once per card.
          if (p.staleFor !== card) {
            p.staleFor = card;
            p.staleText = `${row.currency} volume tiers from ${table.effectiveFrom} are older than the rate card from ${card.effectiveFrom}; import the matching tier CSV`;
          }
          problem(row, 'stale_tier_table', p.staleText);
        }
        if (!splits) return sink(i, row, billable, tierCostMicros(ladder, before, billable));
        const split = splitAcrossTiers(ladder, before, billable);
        sink(i, row, billable, split.costMicros, split.splits);
        return;
      }
    }
    if (!card) {
      problem(row, 'no_rate_card', `No ${row.currency} rate card per ${unit} in force on ${row.day}`);
      sink(i, row, billable, null);
      return;
    }
    let rate = rateOf(card, row.market, column);
    // Meta from 2026-10-01: service is charged at the market's utility rate (same card), not tiered.
    const fallback = column === 'service' ? rules.serviceRateFallback : null;
    if (rate === null && fallback) rate = rateOf(card, row.market, fallback);
    if (rate === null) {
      problem(
        row,
        'no_rate',
        `The ${row.currency} rate card from ${card.effectiveFrom} has no ${column} rate${fallback ? ` (nor ${fallback})` : ''} for ${row.market}`,
      );
    }
    sink(i, row, billable, rate === null ? null : BigInt(billable) * rate);
  };

  // Only rows that move a counter (tiers, CBP free service allowance) depend on order, and only on
  // the order of the rows that move the same counter: the rest are priced straight away, and each
  // counter's rows by day and then a stable key (input order when it already is that order).
  let nul = false;
  for (let i = 0; i < rows.length; i += 1) {
    const row = rows[i] as UsageRow;
    const knownCategory = isKnownCategory(row.category);
    if (!knownCategory || !isKnownPricingType(row.pricingType)) {
      unknown(row, i, knownCategory);
      continue;
    }
    const c = contextOf(row.day);
    if (!movesCounter(row, c.rules)) {
      priceKnown(i, row, c);
      continue;
    }
    const counter = row.pricingModel === 'PMP' ? c.rules.tierCounters[rateColumnOf(row.category) as RateColumn] : undefined;
    (counter === undefined ? freeSlotOf(row, c.month) : tierSlotOf(row, counter, c.month)).rows.push(i);
    nul ||= hasNul(row);
  }
  for (const slot of slots) {
    sortCounted(rows, slot.rows, nul);
    for (const i of slot.rows) {
      const row = rows[i] as UsageRow;
      priceKnown(i, row, contextOf(row.day), slot);
    }
  }
  const tierCounts = new Map<string, number>();
  for (const [key, c] of counters) tierCounts.set(key, c.count);
  return { problems: problems.list(), tierCounts };
}

/** A running monthly count of charged units (a volume-tier ladder or the CBP free allowance). */
interface Counter {
  count: number;
}

/** The rows (indexes) that move one counter, keyed as priorUnits and tierCounts key it. */
interface Slot {
  key: string;
  rows: number[];
  counter: Counter | undefined;
}

/** What pricing reads per WABA-local day. */
interface DayContext {
  rules: PricingRules;
  month: string;
  prices: Map<string, DayPrices>;
}

/** The price book entries in force for one currency on one day (undefined: not looked up yet). */
interface DayPrices {
  message: RateCard | null | undefined;
  conversation: RateCard | null | undefined;
  tiers: TierTable | null | undefined;
  /** The card the stale-tier-table text below was written for. */
  staleFor: RateCard | undefined;
  staleText: string;
}

/** Whether a free-text key field holds U+0000 (the old string key's separator): then the string keys order the rows. */
function hasNul(row: UsageRow): boolean {
  return row.wabaId.includes('\u0000') || row.market.includes('\u0000') || row.currency.includes('\u0000');
}

const order = (a: string, b: string): number => (a === b ? 0 : a < b ? -1 : 1);

/**
 * Sorts one counter's row indexes by sortKey, then input position. Field by field gives the same
 * order as comparing the joined keys as long as no field holds the separator (day, category, pricing
 * type and model are validated and cannot), and builds no strings; dims are joined only on a tie.
 * Rows usually arrive in that order already: then one pass over them is all it costs.
 */
function sortCounted(rows: readonly UsageRow[], counted: number[], nul: boolean): void {
  let compare: (i: number, j: number) => number;
  if (nul) {
    const keys = new Map<number, string>();
    const keyOf = (i: number): string => {
      let k = keys.get(i);
      if (k === undefined) keys.set(i, (k = sortKey(rows[i] as UsageRow)));
      return k;
    };
    compare = (i, j) => order(keyOf(i), keyOf(j)) || i - j;
  } else {
    const dims = new Map<number, string>();
    const dimsOf = (i: number): string => {
      let d = dims.get(i);
      if (d === undefined) dims.set(i, (d = dimsKey(rows[i] as UsageRow)));
      return d;
    };
    // Rows that tie on every other field usually carry one dimension each (the direction): with
    // the same sole key, the joined keys compare as the values do, and no string is built.
    const compareDims = (i: number, j: number): number => {
      const a = (rows[i] as UsageRow).dims;
      const b = (rows[j] as UsageRow).dims;
      if (a === b) return 0;
      const k = soleKey(a);
      return k !== undefined && k === soleKey(b) ? order(a?.[k] ?? '', b?.[k] ?? '') : order(dimsOf(i), dimsOf(j));
    };
    compare = (i, j) => {
      const a = rows[i] as UsageRow;
      const b = rows[j] as UsageRow;
      return (
        order(a.day, b.day) ||
        order(a.wabaId, b.wabaId) ||
        order(a.market, b.market) ||
        order(a.category, b.category) ||
        order(a.pricingType, b.pricingType) ||
        order(a.pricingModel, b.pricingModel) ||
        order(a.currency, b.currency) ||
        compareDims(i, j) ||
        i - j
      );
    };
  }
  for (let k = 1; k < counted.length; k += 1) {
    if (compare(counted[k - 1] as number, counted[k] as number) > 0) {
      counted.sort(compare);
      return;
    }
  }
}
