import type { Direction, PricingModel, UsageCategory, UsagePricingType } from './category';
import type { Micros } from './money';

/**
 * One bucket of delivered messages (PMP) or opened conversations (CBP) that share everything
 * pricing depends on. `dims` carries the grouping dimensions the caller wants back (phone, country,
 * group, ...); pricing never reads them, it only keeps them with the row.
 */
export interface UsageRow {
  /** WABA-local calendar day, YYYY-MM-DD. Rate cards, tiers and months are all WABA-local. */
  day: string;
  wabaId: string;
  /** Business portfolio: volume tiers are counted across all of its WABAs. */
  portfolioId: string;
  /** The WABA's billing currency (ISO 4217). */
  currency: string;
  /** Pricing market of the recipient (see markets), e.g. "India", "Rest of Africa", "Other". */
  market: string;
  /**
   * One of our categories, or the raw value Meta sent in lower snake case when we do not know it yet
   * (e.g. meta_business_agent): such rows are counted, priced at null and reported as `unknown_category`.
   * Under CBP the category of the conversation's origin.
   */
  category: UsageCategory;
  /** One of our pricing types, or an unknown value Meta sent (lower snake case; reported as `unknown_pricing_type`). */
  pricingType: UsagePricingType;
  pricingModel: PricingModel;
  /**
   * Charged units of the bucket's kind: conversations opened on this day on CBP days (a conversation
   * counts once, on the WABA-local day of its first delivered message), delivered messages on PMP days.
   */
  units: number;
  /** Delivered messages behind `units` (equal to units under PMP; a CBP conversation's later messages add here only). */
  messages?: number;
  dims?: Readonly<Record<string, string | null>>;
}

export interface TierSplit {
  /** Inclusive lower bound of the tier, in units per month. */
  lower: number;
  /** Inclusive upper bound, null = no upper bound (MAX). */
  upper: number | null;
  units: number;
  rateMicros: Micros;
}

export interface PricedRow extends UsageRow {
  /** Units that are charged (pricingType regular, and not inside a CBP free tier). */
  billable: number;
  /** null when no rate is known for the row; the reason is in the problems list. */
  costMicros: Micros | null;
  /** Present when the row was priced on a volume-tiered rate; sums to `billable`. */
  tiers?: TierSplit[];
}

/**
 * A non-fatal pricing gap (missing card, market, rate). Surfaced as a notice, never thrown.
 * `stale_tier_table`: the volume-tier table in force is older than the rate card in force (the
 * row is still priced on those tiers; import the tier CSV published with the card).
 * `unknown_category` / `unknown_pricing_type`: Meta sent a value we do not know (e.g. Meta Business
 * Agent messages before Meta names their webhook value); the rows are kept with cost null.
 * `unpriced_per_token`: the category is Meta Business Agent's, named in the rules table; Meta charges
 * it per token and webhooks carry no token counts, so it is kept with cost null too.
 */
export interface PricingProblem {
  code:
    'no_rate_card' | 'no_rate' | 'no_call_rate' | 'stale_tier_table' | 'unknown_category' | 'unknown_pricing_type' | 'unpriced_per_token';
  message: string;
  currency: string;
  day: string;
  market?: string;
  category?: string;
  rows: number;
  /** Units (messages or conversations) in those rows; set for the unknown_* codes. */
  units?: number;
}

/** A finished call as the connector stores it, priced one by one (tier crossings are per call). */
export interface CallRecord {
  callId: string;
  wabaId: string;
  portfolioId: string;
  currency: string;
  /** WABA-local day of the call start. */
  day: string;
  startMs: number;
  direction: Direction;
  durationSec: number;
  /** Pricing market of the callee (business-initiated) or caller (user-initiated). */
  market: string;
  dims?: Readonly<Record<string, string | null>>;
}

export interface PricedCall extends CallRecord {
  /** 6-second pulses, a partial pulse counting as whole; 0 for user-initiated calls. */
  pulses: number;
  costMicros: Micros | null;
  /** The minute tier the whole call was priced at (business-initiated calls with a rate). */
  tier?: { lowerMinutes: number; upperMinutes: number | null; ratePerMinuteMicros: Micros };
}
