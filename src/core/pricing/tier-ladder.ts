import type { TierSplit } from '../model/usage';
import type { Micros } from '../model/money';
import type { Tier } from '../ratecard/tiers';

/**
 * Volume tiers count units per business portfolio x market x rate column x WABA-local month.
 * This key is what `priorUnits` maps to the units already charged before the priced window.
 */
export function tierKey(portfolioId: string, market: string, column: string, month: string): string {
  return `${portfolioId}|${market}|${column}|${month}`;
}

/** Key of the CBP-era 1,000 free service conversations per WABA per WABA-local month (in `priorUnits`). */
export function freeTierKey(wabaId: string, month: string): string {
  return `free_tier|${wabaId}|${month}`;
}

/**
 * Splits units numbered before+1 .. before+units over a ladder: each tier's rate applies only to
 * the units inside it (Meta's volume-tier rule). A first tier written "0:N" holds units 1..N.
 */
export function splitAcrossTiers(ladder: readonly Tier[], before: number, units: number): { splits: TierSplit[]; costMicros: Micros } {
  const splits: TierSplit[] = [];
  return { splits, costMicros: walkTiers(ladder, before, units, splits) };
}

/** splitAcrossTiers' cost alone, for callers that do not keep the split (no objects built). */
export function tierCostMicros(ladder: readonly Tier[], before: number, units: number): Micros {
  return walkTiers(ladder, before, units, undefined);
}

/** The cost of units before+1 .. before+units on the ladder; each tier's share goes to `splits` when given. */
function walkTiers(ladder: readonly Tier[], before: number, units: number, splits: TierSplit[] | undefined): Micros {
  let costMicros = 0n;
  let next = before + 1;
  const last = before + units;
  for (const tier of ladder) {
    if (next > last) break;
    const upper = tier.upper ?? Number.POSITIVE_INFINITY;
    if (upper < next) continue;
    const take = Math.min(upper, last) - next + 1;
    splits?.push({ lower: tier.lower, upper: tier.upper, units: take, rateMicros: tier.rateMicros });
    costMicros += BigInt(take) * tier.rateMicros;
    next += take;
  }
  return costMicros;
}

/** Where a running monthly count stands: the tier of the next unit and how many units until the next tier. */
export interface TierPosition {
  lower: number;
  upper: number | null;
  rateMicros: Micros;
  /** Units left before the next tier starts; null in the last tier. */
  remainingToNext: number | null;
}

export function currentTier(ladder: readonly Tier[], unitsSoFar: number): TierPosition | null {
  const n = unitsSoFar + 1;
  for (const tier of ladder) {
    if (tier.upper === null || n <= tier.upper) {
      return {
        lower: tier.lower,
        upper: tier.upper,
        rateMicros: tier.rateMicros,
        remainingToNext: tier.upper === null ? null : tier.upper - unitsSoFar,
      };
    }
  }
  return null;
}
