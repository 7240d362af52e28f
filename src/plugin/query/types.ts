import type { DataQuery } from '@grafana/schema';
import type { Interval, Source, UsageDimension } from '@contract';

/** What a panel asks for; each kind maps to one connector endpoint plus core post-processing. */
export const QUERY_KINDS = ['messages', 'cost', 'calls', 'billing', 'projection', 'allocation', 'reconciliation', 'tiers'] as const;
export type QueryKind = (typeof QUERY_KINDS)[number];

/** Billing metrics: unique contacts (HLL, not additive) or billed units (additive). */
export const BILLING_METRICS = ['unique_contacts', 'billed_units'] as const;
export type BillingMetric = (typeof BILLING_METRICS)[number];

export const COMPARE_MODES = ['previous_period'] as const;
export type CompareMode = (typeof COMPARE_MODES)[number];

export const FILTER_KEYS = ['waba', 'phone', 'country', 'category', 'pricingType', 'direction', 'group'] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];

/**
 * Filter values as the user typed them: they may hold template variables (`$waba`, `${country:csv}`),
 * so they are only checked against the contract's enums after interpolation.
 */
export type QueryFilters = Record<FilterKey, string[]>;

export const SCHEMA_VERSION = 1 as const;

interface QueryBase extends DataQuery {
  schemaVersion: typeof SCHEMA_VERSION;
  filters: QueryFilters;
  groupBy: UsageDimension[];
  source: Source;
  interval: Interval;
  compare?: CompareMode;
}

export interface MessagesQuery extends QueryBase {
  kind: 'messages';
}
export interface CostQuery extends QueryBase {
  kind: 'cost';
}
export interface CallsQuery extends QueryBase {
  kind: 'calls';
}
export interface BillingQuery extends QueryBase {
  kind: 'billing';
  metric: BillingMetric;
}
export interface ProjectionQuery extends QueryBase {
  kind: 'projection';
  /** Draw the lower/upper band of the month-end estimate. */
  band: boolean;
}
export interface AllocationQuery extends QueryBase {
  kind: 'allocation';
}
export interface ReconciliationQuery extends QueryBase {
  kind: 'reconciliation';
}
export interface TiersQuery extends QueryBase {
  kind: 'tiers';
}

export type WaspendQuery =
  MessagesQuery | CostQuery | CallsQuery | BillingQuery | ProjectionQuery | AllocationQuery | ReconciliationQuery | TiersQuery;
