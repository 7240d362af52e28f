import { InputError } from '../errors';
import type { Micros } from '../model/money';
import type { PriceBookEntry } from '../ratecard/price-book';
import { assertRuleTable, type PricingRuleRow } from '../rules/pricing-rules';
import { isDay } from '../time/calendar';

/** Categories a share of service replies can move to: templates of that category (a Flow sent as a template is priced as one). */
export const MOVE_TARGETS = ['utility', 'marketing', 'authentication'] as const;
export type MoveTarget = (typeof MOVE_TARGETS)[number];

/** A row of the dated rules table (named by its `from` day) applied from another WABA-local day. */
export interface RuleShift {
  /** The `from` day of the row in the rules table, e.g. `2026-10-01`. */
  rule: string;
  /** The WABA-local day it applies from in the scenario, or `start`: the first day of the priced rows. */
  from: string;
}

/**
 * A typed-in price change on priced rows that match it (omitted, empty or `*` = any). Either a percentage
 * of the priced cost (+10 = 10% dearer, tiers kept) or a flat rate per charged unit in micro-units
 * of the row's currency (replaces the tiers too).
 */
export interface RateOverride {
  market?: string;
  category?: string;
  currency?: string;
  percent?: number;
  rateMicros?: Micros;
}

/** A share of service replies sent instead as templates of another category. */
export interface ServiceMove {
  /** Percentage of each service row's units, 0..100. */
  share: number;
  to: MoveTarget;
}

/** A stored price file as the scenario uses it: its name and what it parses to. */
export interface ScenarioPriceFile {
  name: string;
  entry: PriceBookEntry;
}

export interface Scenario {
  /** Named in every series of the scenario. */
  name: string;
  /** Each file prices every day of the range for its currency (and kind, and unit for rate cards) instead of the one in force. */
  priceFiles?: readonly ScenarioPriceFile[];
  rules?: readonly RuleShift[];
  /** First match wins. */
  overrides?: readonly RateOverride[];
  moveService?: ServiceMove;
}

/** Checks a scenario; every error is an InputError naming `scenario.<field>`. */
export function assertScenario(s: Scenario, table: readonly PricingRuleRow[]): void {
  if (!s || typeof s.name !== 'string' || s.name.trim() === '') throw new InputError('scenario.name', s?.name, 'must name the scenario');
  (s.priceFiles ?? []).forEach((f, i) => {
    if (!f?.entry || typeof f.name !== 'string' || f.name === '')
      throw new InputError(`scenario.priceFiles[${i}]`, f?.name, 'must be a named, parsed price file');
  });
  const seen = new Set<string>();
  (s.rules ?? []).forEach((r, i) => {
    if (!table.some((row) => row.from === r?.rule))
      throw new InputError(
        `scenario.rules[${i}].rule`,
        r?.rule,
        `is not a row of the rules table (${table.map((x) => x.from).join(', ')})`,
      );
    if (seen.has(r.rule)) throw new InputError(`scenario.rules[${i}].rule`, r.rule, 'is shifted twice');
    seen.add(r.rule);
    if (r.from !== 'start' && !isDay(r.from))
      throw new InputError(`scenario.rules[${i}].from`, r.from, 'must be a day YYYY-MM-DD or "start"');
  });
  (s.overrides ?? []).forEach((o, i) => {
    const at = `scenario.overrides[${i}]`;
    const hasPct = o?.percent !== undefined;
    const hasRate = o?.rateMicros !== undefined;
    if (hasPct === hasRate) throw new InputError(at, o, 'needs exactly one of percent or rate');
    if (hasPct && (!Number.isFinite(o.percent) || (o.percent as number) < -100))
      throw new InputError(`${at}.percent`, o.percent, 'must be a number >= -100');
    if (hasRate && (typeof o.rateMicros !== 'bigint' || o.rateMicros < 0n))
      throw new InputError(`${at}.rate`, o.rateMicros?.toString(), 'must be a rate >= 0');
  });
  const m = s.moveService;
  if (m) {
    if (!Number.isFinite(m.share) || m.share < 0 || m.share > 100)
      throw new InputError('scenario.moveService.share', m.share, 'must be a percentage from 0 to 100');
    if (!(MOVE_TARGETS as readonly string[]).includes(m.to))
      throw new InputError('scenario.moveService.to', m.to, `must be one of ${MOVE_TARGETS.join(', ')}`);
  }
}

/**
 * The rules table of the scenario: each shifted row moved to its new day (`start` = `startDay`),
 * the table sorted again. Two rows landing on one day is an error naming the shift.
 */
export function shiftRules(table: readonly PricingRuleRow[], shifts: readonly RuleShift[], startDay: string): readonly PricingRuleRow[] {
  if (shifts.length === 0) return table;
  const moved = table.map((row) => {
    const shift = shifts.find((s) => s.rule === row.from);
    return shift ? { ...row, from: shift.from === 'start' ? startDay : shift.from } : row;
  });
  moved.sort((a, b) => a.from.localeCompare(b.from));
  for (let i = 1; i < moved.length; i += 1) {
    if ((moved[i] as PricingRuleRow).from === (moved[i - 1] as PricingRuleRow).from) {
      const day = (moved[i] as PricingRuleRow).from;
      const at = shifts.findIndex((s) => (s.from === 'start' ? startDay : s.from) === day);
      throw new InputError(`scenario.rules[${Math.max(at, 0)}].from`, day, 'puts two rules on one day; shift it by a day');
    }
  }
  return assertRuleTable(moved, 'scenario.rules');
}
