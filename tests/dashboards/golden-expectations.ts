/**
 * The figures each dashboard panel must show, computed by hand from the connector's raw API
 * responses (the JSON each panel's queries received), never from the plugin's frames or Grafana's
 * transformations. golden-panels.test.ts compares them with what Grafana would display.
 *
 * Formatting: counts must show as the exact integer, percentages as 100 x ratio with the panel's
 * decimals, money with the currency's symbol and ISO minor unit (hand tables) the way Grafana's
 * currency formatter scales it, durations the way Grafana's "s" unit does; the last two call Grafana's value formatter
 * on the hand-computed number, because how Grafana scales R$ or seconds is Grafana's rule, not ours.
 */
import { formattedValueToString, getValueFormat } from '@grafana/data';
import { readAllDashboards } from './dashboard-files';
import type { DisplayedValue, GoldenPanel, RawResponse, SeriesSum, TableColumn } from './golden-panels';
import { rowsOfColumns } from '../helpers/pricing-input-columns';

type Row = Record<string, any>;

/** Currency symbols by ISO code, by hand: what a user expects before the amount. */
export const CURRENCY_SYMBOL: Record<string, string> = { BRL: 'R$', INR: '₹', EUR: '€', USD: '$', GBP: '£' };
/** ISO 4217 minor units, by hand: an amount shows to the cent (R$242.69, not R$243). */
export const MINOR_UNITS: Record<string, number> = { BRL: 2, INR: 2, EUR: 2, USD: 2, GBP: 2 };

export interface ExpectedValue {
  /** The stat's title; undefined where several values share one (matched as a multiset). */
  title?: string;
  labels?: Record<string, string>;
  numeric: number;
  shown: string;
}

const sum = (rows: Row[], key: string) => rows.reduce((s, r) => s + Number(r[key] ?? 0), 0);
const money = (rows: Row[], key: string) => rows.reduce((s, r) => s + (r[key] === null || r[key] === undefined ? 0 : Number(r[key])), 0);
const byCurrency = (rows: Row[]) => groupBy(rows, (r) => r.currency as string);

function groupBy<T>(rows: T[], key: (r: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const r of rows) m.set(key(r), [...(m.get(key(r)) ?? []), r]);
  return m;
}

export const showCount = (n: number) => String(Math.round(n));
/** 100 x ratio to `decimals` places; a figure that rounds to zero has no sign ("0.00%", not "-0.00%"). */
export function showPercent(ratio: number, decimals: number): string {
  const text = (100 * ratio).toFixed(decimals);
  return `${Number(text) === 0 ? text.replace('-', '') : text}%`;
}
export function showMoney(amount: number, currency: string, decimals = MINOR_UNITS[currency]): string {
  const symbol = CURRENCY_SYMBOL[currency];
  if (!symbol || decimals === undefined) throw new Error(`no symbol or minor unit for ${currency} in CURRENCY_SYMBOL / MINOR_UNITS`);
  return formattedValueToString(getValueFormat(`currency:${symbol}`)(amount, decimals));
}
export const showSeconds = (s: number, decimals?: number) => formattedValueToString(getValueFormat('s')(s, decimals));

function rowsOf(r: RawResponse | undefined): Row[] {
  return ((r?.body as { rows?: Row[] } | undefined)?.rows ?? []) as Row[];
}

/** The response for the panel's own range (not the previous period, not a projection's history). */
function current(p: GoldenPanel, endpoint: string): RawResponse {
  const hits = p.responses.filter((r) => r.path.endsWith(`/${endpoint}`));
  const own = hits.find((r) => Number(r.params.from) === p.range.fromMs) ?? hits[0];
  if (!own) throw new Error(`${p.title}: no ${endpoint} response`);
  return own;
}
function previous(p: GoldenPanel, endpoint: string): RawResponse {
  const own = p.responses.find((r) => r.path.endsWith(`/${endpoint}`) && Number(r.params.to) === p.range.fromMs);
  if (!own) throw new Error(`${p.title}: no previous-period ${endpoint} response`);
  return own;
}

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

/** One expected value per currency of `rows` (money is never added across currencies). */
function perCurrency(rows: Row[], key: string, title?: string, labels?: Record<string, string>): ExpectedValue[] {
  return [...byCurrency(rows)].map(([currency, rs]) => {
    const amount = money(rs, key);
    return { title, labels, numeric: amount, shown: showMoney(amount, currency) };
  });
}

/** Per value of one dimension (and per currency): the dimension label as Grafana's field label. */
function perLabel(rows: Row[], dim: string, key: string): ExpectedValue[] {
  return [...groupBy(rows, (r) => String(r[ROW_FIELD[dim]!] ?? ''))].flatMap(([value, rs]) =>
    perCurrency(rs, key, undefined, { [dim]: value }),
  );
}

/**
 * Month to date per currency: the month the range ends in, up to the last complete day (the day
 * before the range end's day, as the plugin's projection documents). The projected figures come from
 * core's weekday model (tested in src/core); here they must at least bracket correctly.
 */
function projection(p: GoldenPanel): ExpectedValue[] {
  const r = current(p, 'usage');
  const today = String(r.params.to);
  const monthStart = `${today.slice(0, 7)}-01`;
  const mtd = rowsOf(r).filter((x) => x.bucket >= monthStart && x.bucket < today);
  return perCurrency(mtd, 'cost', 'Month to date');
}

/** Projection stats: the month-to-date figure exactly, low <= projected <= high and projected >= month to date. */
function projectionProblems(expected: ExpectedValue[], displayed: DisplayedValue[]): string[] {
  const out: string[] = [];
  const currencyOf = (title = '') => title.split(' · ')[1] ?? '';
  const base = (title = '') => title.split(' · ')[0];
  const mtdShown = displayed.filter((d) => base(d.title) === 'Month to date');
  const want = displayLines(expected, false);
  const got = displayLines(mtdShown, false);
  if (JSON.stringify(want) !== JSON.stringify(got))
    out.push(`month to date shows [${got.join(' ; ')}], the API says [${want.join(' ; ')}]`);
  else
    out.push(
      ...numericMismatches(
        expected.map((e) => ({ ...e, title: undefined })),
        mtdShown.map((d) => ({ ...d, title: undefined })),
      ),
    );
  for (const cur of new Set(displayed.map((d) => currencyOf(d.title)))) {
    const get = (name: string) => displayed.find((d) => base(d.title) === name && currencyOf(d.title) === cur)?.numeric;
    const [mtd, mid, lo, hi] = ['Month to date', 'Projected', 'Projected (low)', 'Projected (high)'].map(get);
    if ([mtd, mid, lo, hi].some((x) => x === undefined))
      out.push(`${cur || 'the currency'}: not all of month to date, projected, low, high shown`);
    else if (!(lo! <= mid! && mid! <= hi! && mid! >= mtd!))
      out.push(`${cur}: low ${lo}, projected ${mid}, high ${hi}, month to date ${mtd} out of order`);
  }
  return out;
}

type Expect = (p: GoldenPanel) => ExpectedValue[];

const PROJECTION_STATS = new Set(['waspend-overview#3', 'waspend-billing#3']);

/**
 * Every stat, gauge and bar gauge of every dashboard, by dashboard uid and panel id. A panel of those
 * types missing here fails the test, so a new panel cannot go unchecked.
 */
export const EXPECTED_DISPLAYS: Record<string, Expect> = {
  'waspend-overview#1': (p) => perCurrency(rowsOf(current(p, 'usage')), 'cost'),
  'waspend-overview#2': (p) => {
    const n = sum(rowsOf(current(p, 'usage')), 'messages');
    return [{ title: 'Messages delivered', numeric: n, shown: showCount(n) }];
  },
  'waspend-overview#3': projection,
  'waspend-overview#9': (p) => perLabel(rowsOf(current(p, 'usage')), 'country', 'cost'),
  'waspend-overview#10': (p) => perLabel(rowsOf(current(p, 'usage')), 'phone', 'cost'),

  'waspend-calls#1': (p) => {
    const now = sum(rowsOf(current(p, 'calls')), 'calls');
    const before = sum(rowsOf(previous(p, 'calls')), 'calls');
    return [
      { title: 'Calls in range', numeric: now, shown: showCount(now) },
      { title: 'Change vs previous period', numeric: now / before - 1, shown: showPercent(now / before - 1, 1) },
    ];
  },
  'waspend-calls#2': (p) => {
    const now = sum(rowsOf(current(p, 'calls')), 'durationSec') / 60;
    const before = sum(rowsOf(previous(p, 'calls')), 'durationSec') / 60;
    return [
      { title: 'Minutes', numeric: now, shown: showCount(now) },
      { title: 'Change vs previous period', numeric: now / before - 1, shown: showPercent(now / before - 1, 1) },
    ];
  },
  'waspend-calls#3': (p) => {
    const cur = rowsOf(current(p, 'calls'));
    const prev = rowsOf(previous(p, 'calls'));
    const now = sum(cur, 'durationSec') / sum(cur, 'calls');
    const before = sum(prev, 'durationSec') / sum(prev, 'calls');
    return [
      { title: 'Average call duration', numeric: now, shown: showSeconds(now, 1) },
      { title: 'Change vs previous period', numeric: now / before - 1, shown: showPercent(now / before - 1, 1) },
    ];
  },
  'waspend-calls#4': (p) => [
    ...perCurrency(rowsOf(current(p, 'calls')), 'cost', 'Cost'),
    ...perCurrency(rowsOf(previous(p, 'calls')), 'cost', 'Cost (previous period)'),
  ],
  'waspend-calls#7': (p) => perLabel(rowsOf(current(p, 'calls')), 'country', 'cost'),
  'waspend-calls#8': (p) =>
    [...groupBy(rowsOf(current(p, 'calls')), (r) => String(r.country))].map(([country, rs]) => {
      const n = sum(rs, 'calls');
      return { title: country, numeric: n, shown: showCount(n) };
    }),

  'waspend-overview#8': (p) => {
    const label: Record<string, string> = {
      regular: 'Paid (regular)',
      free_customer_service: 'Free: customer service window',
      free_entry_point: 'Free: entry point (ads)',
      free_tier: 'Free tier',
    };
    return [...groupBy(rowsOf(current(p, 'usage')), (r) => String(r.pricingType))].map(([type, rs]) => {
      const n = sum(rs, 'messages');
      return { title: label[type] ?? type, numeric: n, shown: showCount(n) };
    });
  },
  'waspend-billing#6': (p) => {
    const label: Record<string, string> = { user_initiated: 'User-initiated', business_initiated: 'Business-initiated' };
    return [...groupBy(rowsOf(current(p, 'usage')), (r) => String(r.direction))].map(([direction, rs]) => {
      const n = sum(rs, 'billable');
      return { title: label[direction] ?? direction, numeric: n, shown: showCount(n) };
    });
  },
  'waspend-billing#1': (p) => {
    const rows = [...rowsOf(current(p, 'contacts'))].sort((a, b) => a.time - b.time);
    const last = Number(rows[rows.length - 1]?.contacts);
    return [{ title: 'Unique contacts', numeric: last, shown: showCount(last) }];
  },
  'waspend-billing#2': (p) => {
    const n = sum(rowsOf(current(p, 'usage')), 'billable');
    return [{ title: 'Billed units in range', numeric: n, shown: showCount(n) }];
  },
  'waspend-billing#3': projection,

  'waspend-reconciliation#1': (p) => {
    const rows = rowsOf(current(p, 'reconciliation'));
    return [...byCurrency(rows)].flatMap(([currency, rs]) => {
      const reported = rs.filter((r) => r.metaCost !== null && r.estimateCost !== null);
      const estimate = money(rs, 'estimateCost');
      const meta = money(reported, 'metaCost');
      const difference = money(reported, 'estimateCost') - meta;
      return [
        { title: 'Estimate cost', numeric: estimate, shown: showMoney(estimate, currency) },
        { title: 'Meta cost', numeric: meta, shown: showMoney(meta, currency) },
        { title: 'Difference', numeric: difference, shown: showMoney(difference, currency) },
        { title: 'Drift (difference / Meta)', numeric: difference / meta, shown: showPercent(difference / meta, 2) },
      ];
    });
  },
  'waspend-reconciliation#2': (p) => {
    const rows = rowsOf(current(p, 'reconciliation'));
    const estimate = sum(rows, 'estimateUnits');
    const meta = sum(
      rows.filter((r) => r.metaUnits !== null),
      'metaUnits',
    );
    return [
      // Units add up across WABAs and currencies: one figure each.
      { title: 'Estimate units in range', numeric: estimate, shown: showCount(estimate) },
      { title: 'Meta units in range', numeric: meta, shown: showCount(meta) },
    ];
  },
};

/** Sorted, comparable lines: "title | labels | shown" (numbers compared separately). */
export function displayLines(values: Array<ExpectedValue | DisplayedValue>, withTitles: boolean): string[] {
  return values.map((v) => lineOf(v, withTitles)).sort();
}
const lineOf = (v: ExpectedValue | DisplayedValue, withTitles: boolean) =>
  `${withTitles ? (v.title ?? '') : '*'} | ${v.labels ? JSON.stringify(v.labels) : ''} | ${v.shown}`;

/** Numbers paired by line; equal to 1e-9 relative (float sums in another order). */
export function numericMismatches(expected: ExpectedValue[], displayed: DisplayedValue[]): string[] {
  const withTitles = expected.every((e) => e.title !== undefined);
  const key = (v: ExpectedValue | DisplayedValue) => lineOf(v, withTitles);
  const got = new Map<string, number[]>();
  for (const d of displayed)
    got.set(
      key(d),
      [...(got.get(key(d)) ?? []), d.numeric].sort((a, b) => a - b),
    );
  const want = new Map<string, number[]>();
  for (const e of expected)
    want.set(
      key(e),
      [...(want.get(key(e)) ?? []), e.numeric].sort((a, b) => a - b),
    );
  const out: string[] = [];
  for (const [k, ws] of want) {
    const gs = got.get(k) ?? [];
    ws.forEach((w, i) => {
      const g = gs[i];
      if (g === undefined || Math.abs(g - w) > 1e-9 * Math.max(1, Math.abs(w))) out.push(`${k}: shows ${g} for ${w}`);
    });
  }
  return out;
}

/** Series a time series panel draws whose sum is checked against the API, by field name. */
const SERIES_SOURCE: Record<string, { endpoint: string; key: string; money: boolean }> = {
  Messages: { endpoint: 'usage', key: 'messages', money: false },
  Cost: { endpoint: 'usage', key: 'cost', money: true },
  'Billed units': { endpoint: 'usage', key: 'billable', money: false },
  Calls: { endpoint: 'calls', key: 'calls', money: false },
  'Talk time': { endpoint: 'calls', key: 'durationSec', money: false },
  'Estimate cost': { endpoint: 'reconciliation', key: 'estimateCost', money: true },
  'Meta cost': { endpoint: 'reconciliation', key: 'metaCost', money: true },
};

/**
 * Series that are not a sum of one API column, each with what is checked instead. Anything not in
 * SERIES_SOURCE or here fails the test.
 */
export const DERIVED_SERIES: Record<string, string> = {
  Difference: 'estimate - Meta on the days Meta reported (checked)',
  Accumulated: 'running total: its last point is the range total (checked)',
  'Average duration': 'talk time / calls per day (checked)',
  'Month to date': 'projection path (the month-to-date stat is checked)',
  Projected: 'projection (core/projection has its own tests)',
  Lower: 'projection band',
  Upper: 'projection band',
};

/** Mismatches between each drawn series' sum and the API's total for that series. */
export function seriesMismatches(p: GoldenPanel, series: SeriesSum[]): string[] {
  const out: string[] = [];
  for (const s of series) {
    const where = `${p.title} / ${s.displayName}`;
    const labelled = (rows: Row[]) =>
      rows.filter((r) => Object.entries(s.labels ?? {}).every(([k, v]) => String(r[ROW_FIELD[k]!] ?? '') === v));
    const src = SERIES_SOURCE[s.name];
    let candidates: number[];
    if (src) {
      const rows = labelled(rowsOf(current(p, src.endpoint)));
      // Counts are split by currency too (one series per currency): any currency's sum may match.
      candidates = [...byCurrency(rows).values()].map((rs) => (src.money ? money(rs, src.key) : sum(rs, src.key)));
      if (byCurrency(rows).size === 1 || !src.money) candidates.push(src.money ? money(rows, src.key) : sum(rows, src.key));
    } else if (s.name === 'Difference') {
      const rows = labelled(rowsOf(current(p, 'reconciliation'))).filter((r) => r.metaCost !== null);
      candidates = [...byCurrency(rows).values()].map((rs) => money(rs, 'estimateCost') - money(rs, 'metaCost'));
      // Meta has reported none of this series' days yet: nothing may be drawn.
      if (!rows.length && s.points === 0) continue;
    } else if (s.name === 'Accumulated') {
      const rows = rowsOf(current(p, 'usage'));
      candidates = [...byCurrency(rows).values()].map((rs) => sum(rs, 'billable'));
      if (!candidates.some((c) => Math.abs(c - s.last) < 1e-9))
        out.push(`${where}: last point ${s.last}, API total ${candidates.join(' or ')}`);
      continue;
    } else if (s.name === 'Average duration') {
      // One series per currency: the sum of its days' talk time / calls.
      candidates = [...byCurrency(rowsOf(current(p, 'calls')))].map(([, rows]) =>
        [...groupBy(rows, (r) => String(r.time)).values()]
          .filter((rs) => sum(rs, 'calls') > 0)
          .reduce((a, rs) => a + sum(rs, 'durationSec') / sum(rs, 'calls'), 0),
      );
    } else if (s.name in DERIVED_SERIES) continue;
    else {
      out.push(`${where}: no rule for a series named "${s.name}" (add it to SERIES_SOURCE or DERIVED_SERIES)`);
      continue;
    }
    if (!candidates.some((c) => Math.abs(c - s.sum) <= 1e-6 * Math.max(1, Math.abs(c))))
      out.push(`${where}: draws ${s.sum} in all, the API says ${candidates.join(' or ')}`);
  }
  return out;
}

/** The currency of a money column from its unit: Grafana's `currencyBRL` or a `currency:R$` symbol. */
export function currencyOfUnit(unit: string | undefined): string | undefined {
  const id = /^currency([A-Z]{3})$/.exec(unit ?? '')?.[1];
  if (id) return id;
  const symbol = /^currency:(.+)$/.exec(unit ?? '')?.[1];
  return Object.entries(CURRENCY_SYMBOL).find(([, s]) => s === symbol)?.[0];
}

/** A table column by its name; repeated or per-currency tables prefix it (`Cost by Group · BRL Cost`). */
const column = (t: TableColumn[], name: string) =>
  t.find((c) => c.displayName === name) ?? t.find((c) => c.displayName.endsWith(` ${name}`));

/** Table panels: each row's figures against the API rows they come from. */
export const EXPECTED_TABLES: Record<string, (p: GoldenPanel, tables: TableColumn[][]) => string[]> = {
  'waspend-billing#8': (p, tables) => {
    // Allocation, one table per currency: the currency's cost is shared out in full, and each
    // group's units are its own.
    const byGroup = (r: RawResponse) =>
      String(r.params.by ?? '')
        .split(',')
        .includes('group');
    const units = rowsOf(p.responses.find((r) => r.path.endsWith('/usage') && byGroup(r)));
    const totals = rowsOf(p.responses.find((r) => r.path.endsWith('/usage') && !byGroup(r)));
    const out: string[] = [];
    const seen = new Set<string>();
    for (const t of tables) {
      const cost = column(t, 'Cost');
      const currency = currencyOfUnit(cost?.unit);
      if (!cost || !currency) {
        out.push(`a table without a Cost column in a known currency (${cost?.unit})`);
        continue;
      }
      seen.add(currency);
      const want = money(
        totals.filter((r) => r.currency === currency),
        'cost',
      );
      const allocated = (cost.values as number[]).reduce((a, b) => a + (b ?? 0), 0);
      if (Math.abs(allocated - want) > 0.005 * cost.values.length)
        out.push(`${currency}: allocated ${allocated} in all, the API's total cost is ${want}`);
      const perGroup = groupBy(
        units.filter((r) => r.currency === currency),
        (r) => (r.group === null || r.group === undefined ? 'No group' : String(r.group)),
      );
      const g = column(t, 'Group');
      const u = column(t, 'Billed units');
      g?.values.forEach((name, i) => {
        const n = sum(perGroup.get(String(name)) ?? [], 'billable');
        if (u?.values[i] !== n) out.push(`${currency} group ${name}: shows ${u?.values[i]} billed units, the API says ${n}`);
        if (u && u.shown[i] !== showCount(n)) out.push(`${currency} group ${name}: billed units shown as "${u.shown[i]}"`);
        const c = cost.values[i] as number;
        if (cost.shown[i] !== showMoney(c, currency)) out.push(`${currency} group ${name}: cost shown "${cost.shown[i]}" for ${c}`);
      });
    }
    for (const c of byCurrency(totals).keys()) if (!seen.has(c)) out.push(`no allocation table for ${c}`);
    return out;
  },
  'waspend-billing#9': (p, tables) => {
    const rows = rowsOf(current(p, 'tiers'));
    const out: string[] = [];
    const t = tables[0] ?? [];
    const col = (n: string) => column(t, n);
    const n = col('Billed units')?.values.length ?? 0;
    if (n !== rows.length) out.push(`${n} rows shown, the API has ${rows.length}`);
    for (let i = 0; i < n; i++) {
      const key = `${col('Portfolio')?.values[i]}|${col('Market')?.values[i]}|${String(col('Category')?.shown[i]).toLowerCase().replace(/ /g, '_')}`;
      const api = rows.find((r) => `${r.portfolioId}|${r.market}|${r.category}` === key);
      if (!api) {
        out.push(`row ${key} not in the API`);
        continue;
      }
      if (col('Billed units')?.shown[i] !== showCount(api.units))
        out.push(`${key}: units shown "${col('Billed units')?.shown[i]}", API ${api.units}`);
      const left = api.remaining === null ? 'last tier' : showCount(api.remaining);
      if (col('Units to next tier')?.shown[i] !== left)
        out.push(`${key}: to next tier shown "${col('Units to next tier')?.shown[i]}", API ${left}`);
    }
    return out;
  },
  'waspend-reconciliation#5': (p, tables) => {
    // One table per currency (the panel repeats per WABA); each row is one API row of that currency.
    const rows = rowsOf(current(p, 'reconciliation'));
    const out: string[] = [];
    for (const t of tables) {
      const col = (n: string) => column(t, n);
      const currency = currencyOfUnit(col('Estimate cost')?.unit);
      const day = col('Day');
      const n = day?.values.length ?? 0;
      for (let i = 0; i < n; i++) {
        const api = rows.find(
          (r) => r.time === day?.values[i] && r.currency === currency && String(r.category) === String(col('Category')?.values[i]),
        );
        if (!api) {
          out.push(`row ${day?.shown[i]} ${col('Category')?.values[i]} ${currency} not in the API`);
          continue;
        }
        const at = `${api.day} ${api.category} ${currency}`;
        if (Number(col('Estimate cost')?.values[i]) !== Number(api.estimateCost))
          out.push(`${at}: estimate ${col('Estimate cost')?.values[i]}, API ${api.estimateCost}`);
        if (api.metaCost === null) {
          if (col('Difference')?.values[i] !== null) out.push(`${at}: a difference before Meta reported`);
          continue;
        }
        const diff = Number(api.estimateCost) - Number(api.metaCost);
        const got = Number(col('Difference')?.values[i]);
        if (Math.abs(got - diff) > 1e-9) out.push(`${at}: difference ${got}, API ${diff}`);
        if (col('Difference')?.shown[i] !== showMoney(diff, api.currency))
          out.push(`${at}: difference shown "${col('Difference')?.shown[i]}"`);
        const drift = Number(api.metaCost) === 0 ? null : diff / Number(api.metaCost);
        if (drift !== null && col('Drift')?.shown[i] !== showPercent(drift, 2))
          out.push(`${at}: drift shown "${col('Drift')?.shown[i]}", want ${showPercent(drift, 2)}`);
      }
    }
    return out;
  },
};

/**
 * The invoice table (reconciliation per month): every cell against the API row of its month, WABA and
 * currency; the differences recomputed here from the three figures, the percentages as 100 x the
 * difference over the reference (Meta for estimate vs Meta, the invoice otherwise).
 */
function invoiceTable(p: GoldenPanel, tables: TableColumn[][]): string[] {
  const rows = rowsOf(current(p, 'reconciliation'));
  const out: string[] = [];
  let seen = 0;
  for (const t of tables) {
    const col = (n: string) => t.find((c) => c.displayName === n);
    (col('Month')?.values ?? []).forEach((month, i) => {
      seen++;
      const api = rows.find((r) => r.month === month && r.wabaId === col('WABA')?.values[i] && r.currency === col('Currency')?.values[i]);
      if (!api) return void out.push(`row ${String(month)} ${String(col('WABA')?.values[i])} not in the API`);
      const at = `${api.month} ${api.wabaId} ${api.currency}`;
      const amount = (k: string) => (api[k] === null ? null : Number(api[k]));
      const moneyCell = (name: string, want: number | null) => {
        const got = col(name)?.values[i] as number | null | undefined;
        if (want === null) {
          if (got !== null && got !== undefined) out.push(`${at} ${name}: shows ${got}, the API has none`);
          return;
        }
        if (typeof got !== 'number' || Math.abs(got - want) > 1e-9) out.push(`${at} ${name}: ${String(got)}, API ${want}`);
        else if (col(name)?.shown[i] !== showMoney(want, api.currency))
          out.push(`${at} ${name}: shown "${col(name)?.shown[i]}", want "${showMoney(want, api.currency)}"`);
      };
      const pctCell = (name: string, figure: number | null, reference: number | null) => {
        const got = col(name)?.values[i] as number | null | undefined;
        if (figure === null || reference === null || reference === 0) {
          if (got !== null && got !== undefined) out.push(`${at} ${name}: shows ${got} without both figures`);
          return;
        }
        const want = (100 * (figure - reference)) / reference;
        if (typeof got !== 'number' || Math.abs(got - want) > 0.0051) out.push(`${at} ${name}: ${String(got)}, by hand ${want}`);
        else if (col(name)?.shown[i] !== showPercent(want / 100, 2))
          out.push(`${at} ${name}: shown "${col(name)?.shown[i]}", want ${showPercent(want / 100, 2)}`);
      };
      const [est, meta, inv] = [amount('estimateCost'), amount('metaCost'), amount('invoiceAmount')];
      const minus = (a: number | null, b: number | null) => (a === null || b === null ? null : a - b);
      moneyCell('Estimate', est);
      moneyCell('Meta', meta);
      moneyCell('Invoice', inv);
      moneyCell('Estimate vs Meta', minus(est, meta));
      pctCell('Estimate vs Meta %', est, meta);
      moneyCell('Estimate vs invoice', minus(est, inv));
      pctCell('Estimate vs invoice %', est, inv);
      moneyCell('Meta vs invoice', minus(meta, inv));
      pctCell('Meta vs invoice %', meta, inv);
      if (col('Consolidating')?.shown[i] !== (api.consolidating ? 'yes' : 'no'))
        out.push(`${at} consolidating: shown "${col('Consolidating')?.shown[i]}", API ${api.consolidating}`);
    });
  }
  if (seen !== rows.length) out.push(`${seen} rows shown, the API sent ${rows.length}`);
  return out;
}
EXPECTED_TABLES['waspend-reconciliation#7'] = invoiceTable;

/** Everything wrong with one panel's figures; empty when it shows what the API says. */
export function checkPanel(p: GoldenPanel): { expected?: ExpectedValue[]; problems: string[] } {
  const key = `${p.dashboardUid}#${p.panelId}`;
  if (p.error) return { problems: [`query or transformation failed: ${p.error.split('\n')[0]}`] };
  try {
    if (p.tables) {
      const check = EXPECTED_TABLES[key];
      return { problems: check ? check(p, p.tables) : [`no expectation for table ${key} in EXPECTED_TABLES`] };
    }
    if (p.series) return { problems: seriesMismatches(p, p.series) };
    const expect = EXPECTED_DISPLAYS[key];
    if (!expect) return { problems: [`no expectation for ${p.panelType} ${key} in EXPECTED_DISPLAYS`] };
    const expected = expect(p);
    const displayed = p.displayed ?? [];
    const problems: string[] = [];
    if (PROJECTION_STATS.has(key)) return { expected, problems: projectionProblems(expected, displayed) };
    const withTitles = expected.every((e) => e.title !== undefined);
    const want = displayLines(expected, withTitles);
    const got = displayLines(displayed, withTitles);
    if (JSON.stringify(want) !== JSON.stringify(got)) problems.push(`shows [${got.join(' ; ')}], the API says [${want.join(' ; ')}]`);
    else problems.push(...numericMismatches(expected, displayed));
    return { expected, problems };
  } catch (err) {
    return { problems: [`expectation failed: ${(err as Error).message}`] };
  }
}

// ---------------------------------------------------------------------------------------------
// What-if row (billing dashboard): both sides priced here by hand from the raw answers of
// /pricing-input, /price-book and /price-files, the way docs/pricing-rules.md says Meta charges PMP
// days: a `regular` row is charged, utility and authentication on the volume tiers of the tier table
// in force (counted per portfolio x market x category x month from the prior units, day by day),
// everything else at the card's flat rate; charged service at the card's Service rate, else its
// Utility rate (service is charged from 2026-10-01).

const microsOf = (decimal: string): bigint => {
  const [int, frac = ''] = decimal.split('.');
  return BigInt(int!) * 1_000_000n + BigInt(frac.padEnd(6, '0').slice(0, 6));
};
interface HandCard {
  currency: string;
  effectiveFrom: string;
  unit?: string;
  rates: Record<string, Record<string, string>>;
}
interface HandTiers {
  currency: string;
  effectiveFrom: string;
  tiers: Record<string, Record<string, Array<{ lower: number; upper: number | null; rate: string }>>>;
}
interface HandBook {
  rateCards: HandCard[];
  tierTables: HandTiers[];
}
const TIERED = new Set(['utility', 'authentication', 'authentication_international']);

function inForce<T extends { currency: string; effectiveFrom: string }>(list: T[], currency: string, day: string): T | undefined {
  return list
    .filter((x) => x.currency === currency && x.effectiveFrom <= day)
    .sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom))
    .at(-1);
}

/** Cost per currency in micro-units of the rows on `book`, by hand. */
function costByHand(rows: Row[], prior: Row[], book: HandBook): Map<string, bigint> {
  const out = new Map<string, bigint>();
  const add = (currency: string, micros: bigint) => out.set(currency, (out.get(currency) ?? 0n) + micros);
  const counters = new Map<string, number>();
  for (const p of prior) counters.set(`${p.portfolioId}|${p.market}|${p.category}|${p.month}`, Number(p.units));
  for (const r of [...rows].sort((a, b) => String(a.day).localeCompare(String(b.day)))) {
    if (r.pricingModel !== 'PMP') throw new Error(`by hand: only PMP days are priced here, got ${r.pricingModel} on ${r.day}`);
    if (r.pricingType !== 'regular' || r.category === 'referral_conversion') continue;
    const column = r.category === 'marketing_lite' ? 'marketing' : String(r.category);
    const card = book.rateCards.filter((c) => (c.unit ?? 'message') === 'message');
    const rates = inForce(card, r.currency, r.day)?.rates[r.market] ?? {};
    const ladder = TIERED.has(column) ? inForce(book.tierTables, r.currency, r.day)?.tiers[r.market]?.[column] : undefined;
    if (ladder) {
      const key = `${r.portfolioId}|${r.market}|${column}|${String(r.day).slice(0, 7)}`;
      let n = counters.get(key) ?? 0;
      for (let u = 0; u < Number(r.units); u++) {
        n += 1;
        const tier = ladder.find((t) => t.lower <= n && (t.upper === null || n <= t.upper))!;
        add(r.currency, microsOf(tier.rate));
      }
      counters.set(key, n);
      continue;
    }
    if (column === 'service' && r.day < '2026-10-01') throw new Error(`by hand: a charged service row before 2026-10-01 (${r.day})`);
    const rate = rates[column] ?? (column === 'service' ? rates.utility : undefined);
    if (rate === undefined) throw new Error(`by hand: no ${column} rate for ${r.market} in ${r.currency} on ${r.day}`);
    add(r.currency, BigInt(r.units) * microsOf(rate));
  }
  return out;
}

function whatIfByHand(
  p: GoldenPanel,
  name: string,
  change: (rows: Row[], book: HandBook) => { rows: Row[]; book: HandBook },
): ExpectedValue[] {
  const answered = p.responses.find((r) => r.path.endsWith('/pricing-input'))?.body;
  const input = answered === undefined ? undefined : (rowsOfColumns(answered as object) as unknown as { rows: Row[]; priorUnits: Row[] });
  const bookBody = p.responses.find((r) => r.path.endsWith('/price-book'))?.body as { priceBook: HandBook } | undefined;
  if (!input || !bookBody) throw new Error(`${p.title}: no /pricing-input or /price-book response`);
  const actual = costByHand(input.rows, input.priorUnits, bookBody.priceBook);
  const changed = change(input.rows, bookBody.priceBook);
  const scenario = costByHand(changed.rows, input.priorUnits, changed.book);
  const currencies = [...new Set([...actual.keys(), ...scenario.keys()])].sort();
  const prefix = (c: string) => (currencies.length > 1 ? `${c} · ` : '');
  return currencies.flatMap((c) => {
    const a = actual.get(c) ?? 0n;
    const s = scenario.get(c) ?? 0n;
    const value = (title: string, micros: bigint, labels?: Record<string, string>) => {
      const amount = Number(micros) / 1e6;
      return { title: `${prefix(c)}${title}`, ...(labels ? { labels } : {}), numeric: amount, shown: showMoney(amount, c) };
    };
    return [value('Actual', a), value(name, s, { scenario: name }), value(`${name} − actual`, s - a, { scenario: name })];
  });
}

EXPECTED_DISPLAYS['waspend-billing#11'] = (p) =>
  whatIfByHand(p, "Next quarter's rates", (rows, book) => {
    // `latest`: every rates and tiers file of the latest effective day, each in force over the whole month.
    const items = (p.responses.find((r) => r.path.endsWith('/price-files'))?.body as { items: Row[] }).items.filter(
      (f) => f.kind !== 'call_rates',
    );
    const latest = items
      .map((f) => String(f.effectiveFrom))
      .sort()
      .at(-1);
    const chosen = items.filter((f) => f.effectiveFrom === latest);
    const files = p.responses.filter((r) => chosen.some((f) => r.path.endsWith(`/price-files/${encodeURIComponent(f.name)}`)));
    if (files.length !== new Set(chosen.map((f) => f.name)).size) throw new Error(`${p.title}: not every chosen price file was fetched`);
    const always = <T extends { effectiveFrom: string }>(x: T): T => ({ ...x, effectiveFrom: '0000-01-01' });
    const next = files.map((r) => (r.body as { priceBook: HandBook }).priceBook);
    const cards = next.flatMap((b) => b.rateCards);
    const tiers = next.flatMap((b) => b.tierTables);
    return {
      rows,
      book: {
        rateCards: [...book.rateCards.filter((c) => !cards.some((n) => n.currency === c.currency)), ...cards.map(always)],
        tierTables: [...book.tierTables.filter((t) => !tiers.some((n) => n.currency === t.currency)), ...tiers.map(always)],
      },
    };
  });

EXPECTED_DISPLAYS['waspend-billing#12'] = (p) => {
  const billing = readAllDashboards().find((d) => d.json.uid === 'waspend-billing')!.json;
  const share = Number((billing.templating.list as Row[]).find((v) => v.name === 'service_share')!.current.value);
  return whatIfByHand(p, `${share}% of service as templates`, (rows, book) => ({
    book,
    rows: rows.flatMap((r) => {
      if (r.category !== 'service' || (r.pricingType !== 'regular' && r.pricingType !== 'free_customer_service')) return [r];
      // share% of the row's replies, half rounded up, sent as utility templates inside the window
      // (free there before 2026-10-01, charged from that day).
      const moved = Math.floor((Number(r.units) * share * 2 + 100) / 200);
      const type = r.day < '2026-10-01' ? 'free_customer_service' : 'regular';
      return [
        ...(moved < r.units ? [{ ...r, units: r.units - moved }] : []),
        ...(moved > 0 ? [{ ...r, category: 'utility', pricingType: type, units: moved }] : []),
      ];
    }),
  }));
};
