/**
 * Section 3: the query layer in-process. Its target (issue 13: the plugin's runQuery on the largest
 * dashboard response) is measured on the real answers the queries section captured
 * (`largestDashboardResponse`, added by run.ts). Here: core's priceUsage over the pricing-input
 * rows of a days x countries x categories x numbers result, the plugin's runQuery on a cost
 * response of that whole synthetic shape (issue 6's figure; no dashboard panel asks for it), and
 * the what_if kind.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  CATEGORIES,
  addToPriceBook,
  addDays,
  emptyPriceBook,
  marketOf,
  parseRateCardCsv,
  parseTierCsv,
  priceUsage,
  type PriceBook,
  type UsageRow,
} from '@core';
import { ROOT } from '../connector-process';
import { pluginQuery, WHAT_IF_TARGET, whatIfQuery } from '../plugin-query';
import { rateCardCsv } from '../rate-card';
import type { Scale } from '../options';
import { median, percentile, round, timeReps } from '../stats';
import { CALLING_CODES, buildWabas, rng } from '../webhook-bodies';

export { QUERY_LAYER_TARGET } from '../targets';
export const FIRST_DAY = '2026-08-22';

const FIXTURES = path.join(ROOT, 'tests', 'fixtures', 'ratecards');

export function benchPriceBook(): PriceBook {
  const read = (f: string) => fs.readFileSync(path.join(FIXTURES, f), 'utf8');
  let book = addToPriceBook(emptyPriceBook(), parseRateCardCsv(rateCardCsv(FIRST_DAY), { effectiveFrom: '2026-04-01', currency: 'USD' }));
  book = addToPriceBook(book, parseTierCsv(read('usd-tiers-2026-04-invented.csv'), { effectiveFrom: '2026-04-01', currency: 'USD' }));
  return book;
}

/** Pricing-input rows for every day x country x category x phone (the cross product, all non-empty). */
export function buildLayerRows(shape: Scale['layer']): UsageRow[] {
  const wabas = buildWabas(shape.phones);
  const phones = wabas.flatMap((w) => w.phones.map((p) => ({ waba: w, phone: p })));
  const rand = rng(7);
  const rows: UsageRow[] = [];
  for (let d = 0; d < shape.days; d++) {
    const day = addDays(FIRST_DAY, d);
    for (let c = 0; c < shape.countries; c++) {
      const code = CALLING_CODES[c % CALLING_CODES.length] as string;
      const info = marketOf(`${code}912345678`, day);
      for (const category of CATEGORIES.slice(0, shape.categories)) {
        for (const { waba, phone } of phones.slice(0, shape.phones)) {
          const units = 1 + Math.floor(rand() * 40);
          rows.push({
            day,
            wabaId: waba.id,
            portfolioId: 'bench-portfolio',
            currency: 'USD',
            market: info.market,
            category,
            pricingType: category === 'service' ? 'free_customer_service' : 'regular',
            pricingModel: 'PMP',
            units,
            messages: units,
            dims: { phone, country: info.iso2 },
          });
        }
      }
    }
  }
  return rows;
}

export interface QueryLayerResult {
  rows: number;
  corePricing: { medianMs: number; p95Ms: number; usPerRow: number };
  /** The same days x countries x categories without the per-number split (a by-country panel). */
  corePricingByCountry: { rows: number; medianMs: number; p95Ms: number };
  /**
   * runQuery on a cost response grouped by country, category and number holding every row of the
   * layer shape (630,000 at full): issue 6's figure, kept for comparison; issue 13 sets no target for it.
   */
  syntheticLayerPluginQuery: { medianMs: number; p95Ms: number; rows: number } | { unavailable: string };
  /** The what_if kind's transform (issue 14): 90 days of a 10M-message sender at the pricing grain, priced twice in the plugin. */
  whatIf: {
    target: typeof WHAT_IF_TARGET;
    met: boolean;
    medianMs: number;
    p95Ms: number;
    rows: number;
    usPerRow: number;
    messages: number;
    frames: number;
  };
}

export async function measureQueryLayer(scale: Scale): Promise<QueryLayerResult> {
  const rows = buildLayerRows(scale.layer);
  const book = benchPriceBook();
  const times = await timeReps(scale.layer.reps, () => priceUsage(rows, book));
  const med = median(times);
  const byCountry = buildLayerRows({ ...scale.layer, phones: 1 });
  const countryTimes = await timeReps(scale.layer.reps, () => priceUsage(byCountry, book));
  const plugin = await pluginQuery(rows, scale.layer.reps);
  // The markets of the shape's countries on its first day, once each (several countries share "Other").
  const markets = [
    ...new Set(
      Array.from(
        { length: scale.layer.countries },
        (_, c) => marketOf(`${CALLING_CODES[c % CALLING_CODES.length]}912345678`, FIRST_DAY).market,
      ),
    ),
  ];
  const whatIf = await whatIfQuery({ days: scale.layer.days, markets, wabas: 2 }, book, scale.layer.reps);
  return {
    rows: rows.length,
    corePricing: { medianMs: round(med), p95Ms: round(percentile(times, 95)), usPerRow: round((med * 1000) / rows.length, 3) },
    corePricingByCountry: { rows: byCountry.length, medianMs: round(median(countryTimes)), p95Ms: round(percentile(countryTimes, 95)) },
    syntheticLayerPluginQuery: plugin,
    whatIf: { target: WHAT_IF_TARGET, met: whatIf.medianMs < WHAT_IF_TARGET.medianMs, ...whatIf },
  };
}
