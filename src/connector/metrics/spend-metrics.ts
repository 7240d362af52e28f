import { Gauge, type Registry } from 'prom-client';
import { addDays, firstDayOf, formatMicros, localDay, microsToNumber, monthOf, projectWeekday, type DailyValue } from '@core';
import { currencyOfDay, pricedUsage, type QueryContext } from '../query';

/** Scrapes come every 15-60 s from each Prometheus; pricing two months on each would load the store for nothing. */
const REFRESH_MS = 10_000;

/** What the spend gauges show, as plain numbers (it crosses from the query worker as JSON). */
export interface SpendSnapshot {
  mtd: { waba: string; currency: string; category: string; value: number }[];
  projection: { waba: string; currency: string; projected: number; lower: number; upper: number }[];
  today: { waba: string; currency: string; value: number }[];
  avg7: { waba: string; currency: string; value: number }[];
  billable: { waba: string; category: string; pricingType: string; value: number }[];
  delivered: { waba: string; category: string; value: number }[];
}

const toNumber = (m: bigint) => Number(formatMicros(m, 6));

/**
 * Spend gauges read from the store at scrape time (WABA-local month and day), so every replica
 * reports the same numbers and a restart loses nothing. The `_total` series are month-to-date counts:
 * they restart at each WABA-local month, which Prometheus treats as a counter reset.
 */
export function registerSpendMetrics(
  registry: Registry,
  ctx: QueryContext,
  /** Where the figures are computed: by default here; the running connector hands it to its query worker. */
  read: () => Promise<SpendSnapshot> = () => spendSnapshot(ctx),
): void {
  let cached: { at: number; value: Promise<SpendSnapshot> } | null = null;
  const snapshot = (): Promise<SpendSnapshot> => {
    // Aged on the monotonic clock, not ctx.now(): a connector pinned with --as-of would never refresh.
    const now = performance.now();
    if (!cached || now - cached.at > REFRESH_MS) {
      const value = read();
      cached = { at: now, value };
      value.catch(() => (cached = null));
    }
    return cached.value;
  };
  const gauge = (name: string, help: string, labelNames: string[], fill: (g: Gauge, s: SpendSnapshot) => void) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        const s = await snapshot();
        this.reset();
        fill(this, s);
      },
    });
  gauge(
    'waspend_month_to_date_cost',
    'Estimated cost this WABA-local month, in the WABA currency.',
    ['waba', 'currency', 'category'],
    (g, s) => s.mtd.forEach((r) => g.set({ waba: r.waba, currency: r.currency, category: r.category }, r.value)),
  );
  gauge('waspend_projected_month_end_cost', 'Projected month-end cost (day-of-week method).', ['waba', 'currency'], (g, s) =>
    s.projection.forEach((r) => g.set({ waba: r.waba, currency: r.currency }, r.projected)),
  );
  gauge('waspend_projected_month_end_cost_lower', 'Lower end of the ~95% band of the month-end projection.', ['waba', 'currency'], (g, s) =>
    s.projection.forEach((r) => g.set({ waba: r.waba, currency: r.currency }, r.lower)),
  );
  gauge('waspend_projected_month_end_cost_upper', 'Upper end of the ~95% band of the month-end projection.', ['waba', 'currency'], (g, s) =>
    s.projection.forEach((r) => g.set({ waba: r.waba, currency: r.currency }, r.upper)),
  );
  gauge('waspend_cost_today', 'Estimated cost of the current WABA-local day so far.', ['waba', 'currency'], (g, s) =>
    s.today.forEach((r) => g.set({ waba: r.waba, currency: r.currency }, r.value)),
  );
  gauge('waspend_cost_daily_average_7d', 'Average daily cost over the 7 complete days before today.', ['waba', 'currency'], (g, s) =>
    s.avg7.forEach((r) => g.set({ waba: r.waba, currency: r.currency }, r.value)),
  );
  gauge(
    'waspend_billable_messages_total',
    'Charged units this WABA-local month (resets monthly).',
    ['waba', 'category', 'pricing_type'],
    (g, s) => s.billable.forEach((r) => g.set({ waba: r.waba, category: r.category, pricing_type: r.pricingType }, r.value)),
  );
  gauge('waspend_messages_delivered_total', 'Delivered messages this WABA-local month (resets monthly).', ['waba', 'category'], (g, s) =>
    s.delivered.forEach((r) => g.set({ waba: r.waba, category: r.category }, r.value)),
  );
  // The budget is in the currency billed today; read at scrape time so a currency switch relabels it.
  new Gauge({
    name: 'waspend_monthly_budget',
    help: 'Monthly budget from the connector config (wabas[].monthlyBudget).',
    labelNames: ['waba', 'currency'],
    registers: [registry],
    collect() {
      this.reset();
      for (const w of ctx.wabas.values())
        if (w.monthlyBudget !== undefined)
          this.set({ waba: w.id, currency: currencyOfDay(w, localDay(ctx.now(), w.timezone)) }, w.monthlyBudget);
    },
  });
}

/** The spend gauges' figures, priced from the store (two months of the fine rollup). */
export async function spendSnapshot(ctx: QueryContext): Promise<SpendSnapshot> {
  const s: SpendSnapshot = { mtd: [], projection: [], today: [], avg7: [], billable: [], delivered: [] };
  const wabas = [...ctx.wabas.values()];
  if (wabas.length === 0) return s;
  const todays = new Map(wabas.map((w) => [w.id, localDay(ctx.now(), w.timezone)]));
  const days = [...todays.values()].sort();
  // Eight weeks of history feed the day-of-week profile of the projection.
  const priced = await pricedUsage(ctx, { fromDay: addDays(days[0] as string, -63), toDay: days.at(-1) as string });
  for (const w of wabas) {
    const today = todays.get(w.id) as string;
    const month = monthOf(today);
    const currencyToday = currencyOfDay(w, today);
    // Money is kept per currency (a WABA switching currency bills two in that month); never added across.
    const daily = new Map<string, bigint>();
    const dailyCurrency = new Map<string, string>();
    const mtd = new Map<string, bigint>();
    const billable = new Map<string, number>();
    const delivered = new Map<string, number>();
    for (const r of priced.rows) {
      if (r.wabaId !== w.id || r.day > today) continue;
      const cost = r.costMicros ?? 0n;
      daily.set(r.day, (daily.get(r.day) ?? 0n) + cost);
      dailyCurrency.set(r.day, r.currency);
      if (r.day < firstDayOf(month)) continue;
      mtd.set(`${r.currency}|${r.category}`, (mtd.get(`${r.currency}|${r.category}`) ?? 0n) + cost);
      billable.set(`${r.category}|${r.pricingType}`, (billable.get(`${r.category}|${r.pricingType}`) ?? 0) + r.billable);
      delivered.set(r.category, (delivered.get(r.category) ?? 0) + (r.messages ?? r.units));
    }
    for (const [k, v] of mtd) {
      const [currency = '', category = ''] = k.split('|');
      s.mtd.push({ waba: w.id, currency, category, value: toNumber(v) });
    }
    for (const [k, v] of billable) {
      const [category = '', pricingType = ''] = k.split('|');
      s.billable.push({ waba: w.id, category, pricingType, value: v });
    }
    for (const [category, v] of delivered) s.delivered.push({ waba: w.id, category, value: v });
    s.today.push({ waba: w.id, currency: currencyToday, value: toNumber(daily.get(today) ?? 0n) });
    const week = new Map<string, bigint>([[currencyToday, 0n]]);
    for (let i = 1; i <= 7; i++) {
      const day = addDays(today, -i);
      const c = dailyCurrency.get(day) ?? currencyOfDay(w, day);
      week.set(c, (week.get(c) ?? 0n) + (daily.get(day) ?? 0n));
    }
    for (const [currency, v] of week) s.avg7.push({ waba: w.id, currency, value: microsToNumber(v) / 7 });
    // The projection is in today's currency, from the days billed in it (days in another currency count as 0:
    // a switch on the 1st, as Meta's migration does, leaves nothing out); other currencies of the month are final.
    const series: DailyValue[] = [...daily]
      .filter(([day]) => (dailyCurrency.get(day) ?? currencyToday) === currencyToday)
      .map(([day, v]) => ({ day, value: toNumber(v) }));
    const asOfDay = addDays(today, -1);
    const p = projectWeekday({
      month,
      asOfDay: asOfDay < firstDayOf(month) ? addDays(firstDayOf(month), -1) : asOfDay,
      daily: series.filter((d) => d.day.startsWith(month)),
      history: series.filter((d) => d.day < firstDayOf(month)),
    });
    s.projection.push({ waba: w.id, currency: currencyToday, projected: p.projected, lower: p.lower, upper: p.upper });
    const finished = new Map<string, bigint>();
    for (const [k, v] of mtd) {
      const currency = k.split('|')[0] ?? '';
      if (currency !== currencyToday) finished.set(currency, (finished.get(currency) ?? 0n) + v);
    }
    for (const [currency, v] of finished)
      s.projection.push({ waba: w.id, currency, projected: toNumber(v), lower: toNumber(v), upper: toNumber(v) });
  }
  return s;
}
