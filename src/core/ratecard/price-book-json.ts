import { z } from 'zod';
import { InputError } from '../errors';
import { RATE_COLUMNS, type RateColumn } from '../model/category';
import { formatMicros, parseMicros, type Micros } from '../model/money';
import { assertDay } from '../time/calendar';
import type { CallRateCard, CallTier } from './call-rates';
import { addToPriceBook, emptyPriceBook, type PriceBook } from './price-book';
import type { MarketRates, RateCard } from './rate-card';
import { assertTierLadder, type Tier, type TierTable } from './tiers';

/** JSON form of a price book: money as decimal strings ("0.0118"), never floats. */

const decimal = z.string().regex(/^\d+(\.\d{1,6})?$/, 'must be a decimal string with at most 6 decimals');
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD');
const currency = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code');
const count = z.number().int().nonnegative();
const tier = z.object({ lower: count, upper: count.nullable(), rate: decimal });

const schema = z.object({
  version: z.literal(1),
  rateCards: z.array(
    z.object({
      currency,
      effectiveFrom: day,
      unit: z.enum(['message', 'conversation']),
      title: z.string().optional(),
      rates: z.record(z.string(), z.partialRecord(z.enum(RATE_COLUMNS), decimal)),
    }),
  ),
  tierTables: z.array(
    z.object({
      currency,
      effectiveFrom: day,
      tiers: z.record(z.string(), z.partialRecord(z.enum(RATE_COLUMNS), z.array(tier))),
    }),
  ),
  callRateCards: z.array(
    z.object({
      currency,
      effectiveFrom: day,
      tiers: z.record(z.string(), z.array(z.object({ lowerMinutes: count, upperMinutes: count.nullable(), ratePerMinute: decimal }))),
    }),
  ),
});

export type PriceBookJson = z.infer<typeof schema>;

/** "0.011800" -> "0.0118", "2.000000" -> "2". */
export function toDecimalString(micros: Micros): string {
  return formatMicros(micros, 6).replace(/\.?0+$/, '');
}

export function priceBookToJson(book: PriceBook): PriceBookJson {
  const mapOf = <V, W>(m: ReadonlyMap<string, V>, f: (v: V) => W) => Object.fromEntries([...m].map(([k, v]) => [k, f(v)]));
  const columnsOf = <V, W>(rec: Partial<Record<RateColumn, V>>, f: (v: V) => W) =>
    Object.fromEntries(RATE_COLUMNS.filter((c) => rec[c] !== undefined).map((c) => [c, f(rec[c] as V)]));
  return {
    version: 1,
    rateCards: book.rateCards.map((c) => ({
      currency: c.currency,
      effectiveFrom: c.effectiveFrom,
      unit: c.unit,
      ...(c.title ? { title: c.title } : {}),
      rates: mapOf(c.rates, (r) => columnsOf(r, toDecimalString)),
    })),
    tierTables: book.tierTables.map((t) => ({
      currency: t.currency,
      effectiveFrom: t.effectiveFrom,
      tiers: mapOf(t.tiers, (r) =>
        columnsOf(r, (list) => list.map((x) => ({ lower: x.lower, upper: x.upper, rate: toDecimalString(x.rateMicros) }))),
      ),
    })),
    callRateCards: book.callRateCards.map((c) => ({
      currency: c.currency,
      effectiveFrom: c.effectiveFrom,
      tiers: mapOf(c.tiers, (list) =>
        list.map((x) => ({
          lowerMinutes: x.lowerMinutes,
          upperMinutes: x.upperMinutes,
          ratePerMinute: toDecimalString(x.ratePerMinuteMicros),
        })),
      ),
    })),
  };
}

/** Validates and rebuilds a book; errors name the JSON path (e.g. `priceBook.rateCards.0.rates.India.utility`). */
export function priceBookFromJson(json: unknown, field = 'priceBook'): PriceBook {
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0] as z.core.$ZodIssue;
    let value: unknown = json;
    for (const key of issue.path) value = (value as Record<PropertyKey, unknown> | undefined)?.[key as PropertyKey];
    throw new InputError([field, ...issue.path.map(String)].join('.'), value, issue.message);
  }
  const data = parsed.data;
  let book = emptyPriceBook();
  const micros = (text: string, path: string) => parseMicros(text, path);
  data.rateCards.forEach((c, i) => {
    assertDay(c.effectiveFrom, `${field}.rateCards.${i}.effectiveFrom`);
    const rates = new Map<string, MarketRates>();
    for (const [market, cols] of Object.entries(c.rates)) {
      const r: MarketRates = {};
      for (const col of RATE_COLUMNS)
        if (cols[col] !== undefined) r[col] = micros(cols[col] as string, `${field}.rateCards.${i}.rates.${market}.${col}`);
      rates.set(market, r);
    }
    const card: RateCard = { kind: 'rate_card', currency: c.currency, effectiveFrom: c.effectiveFrom, unit: c.unit, rates };
    if (c.title) card.title = c.title;
    book = addToPriceBook(book, card);
  });
  data.tierTables.forEach((t, i) => {
    assertDay(t.effectiveFrom, `${field}.tierTables.${i}.effectiveFrom`);
    const tiers = new Map<string, Partial<Record<RateColumn, Tier[]>>>();
    for (const [market, cols] of Object.entries(t.tiers)) {
      const r: Partial<Record<RateColumn, Tier[]>> = {};
      for (const col of RATE_COLUMNS) {
        const list = cols[col];
        if (!list) continue;
        const path = `${field}.tierTables.${i}.tiers.${market}.${col}`;
        r[col] = list.map((x) => ({ lower: x.lower, upper: x.upper, rateMicros: micros(x.rate, path) }));
        assertTierLadder(r[col] as Tier[], path);
      }
      tiers.set(market, r);
    }
    book = addToPriceBook(book, { kind: 'tier_table', currency: t.currency, effectiveFrom: t.effectiveFrom, tiers } satisfies TierTable);
  });
  data.callRateCards.forEach((c, i) => {
    assertDay(c.effectiveFrom, `${field}.callRateCards.${i}.effectiveFrom`);
    const tiers = new Map<string, CallTier[]>();
    for (const [market, list] of Object.entries(c.tiers)) {
      const path = `${field}.callRateCards.${i}.tiers.${market}`;
      const parsedTiers = list.map((x) => ({
        lowerMinutes: x.lowerMinutes,
        upperMinutes: x.upperMinutes,
        ratePerMinuteMicros: micros(x.ratePerMinute, path),
      }));
      assertTierLadder(
        parsedTiers.map((x) => ({ lower: x.lowerMinutes, upper: x.upperMinutes })),
        path,
      );
      tiers.set(market, parsedTiers);
    }
    book = addToPriceBook(book, { kind: 'call_rates', currency: c.currency, effectiveFrom: c.effectiveFrom, tiers } satisfies CallRateCard);
  });
  for (const key of ['rateCards', 'tierTables', 'callRateCards'] as const) {
    if (book[key].length !== data[key].length)
      throw new InputError(`${field}.${key}`, data[key].length, 'has two entries for the same currency and effective date');
  }
  return book;
}
