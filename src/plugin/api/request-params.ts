import type { z } from 'zod';
import { InputError, addDays, firstDayOf, localDay, monthOf, previousPeriod } from '@core';
import {
  API_PREFIX,
  CALL_DIMENSIONS,
  callsQuery,
  contactsQuery,
  reconciliationQuery,
  tiersQuery,
  usageQuery,
  type UsageDimension,
} from '@contract';
import type { WaspendQuery } from '../query/types';

export interface TimeRangeMs {
  fromMs: number;
  toMs: number;
}

/** One GET against the connector. `role` tells the frame builders which response is which. */
export interface ConnectorRequest {
  role: 'main' | 'previous' | 'totals' | 'units' | 'history';
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

type Params = Record<string, string>;

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
 * Turns an interpolated query and the panel's time range into the connector requests it needs.
 * Every parameter set is checked with the contract's own schema first, so a bad category or
 * grouping is reported here, naming the query field, instead of as an HTTP 400.
 */
export function buildRequests(query: WaspendQuery, range: TimeRangeMs, options: RequestOptions): ConnectorRequest[] {
  checkRange(range);
  const filters = filterParams(query);
  const timed = (r: TimeRangeMs): Params => ({ from: String(r.fromMs), to: String(r.toMs), ...filters });
  const out: ConnectorRequest[] = [];
  const withPrevious = (path: string, schema: z.ZodType, extra: Params) => {
    out.push(request('main', path, schema, { ...timed(range), ...extra }));
    if (query.compare === 'previous_period') out.push(request('previous', path, schema, { ...timed(previousPeriod(range)), ...extra }));
  };
  const usage = { interval: query.interval, source: query.source };
  switch (query.kind) {
    case 'messages':
    case 'cost':
      withPrevious('usage', usageQuery, { ...usage, by: csv(query.groupBy) });
      break;
    case 'billing':
      if (query.metric === 'unique_contacts') withPrevious('contacts', contactsQuery, { interval: query.interval });
      else withPrevious('usage', usageQuery, { ...usage, by: csv(query.groupBy) });
      break;
    case 'calls': {
      const bad = query.groupBy.find((d) => !(CALL_DIMENSIONS as readonly string[]).includes(d));
      if (bad) throw new InputError('groupBy', bad, `cannot group calls; use one of ${CALL_DIMENSIONS.join(', ')}`);
      withPrevious('calls', callsQuery, { ...usage, by: csv(query.groupBy) });
      break;
    }
    case 'reconciliation': {
      if (query.interval === 'month') {
        // Per WABA and whole month against the invoice: only the WABA filter applies (an invoice has no other split).
        const months = { from: String(range.fromMs), to: String(range.toMs), waba: filters.waba ?? '', interval: 'month' };
        out.push(request('main', 'reconciliation', reconciliationQuery, months));
        break;
      }
      const by = query.groupBy.filter((d) => d === 'category' || d === 'waba');
      out.push(request('main', 'reconciliation', reconciliationQuery, { ...timed(range), by: csv(by) }));
      break;
    }
    case 'projection': {
      // Whole WABA-local days: the month so far plus the history the weekday profile learns from.
      const today = localDay(range.toMs, options.timeZone);
      const monthStart = firstDayOf(monthOf(today));
      const from = addDays(monthStart, -(options.historyDays ?? 56));
      const params = { from, to: today, ...filters, interval: 'day', source: query.source, by: '' };
      out.push(request('main', 'usage', usageQuery, params));
      break;
    }
    case 'allocation': {
      // Totals (possibly Meta's) per market x category, split by our own per-group billed units.
      const groupDim = allocationDimension(query.groupBy);
      const base = { ...timed(range), interval: 'month' };
      out.push(request('totals', 'usage', usageQuery, { ...base, source: query.source, by: 'market,category' }));
      out.push(request('units', 'usage', usageQuery, { ...base, source: 'estimate', by: `${groupDim},market,category` }));
      break;
    }
    case 'tiers': {
      const month = monthOf(localDay(range.toMs, options.timeZone));
      out.push(request('main', 'tiers', tiersQuery, { month, ...(filters.waba ? { waba: filters.waba } : {}) }));
      break;
    }
  }
  return out;
}

/** The dimension an allocation splits by: the first grouping that is not market or category. */
export function allocationDimension(groupBy: readonly UsageDimension[]): UsageDimension {
  return groupBy.find((d) => d !== 'market' && d !== 'category') ?? 'group';
}

function request(role: ConnectorRequest['role'], endpoint: string, schema: z.ZodType, params: Params): ConnectorRequest {
  const clean = Object.fromEntries(Object.entries(params).filter(([, v]) => v !== ''));
  const result = schema.safeParse(clean);
  if (!result.success) {
    const issue = result.error.issues[0];
    const key = String(issue?.path[0] ?? 'query');
    throw new InputError(FIELD_OF[key] ?? key, clean[key], issue?.message ?? 'is not valid');
  }
  return { role, path: `${API_PREFIX}/${endpoint}`, search: new URLSearchParams(clean).toString() };
}

function filterParams(query: WaspendQuery): Params {
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

function csv(values: readonly string[]): string {
  return values.join(',');
}

function checkRange(range: TimeRangeMs): void {
  if (!Number.isFinite(range?.fromMs)) throw new InputError('range.from', range?.fromMs, 'must be epoch milliseconds');
  if (!Number.isFinite(range.toMs)) throw new InputError('range.to', range.toMs, 'must be epoch milliseconds');
  if (range.toMs <= range.fromMs) throw new InputError('range.to', range.toMs, 'must be after range.from');
}
