import type { Category, Direction, Micros, PricingType } from '@core';

/**
 * What the pullers need from the store. The store implements it for SQLite and PostgreSQL; the pullers
 * never see SQL. Pulled figures are Meta's own (or 360Dialog's), kept apart from our webhook estimate.
 */

export type PullSource = 'meta_pricing' | 'meta_calls' | 'meta_conversations' | 'd360_usage';

/** One data point of pricing_analytics / conversation_analytics / 360Dialog channel usage, for one WABA-local day. */
export interface MetaPricingRow {
  day: string;
  wabaId: string;
  phoneNumberId: string | null;
  /** ISO 3166 alpha-2 as Meta reports it in COUNTRY. */
  country: string | null;
  category: Category | null;
  pricingType: PricingType | null;
  /** "lower:upper" as Meta reports it (upper may be MAX); null for free or untiered. */
  tier: string | null;
  volume: number;
  /** null when Meta withholds COST (partner credit line). */
  costMicros: Micros | null;
  currency: string;
}

export interface MetaCallRow {
  day: string;
  wabaId: string;
  phoneNumberId: string | null;
  country: string | null;
  direction: Direction | null;
  count: number;
  costMicros: Micros | null;
  averageDurationSec: number | null;
  currency: string;
}

export interface PullCursor {
  /** Last WABA-local day fully pulled (complete, not partial), YYYY-MM-DD; null before the first pull. */
  lastCompleteDay: string | null;
}

export interface PullSink {
  getCursor(wabaId: string, source: PullSource): Promise<PullCursor>;
  /**
   * Replaces every stored row of `source` for (wabaId, day) for each day in `days` with `rows`, and
   * advances the cursor, in one transaction. Replacing whole days is what makes re-pulls idempotent:
   * a partial day pulled earlier is overwritten, never added to.
   */
  replaceDays(
    wabaId: string,
    source: PullSource,
    days: string[],
    rows: { pricing?: MetaPricingRow[]; calls?: MetaCallRow[] },
    cursor: PullCursor,
  ): Promise<void>;
}
