import type { z } from 'zod';
import { InputError, previousPeriod } from '@core';
import { API_PREFIX } from '@contract';
import type { WaspendQuery } from '../query/types';

/** GETs `path?search` through the data-source proxy and resolves to the parsed JSON body. */
export type FetchJson = (path: string, search: string, signal: AbortSignal) => Promise<unknown>;

export interface TimeRangeMs {
  fromMs: number;
  toMs: number;
}

/**
 * One GET against the connector. `role` tells a kind's frame builder which response is which; the
 * built-in kinds use main, previous, totals, units and history, a new kind may name its own.
 */
export interface ConnectorRequest {
  role: string;
  path: string;
  /** Encoded query string without the leading `?`. */
  search: string;
}

export interface RequestOptions {
  /** Time zone used to name "today" and the current month (projection, tiers). */
  timeZone: string;
  /** Days of history before the month that projectWeekday learns the weekday pattern from. */
  historyDays?: number;
}

export type Params = Record<string, string>;

/** Where a contract parameter came from in the query model, so errors name what the user edits. */
const FIELD_OF: Record<string, string> = {
  from: 'range.from',
  to: 'range.to',
  by: 'groupBy',
  interval: 'interval',
  source: 'source',
  month: 'range.to',
  waba: 'filters.waba',
  phone: 'filters.phone',
  country: 'filters.country',
  category: 'filters.category',
  pricingType: 'filters.pricingType',
  direction: 'filters.direction',
  group: 'filters.group',
};

/**
 * A request to `/api/v1/<endpoint>`, its parameters checked with the contract's own schema first, so a
 * bad category or grouping is reported here, naming the query field, instead of as an HTTP 400.
 * Empty parameters are left out (the connector reads a missing filter as "all").
 */
export function connectorRequest(role: string, endpoint: string, schema: z.ZodType, params: Params): ConnectorRequest {
  const clean = Object.fromEntries(Object.entries(params).filter(([, v]) => v !== ''));
  const result = schema.safeParse(clean);
  if (!result.success) {
    const issue = result.error.issues[0];
    const key = String(issue?.path[0] ?? 'query');
    throw new InputError(FIELD_OF[key] ?? key, clean[key], issue?.message ?? 'is not valid');
  }
  return { role, path: `${API_PREFIX}/${endpoint}`, search: new URLSearchParams(clean).toString() };
}

/** The query's filters as connector parameters (csv lists; empty = all). */
export function filterParams(query: WaspendQuery): Params {
  const f = query.filters;
  return {
    waba: csv(f.waba),
    phone: csv(f.phone),
    country: csv(f.country),
    category: csv(f.category),
    pricingType: csv(f.pricingType),
    direction: csv(f.direction),
    group: csv(f.group),
  };
}

/** A time range plus the query's filters: what every ranged endpoint takes. */
export function rangeParams(query: WaspendQuery, range: TimeRangeMs): Params {
  return { from: String(range.fromMs), to: String(range.toMs), ...filterParams(query) };
}

/**
 * The `main` request over the panel's range and, with `compare: previous_period`, the same request
 * over the previous period of equal length (`previous`).
 */
export function withPreviousPeriod(
  query: WaspendQuery,
  range: TimeRangeMs,
  endpoint: string,
  schema: z.ZodType,
  extra: Params,
): ConnectorRequest[] {
  const out = [connectorRequest('main', endpoint, schema, { ...rangeParams(query, range), ...extra })];
  if (query.compare === 'previous_period')
    out.push(connectorRequest('previous', endpoint, schema, { ...rangeParams(query, previousPeriod(range)), ...extra }));
  return out;
}

export function csv(values: readonly string[]): string {
  return values.join(',');
}

export function checkRange(range: TimeRangeMs): void {
  if (!Number.isFinite(range?.fromMs)) throw new InputError('range.from', range?.fromMs, 'must be epoch milliseconds');
  if (!Number.isFinite(range.toMs)) throw new InputError('range.to', range.toMs, 'must be epoch milliseconds');
  if (range.toMs <= range.fromMs) throw new InputError('range.to', range.toMs, 'must be after range.from');
}
