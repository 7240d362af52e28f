import { createHash } from 'node:crypto';
import {
  addDays,
  daysInMonth,
  firstDayOf,
  isKnownCategory,
  isKnownPricingType,
  priceUsage,
  PRICING_RULES,
  type Micros,
  type PriceBook,
  type PricedRow,
  type PricingProblem,
  type UsageRow,
} from '@core';
import {
  PRICED_KINDS,
  type ConnectorStore,
  type DirtyMonth,
  type PricedCallRow,
  type PricedDimension,
  type PricedDimRow,
  type PricedKind,
  type PricedUsageRow,
  type PricingLease,
} from '../store';
import { pricingKeyOf, splitParent } from './grain-allocation';
import { priceCallMonths } from './priced-calls';
import { toUsageRowKeepingUnknown } from './priced-usage';
import type { WabaInfo } from './query-context';

/**
 * Bumped when the way stored prices are derived changes (allocation, columns): every month is re-priced.
 * 2: the finer grains split with core's `allocate` (remainder ties to the larger weight first), the rule
 * the query-time path uses too. 3: each day's priced calls are written with it (priced_calls,
 * migration 017, which also marks every month holding calls).
 */
const DERIVATION = 3;
const DIMENSIONS: readonly PricedDimension[] = ['country', 'phone', 'group'];

/**
 * What stored prices depend on besides the price files (which mark months dirty when imported): core's
 * rules table and each WABA's portfolio and currency schedule. A new version marks every month dirty.
 */
export function pricingVersion(wabas: ReadonlyMap<string, WabaInfo>): string {
  const settings = [...wabas.values()].map((w) => [w.id, w.portfolio, w.currencies]).sort(([a], [b]) => (String(a) < String(b) ? -1 : 1));
  return createHash('sha256')
    .update(JSON.stringify({ derivation: DERIVATION, rules: PRICING_RULES, settings }))
    .digest('hex')
    .slice(0, 16);
}

const problemKey = (day: string, currency: string, market: string | undefined, category: string | undefined) =>
  `${day}\u0000${currency}\u0000${market ?? ''}\u0000${category ?? ''}`;

/** Core's problem code that explains a priced row (why its cost is null, or that its tiers are stale). */
function problemOf(p: PricedRow, codes: ReadonlySet<string> | undefined): string | null {
  const has = (c: string) => codes?.has(c) ?? false;
  if (!isKnownCategory(p.category)) return has('unpriced_per_token') ? 'unpriced_per_token' : 'unknown_category';
  if (!isKnownPricingType(p.pricingType)) return 'unknown_pricing_type';
  if (p.costMicros === null) return has('no_rate_card') ? 'no_rate_card' : has('no_rate') ? 'no_rate' : null;
  return p.tiers && has('stale_tier_table') ? 'stale_tier_table' : null;
}

/**
 * Prices a portfolio's month at the pricing grain, from its first day (tiers count per portfolio x
 * market x counter x month, CBP allowances per WABA x month, so no day can be priced without the ones
 * before it). Rows whose category, type and model read the same as core prices them are one key.
 */
export async function priceMonth(
  store: ConnectorStore,
  members: readonly WabaInfo[],
  month: string,
  book: PriceBook,
): Promise<Map<string, PricedUsageRow>> {
  const fromDay = firstDayOf(month);
  const toDay = addDays(fromDay, daysInMonth(month) - 1);
  const rows: UsageRow[] = [];
  for (const w of members)
    for (const r of await store.usagePricingDaily({ fromDay, toDay, wabaId: w.id })) rows.push(toUsageRowKeepingUnknown(r, w));
  const priced = priceUsage(rows, book);
  const codes = new Map<string, Set<string>>();
  for (const p of priced.problems as PricingProblem[]) {
    const k = problemKey(p.day, p.currency, p.market, p.category);
    let s = codes.get(k);
    if (!s) codes.set(k, (s = new Set()));
    s.add(p.code);
  }
  const out = new Map<string, PricedUsageRow>();
  for (const p of priced.rows) {
    const k = pricingKeyOf(p);
    const cur = out.get(k);
    if (!cur) {
      out.set(k, {
        day: p.day,
        wabaId: p.wabaId,
        market: p.market,
        category: p.category,
        pricingType: p.pricingType,
        pricingModel: p.pricingModel,
        portfolioId: p.portfolioId,
        currency: p.currency,
        messages: p.messages ?? p.units,
        units: p.units,
        billable: p.billable,
        costMicros: p.costMicros,
        problem: problemOf(p, codes.get(problemKey(p.day, p.currency, p.market, p.category))),
        tiers: p.tiers ? [...p.tiers] : null,
      });
      continue;
    }
    // Two stored keys core reads alike (a pricing type left empty and the one it defaults to): one row.
    cur.messages += p.messages ?? p.units;
    cur.units += p.units;
    cur.billable += p.billable;
    cur.costMicros = cur.costMicros === null || p.costMicros === null ? null : cur.costMicros + p.costMicros;
    if (p.tiers) cur.tiers = [...(cur.tiers ?? []), ...p.tiers];
    cur.problem ??= problemOf(p, codes.get(problemKey(p.day, p.currency, p.market, p.category)));
  }
  return out;
}

/**
 * Raised when the fine rollup no longer adds up to what was priced: an ingest landed on the day
 * since the month was read (its mark's touched day keeps the day and the later ones dirty).
 */
export class MovedUnderfoot extends Error {}

const dimValueOf = (d: PricedDimension, dims: UsageRow['dims']): string => {
  const v = dims?.[d];
  return v === null || v === undefined ? '' : v;
};

/**
 * One day's finer grains: the fine rows of each priced key grouped by country, phone and group, with
 * messages and units summed and billable units and cost split by `splitParent` (largest remainder over units).
 */
export async function allocateDay(
  store: ConnectorStore,
  members: readonly WabaInfo[],
  day: string,
  pricing: ReadonlyMap<string, PricedUsageRow>,
): Promise<Record<PricedDimension, PricedDimRow[]>> {
  const children = new Map<string, Map<PricedDimension, Map<string, { messages: number; units: number }>>>();
  for (const w of members) {
    for (const r of await store.usageDaily({ fromDay: day, toDay: day, wabaId: w.id })) {
      const u = toUsageRowKeepingUnknown(r, w);
      const k = pricingKeyOf(u);
      let byDim = children.get(k);
      if (!byDim) children.set(k, (byDim = new Map(DIMENSIONS.map((d) => [d, new Map()]))));
      for (const d of DIMENSIONS) {
        const groups = byDim.get(d) as Map<string, { messages: number; units: number }>;
        const v = dimValueOf(d, u.dims);
        const g = groups.get(v) ?? { messages: 0, units: 0 };
        g.messages += u.messages ?? u.units;
        g.units += u.units;
        groups.set(v, g);
      }
    }
  }
  const out: Record<PricedDimension, PricedDimRow[]> = { country: [], phone: [], group: [] };
  for (const [k, byDim] of children) {
    const parent = pricing.get(k);
    if (!parent) throw new MovedUnderfoot(`no priced row for ${k.split('\u0000').join(' / ')}`);
    for (const d of DIMENSIONS) {
      const groups = [...(byDim.get(d) as Map<string, { messages: number; units: number }>).entries()].sort(([a], [b]) =>
        a < b ? -1 : a > b ? 1 : 0,
      );
      const units = groups.reduce((a, [, g]) => a + g.units, 0);
      const messages = groups.reduce((a, [, g]) => a + g.messages, 0);
      if (units !== parent.units || messages !== parent.messages)
        throw new MovedUnderfoot(`fine rows of ${k.split('\u0000').join(' / ')} do not add up to the priced row`);
      const parts = splitParent(
        parent,
        groups.map(([key, g]) => ({ key, ...g })),
      );
      groups.forEach(([value, g], i) =>
        out[d].push({
          day: parent.day,
          wabaId: parent.wabaId,
          value,
          market: parent.market,
          category: parent.category,
          pricingType: parent.pricingType,
          pricingModel: parent.pricingModel,
          currency: parent.currency,
          messages: g.messages,
          units: g.units,
          billable: (parts[i] as { billable: number }).billable,
          costMicros: (parts[i] as { costMicros: Micros | null }).costMicros,
        }),
      );
    }
  }
  return out;
}

/** One WABA-local day of a priced month, as the re-pricer writes it. */
export interface PricedDayRows {
  pricing: PricedUsageRow[];
  dims: Record<PricedDimension, PricedDimRow[]>;
  /** The day's finished calls priced per call and summed per calls_daily key (priced-calls.ts). */
  calls: PricedCallRow[];
  /**
   * Why the day's usage cannot be written (`MovedUnderfoot`'s message: an ingest landed on the day
   * since the month was read, so its fine rows no longer add up to what was priced); `pricing` and
   * `dims` are then empty. null when they are the day's.
   */
  moved: string | null;
}

/** A portfolio month priced from its first day, its days allocated one at a time (just before each is written). */
export interface PricedMonth {
  /** The day's pricing-grain rows and finer grains, or `moved` when its fine rows moved since the read. */
  day(day: string): Promise<PricedDayRows>;
  /** Frees the priced month (a worker keeps it between days). */
  close(): void;
}

/**
 * Where the re-pricer's pricing runs (store reads, core's `priceUsage`, the allocation): in this
 * thread (`localMonthPricer`) or in the query worker over its read connection
 * (runtime/query-worker-client.ts). `open` loads the price book and reads the month: the re-pricer
 * calls it only after its claim has committed, so every read sees the claim (docs/performance.md,
 * "The re-pricer").
 */
export interface MonthPricer {
  /** `kinds`: what the month's marks owe a pricing; the other kind's lists come back empty, never read. */
  open(members: readonly WabaInfo[], month: string, kinds: readonly PricedKind[]): Promise<PricedMonth>;
}

/** The pricing in the calling thread, on `store`, with the book `loadBook` gives at each month's start. */
export function localMonthPricer(store: ConnectorStore, loadBook: () => Promise<PriceBook>): MonthPricer {
  return {
    async open(members, month, kinds) {
      // The book is read after the claim: a file imported since marks the month with its touched day.
      const book = await loadBook();
      // A month marked by message webhooks alone leaves its calls alone: pricing them is ~2.5 s and
      // ~100 MB of heap a pass at full scale, against ~0.2 s for the usage (migration 022).
      const pricing = kinds.includes('usage') ? await priceMonth(store, members, month, book) : new Map<string, PricedUsageRow>();
      // Calls are read whole at the month's start, not per day: a call that ends after this read
      // leaves a mark with its touched day, which keeps its day dirty (no check like MovedUnderfoot's).
      const calls = byDayOf(kinds.includes('calls') ? await priceCallMonths(store, members, [month], book) : []);
      const byDay = byDayOf(pricing.values());
      const none = { country: [], phone: [], group: [] };
      return {
        day: async (day) => {
          const dayCalls = calls.get(day) ?? [];
          if (!kinds.includes('usage')) return { pricing: [], dims: none, calls: dayCalls, moved: null };
          try {
            return { pricing: byDay.get(day) ?? [], dims: await allocateDay(store, members, day, pricing), calls: dayCalls, moved: null };
          } catch (err) {
            if (!(err instanceof MovedUnderfoot)) throw err;
            return { pricing: [], dims: none, calls: dayCalls, moved: err.message };
          }
        },
        close: () => undefined,
      };
    },
  };
}

function byDayOf<T extends { day: string }>(rows: Iterable<T>): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    const list = out.get(r.day) ?? [];
    list.push(r);
    out.set(r.day, list);
  }
  return out;
}

export interface RepricerOptions {
  store: ConnectorStore;
  wabas: ReadonlyMap<string, WabaInfo>;
  /**
   * The price book from the stored files, read after the dirty marks (an import commits its file and
   * marks together), for the pricing in this thread; needed unless `pricer` is given.
   */
  loadBook?: () => Promise<PriceBook>;
  /** Prices elsewhere (the query worker) instead; the claims, leases and writes stay with `store`. */
  pricer?: MonthPricer;
  /** This replica's name in the leases. */
  holder: string;
  now?: () => number;
  /** How long a claim holds a portfolio month without a write renewing it (default 60 s). */
  leaseMs?: number;
  /** A background pass that failed (the months stay dirty and the next pass tries again). */
  onError?: (err: Error) => void;
  /**
   * What runs after a day's write when another day of the month follows (default: one turn of the
   * event loop, so webhook acknowledgements waiting for the store go first). Tests interleave ingests here.
   */
  betweenDays?: (day: string) => Promise<void>;
}

const nextTurn = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

/** The longest a timed pass leaves a month alone that webhooks kept touching during its last pass. */
export const MAX_HOT_WAIT_MS = 30_000;

/**
 * The background job that keeps the priced rollups (migration 013) current: each run takes the dirty
 * months, groups them by portfolio (tiers count per portfolio), claims each portfolio month's lease
 * (which begins a read: the marks' touched days are cleared), prices it from its first day (through
 * its `MonthPricer`, in a worker thread when the connector runs one) and writes its days from the
 * first dirty one to the month's end, one day per transaction with a turn of the event loop between,
 * so webhook acknowledgements never wait for more than one day's write. Each
 * write moves the month's marks up to the first day an ingest touched since the claim, so a month
 * that keeps receiving webhooks is clean up to that day, and the next pass starts there; the timer's
 * passes leave such a month alone for a while (`hot`, up to MAX_HOT_WAIT_MS).
 */
export class Repricer {
  private readonly version: string;
  private versionChecked = false;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private readonly now: () => number;
  private readonly leaseMs: number;
  private readonly pricer: MonthPricer;
  /**
   * Portfolio months a timed pass left dirty because an ingest touched them while it ran (the
   * current month under steady webhooks), each with when the next timed pass may price it again and
   * the wait after that one (doubling up to MAX_HOT_WAIT_MS). A dirty month is answered by
   * query-time pricing whatever its stored rows hold (stored-pricing.ts), so pricing it again every
   * few seconds while it keeps moving only burns the pricing thread; once a pass leaves it clean the
   * wait is forgotten.
   */
  private readonly hot = new Map<string, { notBefore: number; nextWaitMs: number }>();

  constructor(private readonly options: RepricerOptions) {
    this.version = pricingVersion(options.wabas);
    this.now = options.now ?? Date.now;
    this.leaseMs = options.leaseMs ?? 60_000;
    if (!options.pricer && !options.loadBook) throw new Error('the re-pricer needs a pricer or a price book loader');
    this.pricer = options.pricer ?? localMonthPricer(options.store, options.loadBook as () => Promise<PriceBook>);
  }

  /**
   * One pass over the dirty months; resolves with the portfolio months written to their end (a month
   * touched meanwhile stays dirty). Every dirty month is tried, unless `timed` says this is the pass
   * of a timer running every `everyMs` (what `start` runs): such a pass leaves a month alone while it
   * waits after a pass that webhooks overtook.
   */
  runOnce(timed?: { everyMs: number }): Promise<number> {
    return this.runPass(timed?.everyMs ?? null);
  }

  private runPass(pacedEveryMs: number | null): Promise<number> {
    this.running ??= this.pass(pacedEveryMs).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Runs passes until no configured WABA's month is dirty (or `maxPasses` ran); for the CLI and tests. */
  async runToCompletion(maxPasses = 100): Promise<void> {
    for (let i = 0; i < maxPasses; i++) {
      await this.runOnce();
      if ((await this.pendingMarks()).length === 0) return;
    }
    throw new Error(`priced rollups still dirty after ${maxPasses} passes`);
  }

  /** Dirty marks of configured WABAs (marks of WABAs not configured are left alone: nothing prices them). */
  async pendingMarks(): Promise<DirtyMonth[]> {
    return (await this.options.store.pricingDirty()).filter((m) => this.options.wabas.has(m.wabaId));
  }

  start(intervalMs = 1_000): void {
    const tick = () => {
      this.timer = setTimeout(() => {
        this.runOnce({ everyMs: intervalMs })
          .catch((err: Error) => this.options.onError?.(err))
          .finally(() => {
            if (this.timer) tick();
          });
      }, intervalMs);
      this.timer.unref();
    };
    tick();
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  private async pass(pacedEveryMs: number | null): Promise<number> {
    const { store, wabas } = this.options;
    if (!this.versionChecked) {
      await store.ensurePricingVersion(this.version);
      this.versionChecked = true;
    }
    const groupKey = (month: string, portfolioId: string) => `${month}\u0000${portfolioId}`;
    const groups = new Map<string, { portfolioId: string; month: string }>();
    for (const m of await this.pendingMarks()) {
      const portfolioId = (wabas.get(m.wabaId) as WabaInfo).portfolio;
      groups.set(groupKey(m.month, portfolioId), { portfolioId, month: m.month });
    }
    const startedAt = this.now();
    const tried: string[] = [];
    let done = 0;
    for (const [key, g] of groups) {
      if (pacedEveryMs !== null && (this.hot.get(key)?.notBefore ?? -Infinity) > startedAt) continue;
      const lease = (): PricingLease => ({
        portfolioId: g.portfolioId,
        month: g.month,
        holder: this.options.holder,
        nowMs: this.now(),
        leaseMs: this.leaseMs,
      });
      const members = [...wabas.values()].filter((w) => w.portfolio === g.portfolioId);
      // The marks as the claim read them: one made after it has its touched day, whatever this pass writes.
      const marks = await store.claimPricingMonth(
        lease(),
        members.map((w) => w.id),
      );
      if (marks === null) continue;
      if (marks.length > 0) tried.push(key);
      try {
        if (marks.length > 0 && (await this.repriceMonth(members, g.month, marks, lease))) done += 1;
      } finally {
        await store.finishPricingMonth(lease());
      }
    }
    if (tried.length > 0 && (pacedEveryMs !== null || this.hot.size > 0)) {
      // A month still dirty after its pass was touched while the pass ran: a timed pass leaves it
      // alone for a while. A month left clean forgets its wait, whichever pass cleaned it.
      const still = new Set((await this.pendingMarks()).map((m) => groupKey(m.month, (wabas.get(m.wabaId) as WabaInfo).portfolio)));
      for (const key of tried) {
        if (!still.has(key)) {
          this.hot.delete(key);
          continue;
        }
        if (pacedEveryMs === null) continue;
        const waitMs = this.hot.get(key)?.nextWaitMs ?? Math.min(MAX_HOT_WAIT_MS, 2 * pacedEveryMs);
        this.hot.set(key, { notBefore: this.now() + waitMs, nextWaitMs: Math.min(MAX_HOT_WAIT_MS, 2 * waitMs) });
      }
    }
    return done;
  }

  /** Writes the month from its first dirty day to its end; false when the lease was lost on the way. */
  private async repriceMonth(
    members: readonly WabaInfo[],
    month: string,
    marks: readonly DirtyMonth[],
    lease: () => PricingLease,
  ): Promise<boolean> {
    const kinds = PRICED_KINDS.filter((k) => marks.some((m) => m.kinds.includes(k)));
    const priced = await this.pricer.open(members, month, kinds);
    try {
      const last = addDays(firstDayOf(month), daysInMonth(month) - 1);
      const wabaIds = members.map((w) => w.id);
      for (let day = marks.reduce((a, m) => (m.fromDay < a ? m.fromDay : a), last); ; day = addDays(day, 1)) {
        const { pricing, dims, calls, moved } = await priced.day(day);
        // A day an ingest landed on since the read keeps its usage owed (its query-time pricing
        // answers it meanwhile) and the pass goes on: the month's calls and later days are still
        // written, so a month under steady webhooks is written to its end instead of stopping at
        // the day they land on, pass after pass.
        const written = await this.options.store.writePricedDay(lease(), {
          day,
          wabaIds,
          kinds: moved === null ? kinds : kinds.filter((k) => k !== 'usage'),
          owed: moved === null ? [] : ['usage'],
          pricing,
          dims,
          calls,
          version: this.version,
          pricedAtMs: this.now(),
        });
        if (!written) return false;
        if (day >= last) return true;
        await (this.options.betweenDays ?? nextTurn)(day);
      }
    } finally {
      priced.close();
    }
  }
}
