import {
  addDays,
  addMonths,
  CATEGORIES,
  firstDayOf,
  localDay,
  MARKET_CHANGES,
  monthOf,
  PMP_START_DAY,
  dayStartMs,
  priceBookChanges,
  rateColumnOf,
  tierKey,
  tierTableInForce,
  tiersOf,
  toDecimalString,
  currentTier,
  Hll,
  type Category,
  type Micros,
} from '@core';
import {
  PRICING_INPUT_COLUMNS,
  type AnnotationsResponse,
  type ContactsResponse,
  type ListKind,
  type ListResponse,
  type PricingInputResponse,
  type ReconciliationResponse,
  type TiersResponse,
} from '@contract';
import { sketchBytesOfText } from '../store';
import { bucketOf } from './buckets';
import { keptBody } from './kept-body';
import { dataHull, intersect, localDays, spanOf, withinData, type LocalDays } from './day-range';
import { pricedUsage, toUsageRow } from './priced-usage';
import { currenciesOfWaba, currencyOfDay, selectedWabas, type QueryContext } from './query-context';
import { usageFacts } from './usage-series';
import type { z } from 'zod';
import type { annotationsQuery, contactsQuery, listQuery, pricingInputQuery, reconciliationQuery, tiersQuery } from '@contract';

/**
 * GET /api/v1/contacts: unique contacts per bucket and over the whole range, from per-day sketches.
 * The range is cut to the days the selected WABAs have data on (rows outside it would all be 0 and
 * are left out; days inside it without contacts give 0), and each WABA's day sketches are read once
 * and merged per bucket here, so a range of 1900..2999 costs what the data costs.
 */
export async function contactsSeries(ctx: QueryContext, q: z.infer<typeof contactsQuery>): Promise<ContactsResponse> {
  const wabas = selectedWabas(ctx, q.waba);
  const requested = new Map(wabas.map((w) => [w.id, localDays(q.from, q.to, w.timezone)]));
  const rows: ContactsResponse['rows'] = [];
  const asked = spanOf([...requested.values()]);
  const hull = asked && (await dataHull(ctx.store, [...requested.keys()]));
  const span = asked && hull && intersect(asked, hull);
  if (!span) return { interval: q.interval, rows, total: 0 };
  // Buckets use the first WABA's calendar: contacts of WABAs in other zones are counted on their own local days.
  const zone = wabas[0]?.timezone ?? 'UTC';
  const bucketOfDay = new Map<string, string>();
  const buckets = new Map<string, { time: number; contacts: number }>();
  for (let day = span.fromDay; day <= span.toDay; day = addDays(day, 1)) {
    const { bucket, time } = bucketOf(day, q.interval === 'month' ? 'month' : 'day', zone);
    bucketOfDay.set(day, bucket);
    if (!buckets.has(bucket)) buckets.set(bucket, { time, contacts: 0 });
  }
  let total = 0;
  for (const w of wabas) {
    const range = requested.get(w.id) as LocalDays;
    // The span covers every day this WABA has data on inside its own range (hull and range both hold them).
    const stored = await ctx.store.daySketches({ ...span, wabaId: w.id });
    // Each day's sketch is folded into its bucket straight from its bytes, decoded by Node: decoding
    // base64 in JavaScript and a sketch object per day were most of this endpoint's time (a 90-day
    // panel reads ~900 day sketches per WABA). The buckets partition the WABA's days in range, so
    // their union is the range's.
    const merged = new Map<string, Hll>();
    for (const r of stored) {
      // The span is the widest of the WABAs' ranges: a day outside this WABA's own range (another
      // zone's epoch cut) counts neither in a bucket nor in the total.
      if (r.day < range.fromDay || r.day > range.toDay) continue;
      const bucket = bucketOfDay.get(r.day) as string;
      const bytes = sketchBytesOfText(r.sketch);
      let sketch = merged.get(bucket);
      if (!sketch) merged.set(bucket, (sketch = new Hll(bytes[1])));
      sketch.mergeBytes(bytes);
    }
    // Contacts are distinct per WABA and bucket; WABAs add up (a contact of two WABAs counts twice).
    if (merged.size > 0) total += Hll.union([...merged.values()]).count();
    for (const [bucket, sketch] of merged) (buckets.get(bucket) as { contacts: number }).contacts += sketch.count();
  }
  for (const [bucket, b] of buckets) rows.push({ time: b.time, bucket, contacts: b.contacts });
  return { interval: q.interval, rows, total };
}

const addCost = (a: Micros | null, b: Micros | null): Micros | null => (a === null && b === null ? null : (a ?? 0n) + (b ?? 0n));

/** GET /api/v1/reconciliation: our estimate against Meta's pricing analytics per day (and category / WABA). */
export async function reconciliation(ctx: QueryContext, q: z.infer<typeof reconciliationQuery>): Promise<ReconciliationResponse> {
  const base = { ...q, by: [] as never[], interval: 'day' as const };
  const est = await usageFacts(ctx, { ...base, source: 'estimate' });
  const meta = await usageFacts(ctx, { ...base, source: 'meta' });
  type Acc = {
    time: number;
    day: string;
    currency: string;
    wabaId?: string;
    category?: string;
    eu: number;
    ec: Micros | null;
    mu: number | null;
    mc: Micros | null;
  };
  const groups = new Map<string, Acc>();
  const byCategory = q.by.includes('category');
  const byWaba = q.by.includes('waba');
  const slot = (f: (typeof est.facts)[number]) => {
    const key = [f.day, f.currency, byWaba ? f.waba.id : '', byCategory ? (f.category ?? '') : ''].join('\u0000');
    let g = groups.get(key);
    if (!g) {
      g = { time: dayStartMs(f.day, f.waba.timezone), day: f.day, currency: f.currency, eu: 0, ec: null, mu: null, mc: null };
      if (byWaba) g.wabaId = f.waba.id;
      if (byCategory && f.category) g.category = f.category;
      groups.set(key, g);
    }
    return g;
  };
  for (const f of est.facts) {
    const g = slot(f);
    g.eu += f.billable;
    g.ec = addCost(g.ec, f.costMicros);
  }
  for (const f of meta.facts) {
    const g = slot(f);
    g.mu = (g.mu ?? 0) + f.billable;
    g.mc = addCost(g.mc, f.costMicros);
  }
  const rows = [...groups.values()]
    .sort((a, b) => a.time - b.time || (a.wabaId ?? '').localeCompare(b.wabaId ?? '') || (a.category ?? '').localeCompare(b.category ?? ''))
    .map((g) => ({
      time: g.time,
      day: g.day,
      currency: g.currency,
      ...(g.wabaId ? { wabaId: g.wabaId } : {}),
      ...(g.category ? { category: g.category } : {}),
      estimateUnits: g.eu,
      metaUnits: g.mu,
      estimateCost: g.ec === null ? null : toDecimalString(g.ec),
      metaCost: g.mc === null ? null : toDecimalString(g.mc),
    })) as ReconciliationResponse['rows'];
  return { rows, problems: est.problems };
}

/**
 * GET /api/v1/tiers: per portfolio x market x tiered category, the units charged so far in the month
 * and where that sits on the volume-tier ladder in force.
 */
export async function tierState(ctx: QueryContext, q: z.infer<typeof tiersQuery>): Promise<TiersResponse> {
  const wabas = selectedWabas(ctx, q.waba);
  const rows: TiersResponse['rows'] = [];
  const seen = new Set<string>();
  const metaTiers = await latestMetaTiers(ctx);
  for (const w of wabas) {
    const month = q.month ?? monthOf(localDay(ctx.now(), w.timezone));
    const fromDay = firstDayOf(month);
    const toDay = addDays(firstDayOf(addMonths(month, 1)), -1);
    // The cached pricing of the month (shared with the usage panels) already holds every portfolio's tier counts.
    const priced = await pricedUsage(ctx, { fromDay, toDay });
    const usage = priced.rows.filter((r) => r.day.startsWith(month) && ctx.wabas.get(r.wabaId)?.portfolio === w.portfolio);
    // The ladder of the currency billed on the last day counted (the month of a currency switch ends in the new one).
    const lastDay = usage.at(-1)?.day ?? fromDay;
    const table = tierTableInForce(ctx.priceBook(), currencyOfDay(w, lastDay), lastDay);
    const markets = new Set(usage.map((r) => `${r.market}\u0000${r.category}`));
    for (const mc of markets) {
      const [market = '', category = ''] = mc.split('\u0000');
      const column = rateColumnOf(category);
      if (!column) continue;
      const key = `${w.portfolio}|${market}|${category}|${month}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const units = priced.tierCounts.get(tierKey(w.portfolio, market, column, month)) ?? 0;
      const ladder = table ? tiersOf(table, market, column) : null;
      if (!ladder) continue;
      const pos = currentTier(ladder, units);
      if (!pos) continue;
      rows.push({
        portfolioId: w.portfolio,
        market,
        category: category as Category,
        month,
        units,
        tierLower: pos.lower,
        tierUpper: pos.upper,
        remaining: pos.remainingToNext,
        metaTier: metaTiers.get(w.id) ?? null,
      });
    }
  }
  rows.sort(
    (a, b) => a.portfolioId.localeCompare(b.portfolioId) || a.market.localeCompare(b.market) || a.category.localeCompare(b.category),
  );
  return { rows };
}

async function latestMetaTiers(ctx: QueryContext): Promise<Map<string, string>> {
  const events = await ctx.store.accountEvents({ fromMs: ctx.now() - 120 * 86_400_000, toMs: ctx.now() + 86_400_000 });
  const out = new Map<string, string>();
  for (const e of events) {
    if (e.kind !== 'account_update') continue;
    const tier = tierFromValue(e.value);
    if (tier) out.set(e.wabaId, tier);
  }
  return out;
}

function tierFromValue(value: unknown): string | null {
  const v = value as { volume_tier_info?: { tier?: unknown }; event?: unknown } | null;
  const tier = v?.volume_tier_info?.tier;
  return typeof tier === 'string' ? tier : null;
}

/** GET /api/v1/lists/:kind — values for template variables, most recent 400 days of data. */
export async function listValues(ctx: QueryContext, kind: ListKind, q: z.infer<typeof listQuery>): Promise<ListResponse> {
  const wabas = selectedWabas(ctx, q.waba);
  if (kind === 'wabas') return { items: wabas.map((w) => ({ value: w.id, text: w.name })) };
  if (kind === 'categories') {
    return { items: CATEGORIES.map((c) => ({ value: c, text: c })) };
  }
  const today = localDay(ctx.now(), 'UTC');
  const rows = await ctx.store.usageDaily({ fromDay: addDays(today, -400), toDay: addDays(today, 1) });
  const ids = new Set(wabas.map((w) => w.id));
  const values = new Set<string>();
  for (const r of rows) {
    if (!ids.has(r.wabaId)) continue;
    const v = kind === 'phones' ? r.phoneNumberId : kind === 'countries' ? r.country : kind === 'groups' ? r.group : r.market;
    if (v) values.add(v);
  }
  if (kind === 'phones') {
    const calls = await ctx.store.callsDaily({ fromDay: addDays(today, -400), toDay: addDays(today, 1) });
    for (const c of calls) if (ids.has(c.wabaId) && c.phoneNumberId) values.add(c.phoneNumberId);
  }
  return { items: [...values].sort().map((v) => ({ value: v, text: v })) };
}

/** GET /api/v1/annotations: price changes, the pricing-model switch, tier updates, template recategorisations, market changes. */
export async function annotations(ctx: QueryContext, q: z.infer<typeof annotationsQuery>): Promise<AnnotationsResponse> {
  const wabas = selectedWabas(ctx, q.waba);
  const zone = wabas[0]?.timezone ?? 'UTC';
  const range = localDays(q.from, q.to, zone);
  const fromMs = dayStartMs(range.fromDay, zone);
  const toMs = dayStartMs(addDays(range.toDay, 1), zone);
  const want = (k: AnnotationsResponse['items'][number]['kind']) => q.kind.length === 0 || q.kind.includes(k);
  const items: AnnotationsResponse['items'] = [];
  const currencies = new Set(wabas.flatMap(currenciesOfWaba));
  if (want('rate_card')) {
    for (const e of priceBookChanges(ctx.priceBook())) {
      if (!currencies.has(e.currency) || e.day < range.fromDay || e.day > range.toDay) continue;
      items.push({
        time: dayStartMs(e.day, zone),
        kind: 'rate_card',
        title: e.title,
        text: e.text,
        wabaId: null,
        tags: ['rate_card', e.currency],
      });
    }
  }
  if (want('pricing_model')) {
    for (const w of wabas) {
      if (PMP_START_DAY < range.fromDay || PMP_START_DAY > range.toDay) continue;
      items.push({
        time: dayStartMs(PMP_START_DAY, w.timezone),
        kind: 'pricing_model',
        title: 'Per-message pricing starts',
        text: `Meta bills ${w.name} per delivered message from ${PMP_START_DAY} (WABA-local); per-conversation before.`,
        wabaId: w.id,
        tags: ['pricing_model'],
      });
    }
  }
  if (want('market_change')) {
    for (const c of MARKET_CHANGES) {
      if (c.effectiveFrom < range.fromDay || c.effectiveFrom > range.toDay) continue;
      items.push({
        time: dayStartMs(c.effectiveFrom, zone),
        kind: 'market_change',
        title: 'Pricing market change',
        text: `${c.country} (${c.iso2}): ${c.fromMarket} -> ${c.toMarket}`,
        wabaId: null,
        tags: ['market_change'],
      });
    }
  }
  if (want('tier') || want('template_category')) {
    const ids = new Set(wabas.map((w) => w.id));
    for (const e of await ctx.store.accountEvents({ fromMs, toMs })) {
      if (!ids.has(e.wabaId)) continue;
      if (e.kind === 'account_update' && want('tier')) {
        const tier = tierFromValue(e.value);
        items.push({
          time: e.atMs,
          kind: 'tier',
          title: tier ? `Volume tier: ${tier}` : 'Account update',
          text: JSON.stringify(e.value).slice(0, 500),
          wabaId: e.wabaId,
          tags: ['tier'],
        });
      } else if (e.kind === 'template_category' && want('template_category')) {
        const v = e.value as {
          message_template_name?: string;
          previous_category?: string;
          new_category?: string;
          category?: string;
        } | null;
        const to = v?.new_category ?? v?.category ?? 'unknown';
        items.push({
          time: e.atMs,
          kind: 'template_category',
          title: `Template ${v?.message_template_name ?? ''} recategorised to ${to}`.replace('  ', ' '),
          text: `${v?.previous_category ?? '?'} -> ${to}`,
          wabaId: e.wabaId,
          tags: ['template_category', String(to).toLowerCase()],
        });
      }
    }
  }
  items.sort((a, b) => a.time - b.time);
  return { items };
}

/** Each selected WABA's local days of the request, and the span of them that holds data (null: none). */
interface PricingInputSpan {
  ranges: ReadonlyMap<string, LocalDays>;
  span: LocalDays | null;
}

async function pricingInputSpan(ctx: QueryContext, q: z.infer<typeof pricingInputQuery>): Promise<PricingInputSpan> {
  const ranges = new Map(selectedWabas(ctx, q.waba).map((w) => [w.id, localDays(q.from, q.to, w.timezone)]));
  const asked = spanOf([...ranges.values()]);
  return { ranges, span: asked && (await withinData(ctx.store, asked, [...ctx.wabas.keys()])) };
}

type PricingInputRow = PricingInputResponse['rows'][number];
type PriorUnits = PricingInputResponse['priorUnits'][number];

/**
 * Rows come back at the pricing grain plus the dimensions asked for in `by`: a by-category panel
 * gets a few thousand rows, not one per phone x country x group. A row's `dims` are `direction` and these.
 */
const fineDimsOf = (q: z.infer<typeof pricingInputQuery>) => (['phone', 'country', 'group'] as const).filter((d) => q.by.includes(d));

/**
 * The rows of GET /api/v1/pricing-input, a day's batch at a time, in the order a whole-span read gives
 * them (both rollups are read ordered by day first, and no row groups across days): the store is read
 * one day per call, so no whole-span array is ever held. Units charged earlier in the month are
 * added to `prior` on the way (a few rows: portfolio x market x category).
 */
async function* pricingInputBatches(
  ctx: QueryContext,
  q: z.infer<typeof pricingInputQuery>,
  prior: Map<string, PriorUnits>,
  { ranges, span }: PricingInputSpan,
): AsyncGenerator<PricingInputRow[]> {
  if (!span) return;
  const fineDims = fineDimsOf(q);
  const fine = fineDims.length > 0 || q.phone.length > 0 || q.country.length > 0 || q.group.length > 0;
  const kept = (['phone', 'country', 'group'] as const).filter((d) => fineDims.includes(d) || q[d].length > 0);
  const keep = (vals: readonly string[], v: string | null | undefined) => vals.length === 0 || (v != null && vals.includes(v));
  for (let day = firstDayOf(monthOf(span.fromDay)); day <= span.toDay; day = addDays(day, 1)) {
    const oneDay = { fromDay: day, toDay: day };
    // The fine rollup comes summed in SQL to the columns this query groups or filters by (a day has
    // thousands of phone x country x group rows; a panel by country keeps a tenth of them).
    const stored = fine ? await ctx.store.usageDaily({ ...oneDay, keep: kept }) : await ctx.store.usagePricingDaily(oneDay);
    const grouped = new Map<string, PricingInputRow>();
    for (const r of stored) {
      const w = ctx.wabas.get(r.wabaId);
      const range = ranges.get(r.wabaId);
      if (!w || !range) continue;
      const u = toUsageRow(r, w);
      if (!u) continue;
      if (r.day < range.fromDay) {
        if (monthOf(r.day) !== monthOf(range.fromDay) || u.pricingType !== 'regular') continue;
        const key = `${w.portfolio}|${u.market}|${u.category}`;
        const p = prior.get(key) ?? { portfolioId: w.portfolio, market: u.market, category: u.category, month: monthOf(r.day), units: 0 };
        p.units += u.units;
        prior.set(key, p);
        continue;
      }
      if (r.day > range.toDay) continue;
      const all = u.dims ?? {};
      if (
        !keep(q.phone, all.phone) ||
        !keep(q.country, all.country) ||
        !keep(q.category, u.category) ||
        !keep(q.pricingType, u.pricingType) ||
        !keep(q.direction, all.direction) ||
        !keep(q.group, all.group)
      )
        continue;
      const dims: Record<string, string | null> = { direction: all.direction ?? null };
      for (const d of fineDims) dims[d] = all[d] ?? null;
      // One day per batch: the day is no part of the key.
      let key = `${u.wabaId}\u0000${u.market}\u0000${u.category}\u0000${u.pricingType}\u0000${u.pricingModel}`;
      for (const d of fineDims) key += `\u0000${dims[d] ?? ''}`;
      const row = grouped.get(key);
      if (row) row.units += u.units;
      else {
        grouped.set(key, {
          day: u.day,
          time: bucketOf(u.day, 'day', w.timezone).time,
          wabaId: u.wabaId,
          portfolioId: u.portfolioId,
          currency: u.currency,
          market: u.market,
          category: u.category,
          pricingType: u.pricingType,
          pricingModel: u.pricingModel,
          units: u.units,
          dims,
        });
      }
    }
    if (grouped.size > 0) yield [...grouped.values()];
  }
}

/** GET /api/v1/pricing-input: unpriced usage rows for the plugin's own pricing, plus units charged earlier in the month. */
export async function pricingInput(ctx: QueryContext, q: z.infer<typeof pricingInputQuery>): Promise<PricingInputResponse> {
  const prior = new Map<string, PriorUnits>();
  const rows: PricingInputRow[] = [];
  for await (const batch of pricingInputBatches(ctx, q, prior, await pricingInputSpan(ctx, q))) rows.push(...batch);
  return { rows, priorUnits: [...prior.values()] };
}

/**
 * The same response as `pricingInput`, as the chunks of its JSON body (one per day with rows): the
 * bytes `JSON.stringify` gives for the whole response, without the whole span's rows in memory.
 * A body of a span no webhook has touched since is given again as it was (kept-body.ts): the
 * what-if panels ask for the same last month on every refresh.
 */
export async function* pricingInputBody(ctx: QueryContext, q: z.infer<typeof pricingInputQuery>): AsyncGenerator<string> {
  const where = await pricingInputSpan(ctx, q);
  yield* keptBody(ctx, `pricing-input|${JSON.stringify(q)}`, where.span, () => pricingInputChunks(ctx, q, where));
}

async function* pricingInputChunks(
  ctx: QueryContext,
  q: z.infer<typeof pricingInputQuery>,
  where: PricingInputSpan,
): AsyncGenerator<string> {
  const prior = new Map<string, PriorUnits>();
  if (q.format === 'columns') {
    yield* pricingInputColumns(ctx, q, prior, where);
    return;
  }
  let sep = '{"rows":[';
  for await (const batch of pricingInputBatches(ctx, q, prior, where)) {
    yield sep + batch.map((r) => JSON.stringify(r)).join(',');
    sep = ',';
  }
  yield `${sep === ',' ? '' : sep}],"priorUnits":${JSON.stringify([...prior.values()])}}`;
}

/**
 * The body of `format=columns` (`pricingInputColumnsResponse`): each row an array in the order of
 * `columns`, its text cells indexes into `values`, which is only complete once the last row is
 * written and therefore comes after `rows`.
 */
async function* pricingInputColumns(
  ctx: QueryContext,
  q: z.infer<typeof pricingInputQuery>,
  prior: Map<string, PriorUnits>,
  where: PricingInputSpan,
): AsyncGenerator<string> {
  const dims = ['direction', ...fineDimsOf(q)];
  const index = new Map<string, number>();
  const at = (v: string) => {
    let i = index.get(v);
    if (i === undefined) {
      i = index.size;
      index.set(v, i);
    }
    return i;
  };
  const cell = (v: string | null | undefined) => (v == null ? 'null' : String(at(v)));
  let sep = `{"columns":${JSON.stringify([...PRICING_INPUT_COLUMNS, ...dims.map((d) => `dims.${d}`)])},"rows":[`;
  for await (const batch of pricingInputBatches(ctx, q, prior, where)) {
    yield (
      sep +
      batch
        .map((r) => {
          let row = `[${at(r.day)},${r.time},${at(r.wabaId)},${at(r.portfolioId)},${at(r.currency)},${at(r.market)},${at(r.category)},${at(r.pricingType)},${at(r.pricingModel)},${r.units}`;
          for (const d of dims) row += `,${cell(r.dims[d])}`;
          return `${row}]`;
        })
        .join(',')
    );
    sep = ',';
  }
  yield `${sep === ',' ? '' : sep}],"values":${JSON.stringify([...index.keys()])},"priorUnits":${JSON.stringify([...prior.values()])}}`;
}
