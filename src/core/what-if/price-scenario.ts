import { InputError } from '../errors';
import { rateColumnOf, type Category } from '../model/category';
import { divRound } from '../model/money';
import type { Micros } from '../model/money';
import type { PricedRow, PricingProblem, TierSplit, UsageRow } from '../model/usage';
import { priceCheckedRows, priceUsageEach, toPriced, type PriceUsageResult } from '../pricing/price-usage';
import { tierKey } from '../pricing/tier-ladder';
import type { PriceBook, PriceBookEntry } from '../ratecard/price-book';
import { PRICING_RULES, rulesOn, type PricingRuleRow, type PricingRules } from '../rules/pricing-rules';
import { assertScenario, shiftRules, type RateOverride, type Scenario, type ScenarioPriceFile, type ServiceMove } from './scenario';

/** Units charged in the month before the priced range, per portfolio x market x category (what /pricing-input returns). */
export interface PriorUnitsRow {
  portfolioId: string;
  market: string;
  category: string;
  month: string;
  units: number;
}

export interface ScenarioResult {
  /** The rows priced as the connector prices them (same code, same rules, same prior units). */
  actual: PriceUsageResult;
  /** The scenario's rows (service rows split when a share moves) priced under the scenario. */
  scenario: PriceUsageResult;
  /** The rules table the scenario priced with. */
  rules: readonly PricingRuleRow[];
}

/**
 * Prior units keyed as the pricer's tier counters: each category's units go to the counter its rate
 * column moves under the rules of the month's first day; untiered columns (marketing, service) count nowhere.
 */
export function priorTierUnits(prior: readonly PriorUnitsRow[], table: readonly PricingRuleRow[] = PRICING_RULES): Map<string, number> {
  const out = new Map<string, number>();
  prior.forEach((p, i) => {
    if (!Number.isSafeInteger(p.units) || p.units < 0)
      throw new InputError(`priorUnits[${i}].units`, p.units, 'must be a whole number >= 0');
    const column = rateColumnOf(p.category as Category);
    const counter = column === null ? undefined : rulesOn(`${p.month}-01`, table).tierCounters[column];
    if (counter === undefined) return;
    const key = tierKey(p.portfolioId, p.market, counter, p.month);
    out.set(key, (out.get(key) ?? 0) + p.units);
  });
  return out;
}

/**
 * Meta's verdict on a PMP service or utility row where the scenario's rules disagree with the rules in
 * force about the customer-service window: free in the window -> charged when the scenario charges it;
 * a charged service reply -> free when the scenario frees it (service replies are only sent inside the
 * window). A charged utility template cannot be told apart from one sent outside the window at this
 * grain, so it stays charged.
 */
function scenarioVerdict(row: UsageRow, actual: PricingRules, scenario: PricingRules): UsageRow['pricingType'] {
  if (row.pricingModel !== 'PMP' || (row.category !== 'service' && row.category !== 'utility')) return row.pricingType;
  const category = row.category as 'service' | 'utility';
  const wasFree = actual.freeInCsw.includes(category);
  const isFree = scenario.freeInCsw.includes(category);
  if (wasFree && !isFree && row.pricingType === 'free_customer_service') return 'regular';
  if (!wasFree && isFree && row.pricingType === 'regular' && row.category === 'service') return 'free_customer_service';
  return row.pricingType;
}

/** share% of `units`, rounded half up per row (integer arithmetic: shares have at most 4 decimals). */
function movedUnits(units: number, share: number): number {
  const ppm = BigInt(Math.round(share * 10_000));
  return Number(divRound(BigInt(units) * ppm, 1_000_000n));
}

/**
 * A usage row with another category, pricing type and units, built field by field (object spread is
 * several times slower over a whole range); only fields the pricer reads are kept.
 */
function changed(row: UsageRow, category: string, pricingType: string, units: number): UsageRow {
  const out: UsageRow = {
    day: row.day,
    wabaId: row.wabaId,
    portfolioId: row.portfolioId,
    currency: row.currency,
    market: row.market,
    category,
    pricingType,
    pricingModel: row.pricingModel,
    units,
  };
  if (row.messages !== undefined) out.messages = units;
  if (row.dims !== undefined) out.dims = row.dims;
  return out;
}

const TEMPLATE_DIMS = { direction: 'business_initiated' };

/**
 * The dims of a reply sent as a template instead: a template is business-initiated (as the
 * connector files every category but service). Most rows carry the direction alone: they share one object.
 */
function asTemplate(dims: NonNullable<UsageRow['dims']>): NonNullable<UsageRow['dims']> {
  for (const k in dims) if (k !== 'direction') return { ...dims, direction: 'business_initiated' };
  return TEMPLATE_DIMS;
}

function scenarioRows(
  rows: readonly UsageRow[],
  table: readonly PricingRuleRow[],
  scenarioTable: readonly PricingRuleRow[],
  move: ServiceMove | undefined,
): UsageRow[] {
  const out: UsageRow[] = [];
  // Rows come in runs of one day: the rules of both tables are looked up once per run.
  let day: string | undefined;
  let rules!: PricingRules;
  let actualRules!: PricingRules;
  let movedType = '';
  for (const row of rows) {
    if (row.day !== day) {
      day = row.day;
      rules = rulesOn(day, scenarioTable);
      actualRules = table === scenarioTable ? rules : rulesOn(day, table);
      // Replies become templates sent inside the window: free there only if the scenario's rules say so.
      movedType = move && (rules.freeInCsw as readonly string[]).includes(move.to) ? 'free_customer_service' : 'regular';
    }
    const pricingType = table === scenarioTable ? row.pricingType : scenarioVerdict(row, actualRules, rules);
    const r: UsageRow = pricingType === row.pricingType ? row : changed(row, row.category, pricingType, row.units);
    const movable =
      move &&
      move.share > 0 &&
      r.pricingModel === 'PMP' &&
      r.category === 'service' &&
      (r.pricingType === 'regular' || r.pricingType === 'free_customer_service');
    const moved = movable ? movedUnits(r.units, move.share) : 0;
    if (!move || moved === 0) {
      out.push(r);
      continue;
    }
    if (r.units > moved) out.push(changed(r, r.category, r.pricingType, r.units - moved));
    const m = changed(r, move.to, movedType, moved);
    if (r.dims?.direction !== undefined) m.dims = asTemplate(r.dims);
    out.push(m);
  }
  return out;
}

function sameSlot(a: PriceBookEntry, b: PriceBookEntry): boolean {
  if (a.kind !== b.kind || a.currency !== b.currency) return false;
  return a.kind !== 'rate_card' || b.kind !== 'rate_card' || a.unit === b.unit;
}

/**
 * The book with each chosen file in force on every priced day: the other entries of its slot
 * (kind, currency, and unit for rate cards) are dropped and the file is dated to `startDay`.
 */
export function scenarioBook(book: PriceBook, files: readonly ScenarioPriceFile[], startDay: string): PriceBook {
  if (files.length === 0) return book;
  const chosen = files.map((f) => ({ ...f.entry, effectiveFrom: startDay }) as PriceBookEntry);
  const keep = <T extends PriceBookEntry>(list: readonly T[]) => list.filter((e) => !chosen.some((c) => sameSlot(c, e)));
  const of = <K extends PriceBookEntry['kind']>(kind: K) => chosen.filter((c) => c.kind === kind) as Extract<PriceBookEntry, { kind: K }>[];
  return {
    rateCards: [...keep(book.rateCards), ...of('rate_card')],
    tierTables: [...keep(book.tierTables), ...of('tier_table')],
    callRateCards: [...keep(book.callRateCards), ...of('call_rates')],
  };
}

const matches = (want: string | undefined, value: string) => want === undefined || want === '*' || want === '' || want === value;

type OverrideKey = Pick<UsageRow, 'market' | 'category' | 'currency'>;

function overrideOf(row: OverrideKey, overrides: readonly RateOverride[]): RateOverride | undefined {
  return overrides.find((o) => matches(o.market, row.market) && matches(o.category, row.category) && matches(o.currency, row.currency));
}

/** The price book's complaints, which a flat override answers: it prices the row without the book. */
const BOOK_PROBLEMS: ReadonlySet<PricingProblem['code']> = new Set(['no_rate_card', 'no_rate', 'stale_tier_table']);

/**
 * The scenario's problems without those about rows a flat-rate override priced: the pricer raised
 * them before the override applied, and a warning that a rate is missing where the scenario set one
 * would contradict its own figures. Every row of a problem shares its market, category and currency,
 * so the override that applies to one applies to all.
 */
function unansweredProblems(problems: PricingProblem[], overrides: readonly RateOverride[]): PricingProblem[] {
  if (!overrides.some((o) => o.rateMicros !== undefined)) return problems;
  return problems.filter(
    (p) =>
      !BOOK_PROBLEMS.has(p.code) ||
      overrideOf({ market: p.market ?? '', category: p.category ?? '', currency: p.currency }, overrides)?.rateMicros === undefined,
  );
}

/** Where a scenario's priced row goes: its side, its index among that side's rows, and its price. */
export type ScenarioSink = (
  side: 'actual' | 'scenario',
  index: number,
  row: UsageRow,
  billable: number,
  costMicros: Micros | null,
  tiers?: TierSplit[],
) => void;

/** What priceScenarioEach returns besides the prices it hands to its sink. */
export interface ScenarioOutcome {
  actual: Omit<PriceUsageResult, 'rows'>;
  scenario: Omit<PriceUsageResult, 'rows'>;
  rules: readonly PricingRuleRow[];
}

/**
 * Prices pricing-input rows twice with core's pricer: as they are (what the connector charges) and
 * under `scenario`. The scenario differs only where it says: its rules table (shifted rows), the
 * verdicts those rules change, the share of service moved to templates, its price files, then its
 * overrides on the priced cost. Tiers are counted from `priorUnits` on both sides, so a range that
 * starts mid-month lands on the right tier. The scenario starts at the first priced day: earlier
 * days of the month count as they were.
 */
export function priceScenario(
  rows: readonly UsageRow[],
  priorUnits: readonly PriorUnitsRow[],
  book: PriceBook,
  scenario: Scenario,
  table: readonly PricingRuleRow[] = PRICING_RULES,
): ScenarioResult {
  const out: Record<'actual' | 'scenario', PricedRow[]> = { actual: [], scenario: [] };
  const r = priceScenarioEach(
    rows,
    priorUnits,
    book,
    scenario,
    (side, i, row, billable, costMicros, tiers) => {
      out[side][i] = toPriced(row, billable, costMicros, tiers);
    },
    table,
  );
  return { actual: { ...r.actual, rows: out.actual }, scenario: { ...r.scenario, rows: out.scenario }, rules: r.rules };
}

/**
 * priceScenario without building the priced rows: each side's prices go to `sink` (the plugin's
 * what-if frames only sum them). The scenario's rows are priced after its overrides: the first
 * matching one sets a flat rate per charged unit (the tier split no longer applies) or scales the
 * priced cost by its percentage, rounded half up to a micro-unit. With `splits` false, tiered
 * rows come without their split.
 */
export function priceScenarioEach(
  rows: readonly UsageRow[],
  priorUnits: readonly PriorUnitsRow[],
  book: PriceBook,
  scenario: Scenario,
  sink: ScenarioSink,
  table: readonly PricingRuleRow[] = PRICING_RULES,
  splits = true,
): ScenarioOutcome {
  assertScenario(scenario, table);
  const actual = priceUsageEach(
    rows,
    book,
    { priorUnits: priorTierUnits(priorUnits, table), rules: table },
    (i, row, b, c, t) => sink('actual', i, row, b, c, t),
    splits,
  );
  let startDay: string | null = null;
  for (const r of rows) if (startDay === null || r.day < startDay) startDay = r.day;
  if (startDay === null) return { actual, scenario: { problems: [], tierCounts: new Map() }, rules: table };
  const rules = shiftRules(table, scenario.rules ?? [], startDay);
  const input = scenarioRows(rows, table, rules, scenario.moveService);
  const overrides = scenario.overrides ?? [];
  // The scenario rows are made from the checked input rows: they are not checked again.
  const priced = priceCheckedRows(
    input,
    scenarioBook(book, scenario.priceFiles ?? [], startDay),
    { priorUnits: priorTierUnits(priorUnits, rules), rules },
    (i, row, billable, costMicros, tiers) => {
      const o = overrides.length > 0 ? overrideOf(row, overrides) : undefined;
      // No price stays no price under a percentage, and under a flat rate when no unit is known to be
      // charged (Meta's verdict is a pricing type waspend does not know: 0 x the rate would read as free).
      if (o === undefined || (costMicros === null && (o.rateMicros === undefined || billable === 0)))
        return sink('scenario', i, row, billable, costMicros, tiers);
      if (o.rateMicros !== undefined) return sink('scenario', i, row, billable, BigInt(billable) * o.rateMicros);
      const ppm = 1_000_000n + BigInt(Math.round((o.percent as number) * 10_000));
      return sink('scenario', i, row, billable, divRound((costMicros as bigint) * ppm, 1_000_000n), tiers);
    },
    splits,
  );
  return { actual, scenario: { ...priced, problems: unansweredProblems(priced.problems, overrides) }, rules };
}
