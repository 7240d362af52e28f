/**
 * Times the plugin's query layer (runQuery: migrate, interpolate, request building, response
 * validation, frames) on a connector response holding every row of the shape, grouped by country,
 * category and number, the way a cost panel asks for it. The connector prices (see docs/api.md), so
 * the plugin's own work is validation and frame building.
 */
import {
  addDays,
  addToPriceBook,
  dayStartMs,
  emptyPriceBook,
  priceBookToJson,
  toDecimalString,
  type PriceBook,
  type UsageRow,
} from '@core';
import { runQuery } from '../src/plugin/query/run-query';
import type { PanelQuery } from './panel-queries';
import { median, percentile, round } from './stats';

export async function pluginQuery(
  rows: UsageRow[],
  reps: number,
): Promise<{ medianMs: number; p95Ms: number; rows: number } | { unavailable: string }> {
  const body = {
    source: 'estimate',
    interval: 'day',
    problems: [],
    rows: rows.map((r) => ({
      time: dayStartMs(r.day, 'UTC'),
      bucket: r.day,
      currency: r.currency,
      country: r.dims?.country ?? null,
      phoneNumberId: r.dims?.phone ?? undefined,
      category: r.category,
      messages: r.units,
      billable: r.units,
      cost: toDecimalString(BigInt(r.units) * 12_500n),
    })),
  };
  const days = [...new Set(rows.map((r) => r.day))].sort();
  const range = { fromMs: dayStartMs(days[0] as string, 'UTC'), toMs: dayStartMs(days.at(-1) as string, 'UTC') + 86_400_000 };
  const query = {
    refId: 'A',
    kind: 'cost',
    groupBy: ['country', 'category', 'phone'],
    interval: 'day',
    source: 'estimate',
    schemaVersion: 1,
  };
  const deps = {
    fetchJson: async () => JSON.parse(JSON.stringify(body)) as unknown,
    replace: (s: string) => s,
    timeZone: 'UTC',
    signal: new AbortController().signal,
  };
  const times: number[] = [];
  for (let i = 0; i <= reps; i++) {
    const t0 = process.hrtime.bigint();
    const frames = await runQuery(query, range, deps);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (frames.length === 0) throw new Error('the plugin query returned no frames');
    if (i > 0) times.push(ms); // the first run warms the JIT
  }
  return { medianMs: round(median(times)), p95Ms: round(percentile(times, 95)), rows: rows.length };
}

export const WHAT_IF_TARGET = { medianMs: 50 } as const;
export const WHAT_IF_MESSAGES = 10_000_000;

export interface WhatIfShape {
  days: number;
  markets: readonly string[];
  /** Every day x WABA x market x these categories is one pricing-grain row. */
  wabas: number;
}

const WHAT_IF_FIRST_DAY = '2026-08-22';

/** The /pricing-input rows of the what-if shape: every day x WABA x market x category, 10M messages in all. */
export function whatIfRows(shape: WhatIfShape) {
  const firstDay = WHAT_IF_FIRST_DAY;
  const categories = [
    ['marketing', 'regular'],
    ['utility', 'regular'],
    ['authentication', 'regular'],
    ['service', 'service'],
    ['referral_conversion', 'free_entry_point'],
  ] as const;
  const cells = shape.days * shape.wabas * shape.markets.length * categories.length;
  const unitsPerRow = Math.max(1, Math.round(WHAT_IF_MESSAGES / cells));
  const rows = [];
  for (let d = 0; d < shape.days; d++) {
    const day = addDays(firstDay, d);
    for (let w = 0; w < shape.wabas; w++)
      for (const market of shape.markets)
        for (const [category, type] of categories)
          rows.push({
            day,
            time: dayStartMs(day, 'UTC'),
            wabaId: `bench-waba-${w}`,
            portfolioId: 'bench-portfolio',
            currency: 'USD',
            market,
            category,
            // Meta's verdicts: service replies free inside the window before 2026-10-01, charged after.
            pricingType: type === 'service' ? (day < '2026-10-01' ? 'free_customer_service' : 'regular') : type,
            pricingModel: 'PMP',
            units: unitsPerRow,
            dims: { direction: category === 'service' ? 'user_initiated' : 'business_initiated' },
          });
  }
  return rows;
}

/**
 * Times the what_if kind end to end in the plugin (runQuery: interpolation, request planning, the
 * fetches answered in memory with bodies parsed before the clock starts, response validation, the price book and files parsed, both
 * pricings with core's priceScenario, frames) over `days` of a sender of 10M delivered messages at the
 * pricing grain (day x WABA x market x category x pricing type: what /pricing-input returns for a
 * by-category panel). The scenario uses every part: next quarter's card, the service rule from the
 * range start, an override and 30 % of service moved to utility templates.
 */
export async function whatIfQuery(
  shape: WhatIfShape,
  book: PriceBook,
  reps: number,
): Promise<{ medianMs: number; p95Ms: number; rows: number; usPerRow: number; messages: number; frames: number }> {
  const firstDay = WHAT_IF_FIRST_DAY;
  const rows = whatIfRows(shape);
  const unitsPerRow = rows[0]?.units ?? 0;
  const card = book.rateCards[0];
  if (!card) throw new Error('the bench price book has no rate card');
  const next = addToPriceBook(emptyPriceBook(), { ...card, effectiveFrom: '2027-01-01' });
  const responses: Record<string, unknown> = {
    '/api/v1/pricing-input': { rows, priorUnits: [] },
    '/api/v1/price-book': { priceBook: priceBookToJson(book) },
    '/api/v1/price-files': {
      items: [{ name: 'usd-next.csv', kind: 'rates', currency: 'USD', effectiveFrom: '2027-01-01', importedAt: 1 }],
    },
    '/api/v1/price-files/usd-next.csv': {
      items: [{ name: 'usd-next.csv', kind: 'rates', currency: 'USD', effectiveFrom: '2027-01-01', importedAt: 1 }],
      priceBook: priceBookToJson(next),
    },
  };
  // Each run gets bodies parsed afresh before the clock starts: the browser's fetch parses the JSON,
  // the plugin's transform starts from the parsed body.
  const texts = Object.fromEntries(Object.entries(responses).map(([k, v]) => [k, JSON.stringify(v)]));
  let bodies: Record<string, unknown> = {};
  const lastDay = addDays(firstDay, shape.days - 1);
  const range = { fromMs: dayStartMs(firstDay, 'UTC'), toMs: dayStartMs(lastDay, 'UTC') + 86_400_000 };
  const query = {
    refId: 'A',
    kind: 'what_if',
    schemaVersion: 1,
    groupBy: ['category'],
    interval: 'day',
    source: 'estimate',
    period: 'range',
    scenarioName: 'Next quarter, service from the start, 30% as templates',
    priceFiles: 'usd-next.csv',
    ruleShifts: '2026-10-01@start',
    overrides: 'India/marketing +10%',
    moveShare: '$share',
    moveTo: 'utility',
  };
  const deps = {
    fetchJson: async (path: string) => {
      if (!(path in bodies)) throw new Error(`what-if bench: no answer for ${path}`);
      return bodies[path];
    },
    replace: (s: string) => s.replace('$share', '30'),
    timeZone: 'UTC',
    signal: new AbortController().signal,
  };
  const times: number[] = [];
  let frames = 0;
  for (let i = 0; i <= reps; i++) {
    bodies = Object.fromEntries(Object.entries(texts).map(([k, t]) => [k, JSON.parse(t) as unknown]));
    const t0 = process.hrtime.bigint();
    const out = await runQuery(query, range, deps);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (out.length === 0) throw new Error('the what-if query returned no frames');
    frames = out.length;
    if (i > 0) times.push(ms); // the first run warms the JIT
  }
  const med = median(times);
  return {
    medianMs: round(med),
    p95Ms: round(percentile(times, 95)),
    rows: rows.length,
    usPerRow: round((med * 1000) / rows.length, 3),
    messages: rows.length * unitsPerRow,
    frames,
  };
}

/** A dashboard panel's connector answers, as text by request (`path?search`), and what runQuery is given for it. */
export interface CapturedPanel {
  name: string;
  rows: number;
  bytes: number;
  texts: ReadonlyMap<string, string>;
  plugin: NonNullable<PanelQuery['plugin']>;
}

/**
 * Times the plugin's runQuery on one panel's real connector answers (issue 13's "plugin runQuery on
 * the largest dashboard response"): the stored panel target, the dashboard's variables at All, the
 * panel's range; each answer parsed afresh before the clock starts, as the browser's fetch hands the
 * plugin a parsed body. The first run warms the JIT and is not counted.
 */
export async function pluginOnPanel(
  panel: CapturedPanel,
  reps: number,
): Promise<{ panel: string; rows: number; bytes: number; frames: number; medianMs: number; p95Ms: number }> {
  let bodies = new Map<string, unknown>();
  const deps = {
    fetchJson: async (path: string, search: string) => {
      const key = search ? `${path}?${search}` : path;
      if (!bodies.has(key)) throw new Error(`${panel.name}: no captured answer for ${key}`);
      return bodies.get(key);
    },
    replace: panel.plugin.replace,
    timeZone: panel.plugin.timeZone,
    signal: new AbortController().signal,
  };
  const times: number[] = [];
  let frames = 0;
  for (let i = 0; i <= reps; i++) {
    bodies = new Map([...panel.texts].map(([k, t]) => [k, JSON.parse(t) as unknown]));
    const t0 = process.hrtime.bigint();
    const out = await runQuery(panel.plugin.stored, panel.plugin.range, deps);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    frames = out.length;
    if (i > 0) times.push(ms);
  }
  return {
    panel: panel.name,
    rows: panel.rows,
    bytes: panel.bytes,
    frames,
    medianMs: round(median(times)),
    p95Ms: round(percentile(times, 95)),
  };
}
