import type { DataQuery } from '@grafana/schema';
import type { Interval, Source, UsageDimension } from '@contract';

/** What a panel asks for; each kind is one entry of KINDS (`kinds/index.ts`), in the editor's order. */
export const QUERY_KINDS = [
  'messages',
  'cost',
  'calls',
  'billing',
  'projection',
  'allocation',
  'reconciliation',
  'tiers',
  'what_if',
] as const;
export type QueryKind = (typeof QUERY_KINDS)[number];

/** Billing metrics: unique contacts (HLL, not additive) or billed units (additive). */
export const BILLING_METRICS = ['unique_contacts', 'billed_units'] as const;
export type BillingMetric = (typeof BILLING_METRICS)[number];

/**
 * What-if: which days are priced. `range`: the panel's range; `month`: the WABA-local month the range
 * ends in, up to its last day; `previous_month`: the whole month before that one.
 */
export const WHAT_IF_PERIODS = ['range', 'month', 'previous_month'] as const;
export type WhatIfPeriod = (typeof WHAT_IF_PERIODS)[number];

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

/** What every kind shares: filters, grouping, source, interval and the compare mode. */
export interface QueryBase extends DataQuery {
  schemaVersion: typeof SCHEMA_VERSION;
  filters: QueryFilters;
  groupBy: UsageDimension[];
  source: Source;
  interval: Interval;
  compare?: CompareMode;
}

type NoFields = Record<never, never>;

/**
 * Each kind's own query fields beyond QueryBase (their zod schema and defaults are in its
 * `kinds/<kind>.ts`). Every kind of QUERY_KINDS has exactly one entry, checked below.
 */
export type KindFields = ExactlyTheKinds<{
  messages: NoFields;
  cost: NoFields;
  calls: NoFields;
  billing: { metric: BillingMetric };
  projection: {
    /** Draw the lower/upper band of the month-end estimate. */
    band: boolean;
  };
  allocation: NoFields;
  reconciliation: NoFields;
  tiers: NoFields;
  /** Typed text (template variables allowed), read by query/what-if-scenario.ts after interpolation. */
  what_if: {
    period: WhatIfPeriod;
    scenarioName: string;
    priceFiles: string;
    ruleShifts: string;
    overrides: string;
    moveShare: string;
    moveTo: string;
  };
}>;

export type ExactlyTheKinds<T extends Record<QueryKind, object> & Record<Exclude<keyof T, QueryKind>, never>> = T;

/** The query of one kind (of each kind, for a union: QueryOf<QueryKind> is WaspendQuery). */
export type QueryOf<K extends QueryKind> = K extends QueryKind ? QueryBase & { kind: K } & KindFields[K] : never;

/** A panel query: discriminated on `kind`. */
export type WaspendQuery = QueryOf<QueryKind>;
