import {
  InputError,
  isDay,
  MOVE_TARGETS,
  parseMicros,
  priceBookFromJson,
  type MoveTarget,
  type PriceBookEntry,
  type RateOverride,
  type RuleShift,
  type Scenario,
  type ScenarioPriceFile,
} from '@core';
import type { PriceFileItem } from '@contract';

/**
 * The scenario as typed in the query editor (each field may hold template variables and is
 * interpolated before it is read here). Errors are InputErrors naming the query field.
 */
export interface WhatIfText {
  /** Named in every series, e.g. `Next quarter`. */
  scenarioName: string;
  /** Comma-separated: a stored file's name, a day `YYYY-MM-DD` (every rates/tiers file effective that day) or `latest` (those of the latest day). */
  priceFiles: string;
  /** Comma-separated `RULE_DAY@FROM`: the rules-table row of RULE_DAY applied from FROM (a day, or `start` = the range's first day). */
  ruleShifts: string;
  /** `;`- or newline-separated `MARKET/CATEGORY[/CURRENCY] +N%` or `... =RATE` (`*` = any). */
  overrides: string;
  /** Percentage of service replies moved to templates (0..100); empty = none. */
  moveShare: string;
  moveTo: string;
}

const list = (text: string, sep: RegExp) =>
  text
    .split(sep)
    .map((t) => t.trim())
    .filter(Boolean);

export function parseRuleShifts(text: string): RuleShift[] {
  return list(text, /[,;\n]/).map((token) => {
    const m = /^(\d{4}-\d{2}-\d{2})\s*(?:@|->|\bfrom\b)\s*(start|\d{4}-\d{2}-\d{2})$/i.exec(token);
    if (!m) throw new InputError('ruleShifts', token, 'must be RULE_DAY@FROM, e.g. 2026-10-01@start or 2026-10-01@2026-11-01');
    return { rule: m[1] as string, from: (m[2] as string).toLowerCase() };
  });
}

const OVERRIDE_RE = /^([^/]+)\/([^/\s]+)(?:\/([A-Za-z]{3}))?\s*(?:([+-]?\d+(?:\.\d{1,4})?)\s*%|=\s*(\d+(?:\.\d{1,6})?))$/;

export function parseOverrides(text: string): RateOverride[] {
  return list(text, /[;\n]/).map((token) => {
    const m = OVERRIDE_RE.exec(token);
    if (!m)
      throw new InputError(
        'overrides',
        token,
        'must be MARKET/CATEGORY[/CURRENCY] +N% or MARKET/CATEGORY =RATE (* = any), e.g. India/marketing +10%',
      );
    const o: RateOverride = { market: (m[1] as string).trim(), category: (m[2] as string).trim() };
    if (m[3]) o.currency = m[3].toUpperCase();
    if (m[4] !== undefined) {
      const percent = Number(m[4]);
      if (percent < -100) throw new InputError('overrides', token, 'cannot lower a price by more than 100%');
      o.percent = percent;
    } else o.rateMicros = parseMicros(m[5] as string, 'overrides');
    return o;
  });
}

export function parseShare(text: string): number | undefined {
  const t = text.trim().replace(/%$/, '').trim();
  if (t === '') return undefined;
  const n = Number(t);
  if (!/^\d+(\.\d{1,4})?$/.test(t) || n > 100) throw new InputError('moveShare', text, 'must be a percentage from 0 to 100');
  return n;
}

/** Names of the stored files a `priceFiles` selector chooses (call-rate files only by exact name: what-if prices messages). */
export function selectPriceFiles(selector: string, items: readonly PriceFileItem[]): PriceFileItem[] {
  const tokens = list(selector, /,/);
  const chosen: PriceFileItem[] = [];
  const add = (f: PriceFileItem) => {
    if (!chosen.includes(f)) chosen.push(f);
  };
  const priced = items.filter((f) => f.kind !== 'call_rates');
  const latest = priced.reduce((max, f) => (f.effectiveFrom > max ? f.effectiveFrom : max), '');
  for (const token of tokens) {
    const day = token.toLowerCase() === 'latest' ? latest : isDay(token) ? token : null;
    const hits = day !== null ? priced.filter((f) => f.effectiveFrom === day) : items.filter((f) => f.name === token);
    if (hits.length === 0) throw new InputError('priceFiles', token, 'matches no stored price file (GET /api/v1/price-files lists them)');
    hits.forEach(add);
  }
  return chosen;
}

/** The entries of a `/price-files/{name}` answer that the selection chose (one name may hold several files). */
export function scenarioFilesOf(name: string, priceBookJson: unknown, chosen: readonly PriceFileItem[]): ScenarioPriceFile[] {
  const book = priceBookFromJson(priceBookJson, `priceFiles.${name}`);
  const entries: PriceBookEntry[] = [...book.rateCards, ...book.tierTables, ...book.callRateCards];
  const kindOf = { rate_card: 'rates', tier_table: 'tiers', call_rates: 'call_rates' } as const;
  return entries
    .filter((e) =>
      chosen.some((c) => c.name === name && c.kind === kindOf[e.kind] && c.currency === e.currency && c.effectiveFrom === e.effectiveFrom),
    )
    .map((entry) => ({ name, entry }));
}

/** The core scenario from the typed fields and the price files already fetched. */
export function toScenario(text: WhatIfText, files: readonly ScenarioPriceFile[]): Scenario {
  const name = text.scenarioName.trim();
  if (name === '') throw new InputError('scenarioName', text.scenarioName, 'must name the scenario (it names the series)');
  const share = parseShare(text.moveShare);
  if (share !== undefined && !(MOVE_TARGETS as readonly string[]).includes(text.moveTo))
    throw new InputError('moveTo', text.moveTo, `must be one of ${MOVE_TARGETS.join(', ')}`);
  return {
    name,
    priceFiles: files,
    rules: parseRuleShifts(text.ruleShifts),
    overrides: parseOverrides(text.overrides),
    ...(share !== undefined ? { moveService: { share, to: text.moveTo as MoveTarget } } : {}),
  };
}
