/**
 * A stand-in for the connector's /api/v1 query endpoints: answers every request the plugin builds
 * with a contract-valid body (checked with the contract's own response schemas), with a few values
 * per dimension and deterministic, varied numbers. Used to run each dashboard's transformations on
 * frames of the real shape while the connector's CLI is not there; it says nothing about the
 * connector's figures.
 */
import {
  API_PREFIX,
  callsResponse,
  contactsResponse,
  listResponse,
  priceFileResponse,
  priceFilesResponse,
  pricingInputResponse,
  reconciliationMonthResponse,
  reconciliationResponse,
  tiersResponse,
  usageResponse,
  wabasResponse,
} from '@contract';
import { columnsOfRows } from '../helpers/pricing-input-columns';

const DAY_MS = 86_400_000;

const VALUES: Record<string, Array<string | null>> = {
  waba: ['102290129340398', '104567890123456'],
  phone: ['106540352242922', '107771234567890'],
  country: ['BR', 'IN', 'DE'],
  market: ['Brazil', 'India'],
  category: ['marketing', 'utility', 'authentication', 'service'],
  pricing_type: ['regular', 'free_customer_service', 'free_entry_point'],
  direction: ['business_initiated', 'user_initiated'],
  group: ['spring-sale', null],
};
const ROW_FIELD: Record<string, string> = {
  waba: 'wabaId',
  phone: 'phoneNumberId',
  country: 'country',
  market: 'market',
  category: 'category',
  pricing_type: 'pricingType',
  direction: 'direction',
  group: 'group',
};

/** Small positive integer that varies with every input (FNV-1a), so series differ from each other. */
function num(seed: string, max: number): number {
  let h = 2166136261;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 16777619);
  return 1 + ((h >>> 0) % max);
}

function toMs(v: string, end: boolean): number {
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return Date.parse(`${v}T00:00:00Z`) + (end ? DAY_MS : 0);
  return Number(v);
}

interface Bucket {
  time: number;
  bucket: string;
}

function buckets(params: URLSearchParams): Bucket[] {
  const from = toMs(params.get('from') ?? '0', false);
  const to = toMs(params.get('to') ?? '0', true);
  const interval = params.get('interval') ?? 'day';
  const out: Bucket[] = [];
  const start = new Date(from);
  if (interval === 'month') {
    for (let d = Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), 1); d < to;) {
      out.push({ time: d, bucket: new Date(d).toISOString().slice(0, 7) });
      const n = new Date(d);
      d = Date.UTC(n.getUTCFullYear(), n.getUTCMonth() + 1, 1);
    }
    return out;
  }
  const step = interval === 'hour' ? 3_600_000 : DAY_MS;
  for (let t = Math.floor(from / step) * step; t < to; t += step) {
    const iso = new Date(t).toISOString();
    out.push({ time: t, bucket: interval === 'hour' ? iso.slice(0, 13) : iso.slice(0, 10) });
  }
  return out;
}

/** Every combination of the grouped dimensions' values, as row fields. */
function combinations(by: string[]): Array<Record<string, string | null>> {
  let combos: Array<Record<string, string | null>> = [{}];
  for (const dim of by) {
    const values = VALUES[dim] ?? [];
    combos = combos.flatMap((c) => values.map((v) => ({ ...c, [ROW_FIELD[dim]!]: v })));
  }
  return combos;
}

const money = (units: number, rate: number) => (units * rate).toFixed(4);

function usage(params: URLSearchParams) {
  const by = (params.get('by') ?? '').split(',').filter(Boolean);
  const rows = buckets(params).flatMap((b) =>
    combinations(by).map((c) => {
      const key = `${b.bucket}${JSON.stringify(c)}`;
      const messages = num(key, 400);
      const free = typeof c.pricingType === 'string' && c.pricingType !== 'regular';
      const billable = free ? 0 : messages;
      return { time: b.time, bucket: b.bucket, currency: 'BRL', ...c, messages, billable, cost: money(billable, 0.0625) };
    }),
  );
  return usageResponse.parse({ source: params.get('source') ?? 'estimate', interval: params.get('interval') ?? 'day', rows, problems: [] });
}

function calls(params: URLSearchParams) {
  const by = (params.get('by') ?? '').split(',').filter(Boolean);
  const rows = buckets(params).flatMap((b) =>
    combinations(by).map((c) => {
      const key = `${b.bucket}${JSON.stringify(c)}`;
      const n = num(key, 40);
      const durationSec = n * (30 + num(`${key}d`, 300));
      const pulses = c.direction === 'user_initiated' ? 0 : Math.ceil(durationSec / 6);
      return { time: b.time, bucket: b.bucket, currency: 'BRL', ...c, calls: n, durationSec, pulses, cost: money(pulses, 0.004) };
    }),
  );
  return callsResponse.parse({ source: params.get('source') ?? 'estimate', interval: params.get('interval') ?? 'day', rows, problems: [] });
}

function contacts(params: URLSearchParams) {
  const rows = buckets(params).map((b) => ({ time: b.time, bucket: b.bucket, contacts: num(b.bucket, 900) }));
  return contactsResponse.parse({
    interval: params.get('interval') ?? 'day',
    rows,
    total: rows.reduce((s, r) => Math.max(s, r.contacts), 0) + 10,
  });
}

/** interval=month: per WABA and month, with an invoice for every month but the last (still consolidating). */
function reconciliationMonths(params: URLSearchParams) {
  const months = buckets(new URLSearchParams({ from: params.get('from') ?? '0', to: params.get('to') ?? '0', interval: 'month' }));
  const wabas = (params.get('waba') ?? '').split(',').filter(Boolean);
  const diff = (a: string | null, b: string | null) => (a === null || b === null ? null : (Number(a) - Number(b)).toFixed(4));
  const pct = (a: string | null, b: string | null) =>
    a === null || b === null || Number(b) === 0 ? null : Math.round(((Number(a) - Number(b)) / Number(b)) * 10_000) / 100;
  const rows = months.flatMap((m, i) =>
    (wabas.length ? wabas : (VALUES.waba as string[])).map((wabaId) => {
      const units = num(`${m.bucket}${wabaId}`, 9000);
      const estimateCost = money(units, 0.0625);
      const metaCost = money(units + num(`${m.bucket}${wabaId}m`, 40) - 20, 0.0625);
      const invoiceAmount = i < months.length - 1 ? money(units + num(`${m.bucket}${wabaId}i`, 40) - 10, 0.0625) : null;
      return {
        time: m.time,
        month: m.bucket,
        wabaId,
        currency: 'BRL',
        estimateCost,
        metaCost,
        invoiceAmount,
        estimateVsMeta: diff(estimateCost, metaCost),
        estimateVsMetaPct: pct(estimateCost, metaCost),
        estimateVsInvoice: diff(estimateCost, invoiceAmount),
        estimateVsInvoicePct: pct(estimateCost, invoiceAmount),
        metaVsInvoice: diff(metaCost, invoiceAmount),
        metaVsInvoicePct: pct(metaCost, invoiceAmount),
        consolidating: invoiceAmount === null,
      };
    }),
  );
  return reconciliationMonthResponse.parse({ interval: 'month', consolidationDays: 5, rows, problems: [] });
}

function reconciliation(params: URLSearchParams) {
  if (params.get('interval') === 'month') return reconciliationMonths(params);
  const by = (params.get('by') ?? '').split(',').filter(Boolean);
  const days = buckets(new URLSearchParams({ from: params.get('from') ?? '0', to: params.get('to') ?? '0', interval: 'day' }));
  const rows = days.flatMap((b, i) =>
    combinations(by).map((c) => {
      const key = `${b.bucket}${JSON.stringify(c)}`;
      const estimateUnits = num(key, 300);
      // Meta has not reported the last two days yet.
      const reported = i < days.length - 2;
      const metaUnits = reported ? estimateUnits + num(`${key}m`, 7) - 4 : null;
      return {
        time: b.time,
        day: b.bucket,
        currency: 'BRL',
        ...c,
        estimateUnits,
        metaUnits,
        estimateCost: money(estimateUnits, 0.0625),
        metaCost: metaUnits === null ? null : money(metaUnits, 0.0625),
      };
    }),
  );
  return reconciliationResponse.parse({ rows, problems: [] });
}

function tiers(params: URLSearchParams) {
  const month = params.get('month') ?? '2026-10';
  const rows = (VALUES.market as string[]).flatMap((market) =>
    ['marketing', 'utility'].map((category) => {
      const units = num(`${month}${market}${category}`, 200_000);
      const upper = units < 100_000 ? 100_000 : null;
      return {
        portfolioId: 'portfolio-1',
        market,
        category,
        month,
        units,
        tierLower: upper ? 0 : 100_000,
        tierUpper: upper,
        remaining: upper ? upper - units : null,
        metaTier: null,
      };
    }),
  );
  return tiersResponse.parse({ rows });
}

/** /lists/<name>: the values the stand-in uses for each dimension (what a variable lists). */
const LIST_DIMENSION: Record<string, string> = {
  wabas: 'waba',
  phones: 'phone',
  countries: 'country',
  categories: 'category',
  markets: 'market',
};
function lists(name: string) {
  const values = (VALUES[LIST_DIMENSION[name] ?? ''] ?? []).filter((v): v is string => v !== null);
  if (!values.length) throw new Error(`synthetic connector: no list ${name}`);
  return listResponse.parse({ items: values.map((v) => ({ value: v, text: v })) });
}

/**
 * /pricing-input: per WABA-local day (UTC here), WABA, market and category, unpriced counts. Service
 * replies are free inside the customer-service window before 2026-10-01 and charged from that day,
 * as Meta's verdicts say; referral conversions are free entry point messages. Prior units: utility
 * charged earlier in the month when the range starts after its first day.
 */
function pricingInput(params: URLSearchParams) {
  const from = toMs(params.get('from') ?? '0', false);
  const to = toMs(params.get('to') ?? '0', true);
  const rows = [];
  for (let t = Math.floor(from / DAY_MS) * DAY_MS; t < to; t += DAY_MS) {
    const day = new Date(t).toISOString().slice(0, 10);
    for (const wabaId of VALUES.waba as string[])
      for (const market of VALUES.market as string[])
        for (const category of ['marketing', 'utility', 'service', 'referral_conversion']) {
          const units = num(`${day}${wabaId}${market}${category}`, 900);
          const pricingType =
            category === 'referral_conversion'
              ? 'free_entry_point'
              : category === 'service' && day < '2026-10-01'
                ? 'free_customer_service'
                : 'regular';
          const direction = category === 'service' ? 'user_initiated' : 'business_initiated';
          rows.push({
            day,
            time: t,
            wabaId,
            portfolioId: 'portfolio-1',
            currency: 'BRL',
            market,
            category,
            pricingType,
            pricingModel: 'PMP',
            units,
            dims: { direction },
          });
        }
  }
  const first = new Date(Math.floor(from / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
  const priorUnits =
    first.endsWith('-01') || rows.length === 0
      ? []
      : (VALUES.market as string[]).map((market) => ({
          portfolioId: 'portfolio-1',
          market,
          category: 'utility',
          month: first.slice(0, 7),
          units: num(`${first}${market}prior`, 5000),
        }));
  const body = pricingInputResponse.parse({ rows, priorUnits });
  // As the connector does: the compact form when asked for it (the what-if kind asks).
  return params.get('format') === 'columns' ? columnsOfRows(body) : body;
}

/** Invented BRL prices (not Meta's): this quarter's and next quarter's card, each with utility tiers. */
const SYNTHETIC_FILES = [
  {
    name: 'synthetic-brl-rates-2026-07-01.csv',
    kind: 'rates',
    effectiveFrom: '2026-07-01',
    marketing: [0.3375, 0.0637],
    utility: [0.0459, 0.0076],
  },
  {
    name: 'synthetic-brl-rates-2027-01-01.csv',
    kind: 'rates',
    effectiveFrom: '2027-01-01',
    marketing: [0.378, 0.0713],
    utility: [0.0413, 0.0068],
  },
] as const;
function bookJson(files: ReadonlyArray<(typeof SYNTHETIC_FILES)[number]>, kinds: ReadonlyArray<'rates' | 'tiers'>) {
  const markets = VALUES.market as string[];
  const rate = (f: (typeof SYNTHETIC_FILES)[number], column: 'marketing' | 'utility', i: number, factor = 1) =>
    (f[column][i]! * factor).toFixed(4);
  return {
    version: 1,
    rateCards: kinds.includes('rates')
      ? files.map((f) => ({
          currency: 'BRL',
          effectiveFrom: f.effectiveFrom,
          unit: 'message',
          rates: Object.fromEntries(markets.map((m, i) => [m, { marketing: rate(f, 'marketing', i), utility: rate(f, 'utility', i) }])),
        }))
      : [],
    tierTables: kinds.includes('tiers')
      ? files.map((f) => ({
          currency: 'BRL',
          effectiveFrom: f.effectiveFrom,
          tiers: Object.fromEntries(
            markets.map((m, i) => [
              m,
              {
                utility: [
                  { lower: 0, upper: 2000, rate: rate(f, 'utility', i) },
                  { lower: 2001, upper: 8000, rate: rate(f, 'utility', i, 0.85) },
                  { lower: 8001, upper: null, rate: rate(f, 'utility', i, 0.7) },
                ],
              },
            ]),
          ),
        }))
      : [],
    callRateCards: [],
  };
}
const priceBook = () => ({ priceBook: bookJson(SYNTHETIC_FILES, ['rates', 'tiers']) });
const fileItems = () =>
  SYNTHETIC_FILES.flatMap((f, i) => [
    { name: f.name, kind: 'rates', currency: 'BRL', effectiveFrom: f.effectiveFrom, importedAt: 1000 + i },
    { name: f.name.replace('-rates-', '-tiers-'), kind: 'tiers', currency: 'BRL', effectiveFrom: f.effectiveFrom, importedAt: 2000 + i },
  ]);
const priceFiles = () => priceFilesResponse.parse({ items: fileItems() });
function priceFile(name: string) {
  const items = fileItems().filter((f) => f.name === name);
  const file = SYNTHETIC_FILES.find((f) => f.name === name || f.name.replace('-rates-', '-tiers-') === name);
  if (!file || items.length === 0) throw new Error(`synthetic connector: no price file ${name}`);
  return priceFileResponse.parse({
    items,
    priceBook: bookJson(
      [file],
      items.map((f) => f.kind as 'rates' | 'tiers'),
    ),
  });
}
const wabas = () =>
  wabasResponse.parse({
    items: (VALUES.waba as string[]).map((id) => ({ id, name: id, timezone: 'UTC', currency: 'BRL', portfolio: 'portfolio-1' })),
  });

const HANDLERS: Record<string, (p: URLSearchParams) => unknown> = {
  usage,
  calls,
  contacts,
  reconciliation,
  tiers,
  'pricing-input': pricingInput,
  'price-book': priceBook,
  'price-files': priceFiles,
  wabas,
};

/** FetchJson-shaped: resolves to the body the connector would send for `path?search`. */
export async function syntheticFetchJson(path: string, search: string): Promise<unknown> {
  const endpoint = path.startsWith(`${API_PREFIX}/`) ? path.slice(API_PREFIX.length + 1) : path;
  if (endpoint.startsWith('lists/')) return lists(endpoint.slice('lists/'.length));
  if (endpoint.startsWith('price-files/')) return priceFile(decodeURIComponent(endpoint.slice('price-files/'.length)));
  const handler = HANDLERS[endpoint];
  if (!handler) throw new Error(`synthetic connector: no endpoint ${path}`);
  return handler(new URLSearchParams(search));
}
