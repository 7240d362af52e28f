import {
  addToPriceBook,
  emptyPriceBook,
  marketNamesInForce,
  parseCallRateCsv,
  parseRateCardCsv,
  parseTierCsv,
  type PriceBook,
} from '@core';
import { hashString } from './rng';

/**
 * INVENTED rate cards for the demo, written in Meta's Rates CSV layout (preamble line, the
 * "Authentication-\nInternational" header cell, n/a cells, CRLF) and in core's documented tier and
 * call-rate CSVs. None of these numbers are Meta's prices; the preamble says so.
 */

export interface DemoRateFile {
  kind: 'rates' | 'tiers' | 'call_rates';
  currency: string;
  effectiveFrom: string;
  fileName: string;
  text: string;
}

/** Invented USD rates per message: marketing, utility, authentication, authentication-international. */
const BASE_USD: Readonly<Record<string, readonly [number, number, number, number | null]>> = {
  Brazil: [0.0625, 0.0068, 0.0068, null],
  India: [0.0118, 0.0014, 0.0014, 0.028],
  Germany: [0.1365, 0.055, 0.0768, null],
  'North America': [0.025, 0.0034, 0.0034, null],
  Mexico: [0.0305, 0.0085, 0.0085, null],
  Argentina: [0.0618, 0.026, 0.026, null],
  'United Kingdom': [0.0529, 0.022, 0.0358, null],
  Spain: [0.0615, 0.02, 0.028, null],
  'South Africa': [0.0379, 0.0076, 0.0076, 0.022],
  Nigeria: [0.0516, 0.0067, 0.0067, 0.03],
  'United Arab Emirates': [0.0384, 0.0157, 0.0157, 0.028],
  Indonesia: [0.0411, 0.02, 0.025, 0.03],
  Russia: [0.0802, 0.04, 0.04, null],
  'Rest of Latin America': [0.074, 0.0113, 0.0113, null],
  Other: [0.0604, 0.0077, 0.0077, null],
};

export const DEMO_FX: Readonly<Record<string, number>> = { USD: 1, BRL: 5.4, INR: 84, EUR: 0.92 };

/** Volume tiers for utility and authentication in the demo's home markets (same thresholds in every currency). */
export const DEMO_TIER_LADDER = [
  { lower: 0, upper: 2000 as number | null, factor: 1 },
  { lower: 2001, upper: 8000 as number | null, factor: 0.85 },
  { lower: 8001, upper: null as number | null, factor: 0.7 },
] as const;
export const DEMO_TIERED_MARKETS = ['Brazil', 'India', 'Germany'];

const CALL_USD_PER_MINUTE: Readonly<Record<string, number>> = { India: 0.012, Germany: 0.05, Brazil: 0.03, 'North America': 0.01 };

function baseOf(market: string): readonly [number, number, number, number | null] {
  const known = BASE_USD[market];
  if (known) return known;
  const mkt = 0.03 + (hashString(market) % 600) / 10_000;
  return [mkt, Number((mkt * 0.18).toFixed(4)), Number((mkt * 0.2).toFixed(4)), null];
}

function fmt(usd: number, currency: string): string {
  return (usd * (DEMO_FX[currency] ?? 1)).toFixed(4);
}

/** The quarter after the demo's last day: a card announced ahead, imported with a future effective day. */
export const ANNOUNCED_QUARTER = -1;

/**
 * Later quarters move a few rates, so the demo shows rate-card change annotations. The announced
 * next quarter (ANNOUNCED_QUARTER) raises marketing by 12% and lowers utility and authentication by
 * 10% everywhere, so "last month under next quarter's rates" differs in every market.
 */
function revised(market: string, quarterIndex: number): [number, number, number, number | null] {
  const [m, u, a, ai] = baseOf(market);
  if (quarterIndex === ANNOUNCED_QUARTER) return [m * 1.12, u * 0.9, a * 0.9, ai];
  const bump = quarterIndex === 0 ? 1 : market === 'India' ? 1.08 : market === 'Brazil' ? 0.95 : 1;
  const ubump = quarterIndex === 0 || market !== 'Brazil' ? 1 : 0.94;
  return [m * bump, u * ubump, a * ubump, ai];
}

export function ratesCsv(currency: string, effectiveFrom: string, quarterIndex: number): string {
  const header = 'Market,Currency,Marketing,Utility,Authentication,"Authentication-\r\nInternational",Service';
  const rows = marketNamesInForce(effectiveFrom).map((market) => {
    const [m, u, a, ai] = revised(market, quarterIndex);
    return [market, currency, fmt(m, currency), fmt(u, currency), fmt(a, currency), ai === null ? 'n/a' : fmt(ai, currency), 'n/a'].join(
      ',',
    );
  });
  const preamble = `Cost per message in ${currency} - INVENTED demo rates for waspend, not Meta's prices`;
  return [preamble, header, ...rows].join('\r\n') + '\r\n';
}

export function tiersCsv(currency: string, quarterIndex: number): string {
  const lines = ['Market,Category,Lower,Upper,Rate'];
  for (const market of DEMO_TIERED_MARKETS) {
    const [, u, a] = revised(market, quarterIndex);
    for (const [category, rate] of [
      ['utility', u],
      ['authentication', a],
    ] as const) {
      for (const tier of DEMO_TIER_LADDER)
        lines.push([market, category, tier.lower, tier.upper ?? 'MAX', fmt(rate * tier.factor, currency)].join(','));
    }
  }
  return lines.join('\n') + '\n';
}

export function callRatesCsv(currency: string, effectiveFrom: string): string {
  const lines = ['Market,Currency,Lower minutes,Upper minutes,Rate per minute'];
  for (const market of marketNamesInForce(effectiveFrom)) {
    const rate = CALL_USD_PER_MINUTE[market] ?? Number((baseOf(market)[0] * 0.6).toFixed(4));
    if (market === 'India') {
      lines.push(
        `India,${currency},0,"50,000",${fmt(rate, currency)}`,
        `India,${currency},"50,001","250,000",${fmt(rate * 0.85, currency)}`,
        `India,${currency},"250,001",MAX,${fmt(rate * 0.7, currency)}`,
      );
    } else lines.push(`${market},${currency},0,MAX,${fmt(rate, currency)}`);
  }
  return lines.join('\n') + '\n';
}

/** Quarter starts (Meta changes prices on Jan/Apr/Jul/Oct 1) in force over [firstDay, lastDay]. */
export function quarterStarts(firstDay: string, lastDay: string): string[] {
  const quarter = (day: string) =>
    `${day.slice(0, 4)}-${String(Math.floor((Number(day.slice(5, 7)) - 1) / 3) * 3 + 1).padStart(2, '0')}-01`;
  const starts = [quarter(firstDay)];
  for (let q = starts[0] as string; ;) {
    const [y, m] = [Number(q.slice(0, 4)), Number(q.slice(5, 7))];
    q = m === 10 ? `${y + 1}-01-01` : `${y}-${String(m + 3).padStart(2, '0')}-01`;
    if (q > lastDay) break;
    starts.push(q);
  }
  return starts;
}

/** The first quarter start after `day`. */
export function nextQuarterStart(day: string): string {
  const [y, m] = [Number(day.slice(0, 4)), Number(day.slice(5, 7))];
  const q = Math.floor((m - 1) / 3) * 3 + 1;
  return q === 10 ? `${y + 1}-01-01` : `${y}-${String(q + 3).padStart(2, '0')}-01`;
}

/**
 * Every demo file: a rates card, a tier table and call rates per currency per quarter over the data,
 * plus the next quarter's, announced ahead (effective after the last day: prices nothing until then,
 * and what-if panels can choose it by name or effective day).
 */
export function buildDemoRateFiles(currencies: readonly string[], firstDay: string, lastDay: string): DemoRateFile[] {
  const files: DemoRateFile[] = [];
  const quarters = quarterStarts(firstDay, lastDay);
  const announced = nextQuarterStart(lastDay);
  for (const currency of currencies) {
    const lc = currency.toLowerCase();
    [...quarters, announced].forEach((effectiveFrom, i) => {
      const q = effectiveFrom === announced ? ANNOUNCED_QUARTER : i;
      files.push({
        kind: 'rates',
        currency,
        effectiveFrom,
        fileName: `demo-${lc}-rates-${effectiveFrom}-invented.csv`,
        text: ratesCsv(currency, effectiveFrom, q),
      });
      files.push({
        kind: 'tiers',
        currency,
        effectiveFrom,
        fileName: `demo-${lc}-tiers-${effectiveFrom}-invented.csv`,
        text: tiersCsv(currency, q),
      });
      // One call card per quarter too: its markets follow Meta's market table of that quarter.
      files.push({
        kind: 'call_rates',
        currency,
        effectiveFrom,
        fileName: `demo-${lc}-call-rates-${effectiveFrom}-invented.csv`,
        text: callRatesCsv(currency, effectiveFrom),
      });
    });
  }
  return files;
}

/** The demo files parsed with core's own parsers (what an import of them produces). */
export function buildDemoPriceBook(files: readonly DemoRateFile[]): PriceBook {
  let book = emptyPriceBook();
  for (const f of files) {
    const opts = { effectiveFrom: f.effectiveFrom, currency: f.currency, source: f.fileName };
    const entry =
      f.kind === 'rates'
        ? parseRateCardCsv(f.text, opts)
        : f.kind === 'tiers'
          ? parseTierCsv(f.text, opts)
          : parseCallRateCsv(f.text, opts);
    book = addToPriceBook(book, entry);
  }
  return book;
}
