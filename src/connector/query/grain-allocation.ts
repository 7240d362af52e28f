import { allocate, type Micros } from '@core';
import { PRICED_DIMENSIONS, type PricedDimension } from '../store';

/** The pricing grain's key: what core prices by (category, type and model as core reads them). */
export interface PricingKeyFields {
  day: string;
  wabaId: string;
  market: string;
  category: string;
  pricingType: string;
  pricingModel: string;
}

export const pricingKeyOf = (r: PricingKeyFields) =>
  `${r.day}\u0000${r.wabaId}\u0000${r.market}\u0000${r.category}\u0000${r.pricingType}\u0000${r.pricingModel}`;

/**
 * The finer dimensions a usage query splits or filters by, in the stated allocation order (country,
 * phone, group): its answer is allocated at exactly this grain, so it does not depend on which other
 * finer dimensions the fine rollup happens to hold.
 */
export function fineDimensionsOf(q: {
  by: readonly string[];
  phone: readonly string[];
  country: readonly string[];
  group: readonly string[];
}) {
  const named = (d: PricedDimension) => q.by.includes(d) || q[d].length > 0;
  return PRICED_DIMENSIONS.filter(named);
}

/** One finer row under a pricing-grain row: its share key (the dimension values, '' for none, in that order) and sums. */
export interface GrainChild {
  key: string;
  messages: number;
  units: number;
}

/** The share key of a finer row: its values of `dims` in order, '' for none (as the stored finer grains keep it). */
export const childKeyOf = (dims: readonly PricedDimension[], values: Readonly<Record<string, string | null | undefined>>) =>
  dims.map((d) => values[d] ?? '').join('\u0000');

/**
 * The rule for every grain finer than the pricing grain, stored or at query time: the parent's
 * billable units and cost split over its children by core's `allocate` (largest remainder) with
 * charged units as weights; ties in remainder go to the larger weight, then the smaller share key.
 * A tier crossed inside one key and day cannot be placed on one child (the day rollup does not know
 * whose message crossed it), so the split is in proportion, and the children sum to the parent exactly.
 */
export function splitParent(
  parent: { billable: number; costMicros: Micros | null },
  children: readonly GrainChild[],
): { billable: number; costMicros: Micros | null }[] {
  const shares = children.map((c) => ({ key: c.key, weight: c.units }));
  const billable = allocate(BigInt(parent.billable), shares);
  const cost = parent.costMicros === null ? null : allocate(parent.costMicros, shares);
  return children.map((_, i) => ({
    billable: Number((billable[i] as { micros: bigint }).micros),
    costMicros: cost === null ? null : (cost[i] as { micros: Micros }).micros,
  }));
}
