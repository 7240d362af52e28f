import { InputError } from '../errors';
import type { PricingModel, RateColumn } from '../model/category';
import { assertDay } from '../time/calendar';

/** The Meta page a rule comes from, with the "Updated" date the page carried when we read it. */
export interface RuleSource {
  title: string;
  url: string;
  /** The page's own "Updated:" date (YYYY-MM-DD). */
  updated: string;
}

/**
 * Everything in Meta's pricing that changes over time, as it stands on one WABA-local day.
 * Each field is read by the classifier (inference when a status has no `pricing`) or the pricer.
 */
export interface PricingRules {
  /** CBP = one charge per 24h conversation; PMP = one charge per delivered message. */
  pricingModel: PricingModel;
  /** CBP: are service conversations charged at all (free for everyone from 2024-11-01). */
  cbpServiceCharged: boolean;
  /** CBP: service conversations free per WABA per WABA-local month before any is charged. */
  cbpFreeServicePerMonth: number;
  /** PMP, by inference: categories that are free_customer_service inside an open customer-service window. */
  freeInCsw: readonly ('service' | 'utility')[];
  /** Inside an open free entry point window every message is free (Meta: unchanged since FEP began). */
  freeInFep: boolean;
  /**
   * PMP volume tiers: rate column -> the counter its charged messages move (per portfolio x market x
   * WABA-local month). Columns not listed are never tiered.
   */
  tierCounters: Readonly<Partial<Record<RateColumn, string>>>;
  /** Where a charged service message's rate comes from when the card has no Service rate (null = nowhere). */
  serviceRateFallback: RateColumn | null;
  /**
   * Meta Business Agent messages: charged per token from 2026-08-01. `webhookValue` is the category
   * value Meta's webhooks carry for them; null while Meta has not published it, so such messages
   * arrive as an unknown category and are kept unpriced.
   */
  metaBusinessAgent: { charged: boolean; webhookValue: string | null };
}

/** One dated change: from `from` (WABA-local day, inclusive) the fields in `set` hold until a later row changes them. */
export interface PricingRuleRow {
  from: string;
  /** What changes, in words (docs/pricing-rules.md has one line per row). */
  what: string;
  source: RuleSource;
  set: Partial<PricingRules>;
}

const PRICING_PAGE: RuleSource = {
  title: 'Pricing on the WhatsApp Business Platform',
  url: 'https://developers.facebook.com/documentation/business-messaging/whatsapp/pricing',
  updated: '2026-03-30',
};
const H2_2026_PAGE: RuleSource = {
  title: 'Upcoming pricing updates for Meta Business Agent, service and utility messages',
  url: 'https://developers.facebook.com/documentation/business-messaging/whatsapp/pricing/',
  updated: '2026-07-01',
};

/** The state before the first dated row: conversation-based pricing as of the June 2023 categories. */
const BASELINE: PricingRules = {
  pricingModel: 'CBP',
  cbpServiceCharged: true,
  cbpFreeServicePerMonth: 1000,
  freeInCsw: ['service', 'utility'],
  freeInFep: true,
  tierCounters: {},
  serviceRateFallback: null,
  metaBusinessAgent: { charged: false, webhookValue: null },
};

/**
 * Meta's pricing rules as dated rows, oldest first. Adding Meta's next change is one row here plus
 * a test; nothing else in core carries a pricing date.
 */
export const PRICING_RULES: readonly PricingRuleRow[] = [
  {
    from: '2024-11-01',
    what: 'Service conversations free for all businesses (the 1,000 free service conversations per WABA-month no longer matter)',
    source: PRICING_PAGE,
    set: { cbpServiceCharged: false, cbpFreeServicePerMonth: 0 },
  },
  {
    from: '2025-07-01',
    what: 'Per-message pricing replaces conversations; utility templates and non-template messages free inside an open customer-service window; volume tiers for utility and authentication (authentication-international on its own ladder)',
    source: PRICING_PAGE,
    set: {
      pricingModel: 'PMP',
      freeInCsw: ['service', 'utility'],
      tierCounters: { utility: 'utility', authentication: 'authentication', authentication_international: 'authentication_international' },
    },
  },
  {
    from: '2026-08-01',
    what: 'Meta Business Agent messages charged per token (one global rate, invoiced monthly); their webhook value is not published yet',
    source: H2_2026_PAGE,
    set: { metaBusinessAgent: { charged: true, webhookValue: null } },
  },
  {
    from: '2026-10-01',
    what: "Service messages charged per message at the market's utility/authentication rate, without volume tiers; utility templates inside an open customer-service window charged",
    source: H2_2026_PAGE,
    set: { freeInCsw: [], serviceRateFallback: 'utility' },
  },
];

/** Checks a rules table: days valid, strictly ascending (so no two rows on one day), each with a source. */
export function assertRuleTable(table: readonly PricingRuleRow[], field = 'rules'): readonly PricingRuleRow[] {
  if (!Array.isArray(table)) throw new InputError(field, table, 'must be an array of pricing rule rows');
  table.forEach((row, i) => {
    assertDay(row?.from, `${field}[${i}].from`);
    const prev = table[i - 1];
    if (prev && prev.from >= row.from)
      throw new InputError(`${field}[${i}].from`, row.from, `must be after ${prev.from} (rows sorted, one per day)`);
    if (!row.source?.url) throw new InputError(`${field}[${i}].source.url`, row.source?.url, 'is required: every rule cites its Meta page');
  });
  return table;
}

interface Folded {
  /** One frozen rule set per distinct "last row in force" index. */
  bySpan: Map<number, PricingRules>;
  /** Day -> rules, so hot paths (a classification per message) skip validation and folding. */
  byDay: Map<string, PricingRules>;
}
const folded = new WeakMap<readonly PricingRuleRow[], Folded>();

/** The rules in force on a WABA-local day (the baseline plus every row from on or before it). */
export function rulesOn(day: string, table: readonly PricingRuleRow[] = PRICING_RULES): PricingRules {
  let cache = folded.get(table);
  if (!cache) {
    assertRuleTable(table);
    cache = { bySpan: new Map(), byDay: new Map() };
    folded.set(table, cache);
  }
  const hit = cache.byDay.get(day);
  if (hit) return hit;
  assertDay(day);
  let last = -1;
  for (let i = 0; i < table.length && (table[i] as PricingRuleRow).from <= day; i += 1) last = i;
  let rules = cache.bySpan.get(last);
  if (!rules) {
    const fold: PricingRules = { ...BASELINE };
    for (let i = 0; i <= last; i += 1) Object.assign(fold, (table[i] as PricingRuleRow).set);
    rules = Object.freeze(fold);
    cache.bySpan.set(last, rules);
  }
  cache.byDay.set(day, rules);
  return rules;
}

/** The first day from which `test` holds for the rules in force (null if never): derived dates, not literals. */
export function firstDayWhere(test: (rules: PricingRules) => boolean, table: readonly PricingRuleRow[] = PRICING_RULES): string | null {
  for (const row of table) if (test(rulesOn(row.from, table))) return row.from;
  return null;
}
