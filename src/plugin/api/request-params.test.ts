import { InputError } from '@core';
import { usageQuery } from '@contract';
import { errorOf } from '../../../tests/helpers/error-of';
import { createDefaultQuery, createEmptyFilters } from '../query/defaults';
import type { WaspendQuery } from '../query/types';
import { allocationDimension, buildRequests } from './request-params';

const RANGE = { fromMs: Date.UTC(2026, 2, 1), toMs: Date.UTC(2026, 2, 15, 12) };
const OPTS = { timeZone: 'America/Sao_Paulo' };
const q = (over: Partial<WaspendQuery> & Record<string, unknown>): WaspendQuery => ({ ...createDefaultQuery(), ...over }) as WaspendQuery;
const params = (search: string) => Object.fromEntries(new URLSearchParams(search));

const fieldOf = (fn: () => unknown) => errorOf(fn, InputError).field;

describe('buildRequests', () => {
  it('asks /usage for cost with range, interval, grouping, source and csv filters', () => {
    const filters = { ...createEmptyFilters(), waba: ['1', '2'], category: ['marketing', 'utility'] };
    const [r, ...rest] = buildRequests(q({ filters, groupBy: ['category', 'country'], source: 'meta', interval: 'hour' }), RANGE, OPTS);
    expect(rest).toEqual([]);
    expect(r?.role).toBe('main');
    expect(r?.path).toBe('/api/v1/usage');
    expect(params(r!.search)).toEqual({
      from: String(RANGE.fromMs),
      to: String(RANGE.toMs),
      waba: '1,2',
      category: 'marketing,utility',
      interval: 'hour',
      by: 'category,country',
      source: 'meta',
    });
    // the connector's own schema accepts what we send
    expect(usageQuery.safeParse(params(r!.search)).success).toBe(true);
  });

  it('adds the previous period of equal length when comparing', () => {
    const reqs = buildRequests(q({ kind: 'messages', compare: 'previous_period' }), RANGE, OPTS);
    expect(reqs.map((r) => r.role)).toEqual(['main', 'previous']);
    const prev = params(reqs[1]!.search);
    expect(Number(prev.to)).toBe(RANGE.fromMs);
    expect(Number(prev.from)).toBe(RANGE.fromMs - (RANGE.toMs - RANGE.fromMs));
  });

  it('routes billing metrics: unique contacts to /contacts, billed units to /usage', () => {
    expect(buildRequests(q({ kind: 'billing', metric: 'unique_contacts' }), RANGE, OPTS)[0]?.path).toBe('/api/v1/contacts');
    expect(buildRequests(q({ kind: 'billing', metric: 'billed_units' }), RANGE, OPTS)[0]?.path).toBe('/api/v1/usage');
  });

  it('asks /calls and refuses a grouping calls do not have', () => {
    const [r] = buildRequests(q({ kind: 'calls', groupBy: ['direction'] }), RANGE, OPTS);
    expect(r?.path).toBe('/api/v1/calls');
    expect(params(r!.search).by).toBe('direction');
    expect(fieldOf(() => buildRequests(q({ kind: 'calls', groupBy: ['category'] }), RANGE, OPTS))).toBe('groupBy');
  });

  it('keeps only category/waba grouping for reconciliation', () => {
    const [r] = buildRequests(q({ kind: 'reconciliation', groupBy: ['country', 'category'] }), RANGE, OPTS);
    expect(r?.path).toBe('/api/v1/reconciliation');
    expect(params(r!.search).by).toBe('category');
  });

  it('asks for the monthly reconciliation with the WABA filter only when the view is per month', () => {
    const query = q({ kind: 'reconciliation', interval: 'month', groupBy: ['category'] });
    query.filters = { ...query.filters, waba: ['W1', 'W2'], category: ['marketing'], country: ['BR'] };
    const [r] = buildRequests(query, RANGE, OPTS);
    expect(r?.path).toBe('/api/v1/reconciliation');
    expect(params(r!.search)).toEqual({ from: String(RANGE.fromMs), to: String(RANGE.toMs), waba: 'W1,W2', interval: 'month' });
  });

  it('asks for whole local days from history before the month up to today for projection', () => {
    // 2026-03-15 12:00 UTC is 09:00 in Sao Paulo
    const [r] = buildRequests(q({ kind: 'projection', band: true }), RANGE, { ...OPTS, historyDays: 28 });
    expect(params(r!.search)).toMatchObject({ from: '2026-02-01', to: '2026-03-15', interval: 'day', source: 'estimate' });
    expect(params(r!.search).by).toBeUndefined();
  });

  it('uses the WABA-local month for tiers (00:30 UTC on April 1st is still March in Sao Paulo)', () => {
    const [r] = buildRequests(q({ kind: 'tiers' }), { fromMs: 0, toMs: Date.UTC(2026, 3, 1, 0, 30) }, OPTS);
    expect(r?.path).toBe('/api/v1/tiers');
    expect(params(r!.search)).toEqual({ month: '2026-03' });
  });

  it('fetches totals and per-group units for allocation', () => {
    const reqs = buildRequests(q({ kind: 'allocation', source: 'meta', groupBy: ['category', 'phone'] }), RANGE, OPTS);
    expect(reqs.map((r) => [r.role, params(r.search).by, params(r.search).source])).toEqual([
      ['totals', 'market,category', 'meta'],
      ['units', 'phone,market,category', 'estimate'],
    ]);
    expect(allocationDimension([])).toBe('group');
  });

  it('names the query field when a value is wrong after interpolation', () => {
    const filters = { ...createEmptyFilters(), category: ['marketting'] };
    expect(fieldOf(() => buildRequests(q({ filters }), RANGE, OPTS))).toBe('filters.category');
    const dir = { ...createEmptyFilters(), direction: ['sideways'] };
    expect(fieldOf(() => buildRequests(q({ filters: dir }), RANGE, OPTS))).toBe('filters.direction');
    expect(fieldOf(() => buildRequests(q({}), { fromMs: 10, toMs: 5 }, OPTS))).toBe('range.to');
    expect(fieldOf(() => buildRequests(q({}), { fromMs: NaN, toMs: 5 }, OPTS))).toBe('range.from');
  });
});
