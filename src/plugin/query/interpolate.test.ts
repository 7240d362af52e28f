import type { ScopedVars } from '@grafana/data';
import { createDefaultQuery } from './defaults';
import { findUnresolvedVariable, interpolateList, interpolateQuery, type ReplaceFn } from './interpolate';

// A small stand-in for TemplateSrv.replace: knows a few variables, formats multi-values as csv,
// and leaves unknown variables as they are (like Grafana does).
const VARS: Record<string, string | string[]> = {
  waba: '111',
  country: ['BR', 'IN'],
  cat: ['marketing', 'utility'],
  everything: '$__all',
};
function makeReplace(calls: Array<[string, string | undefined]>): ReplaceFn {
  return (text, scopedVars, format) => {
    calls.push([text, format]);
    return text.replace(/\$\{(\w+)(?::(\w+))?\}|\$(\w+)/g, (whole, a, fmt, b) => {
      const name = (a ?? b) as string;
      const scoped = scopedVars?.[name]?.value as string | string[] | undefined;
      const v = scoped ?? VARS[name];
      if (v === undefined) return whole;
      const list = Array.isArray(v) ? v : [v];
      const f = fmt ?? format;
      return f === 'csv' ? list.join(',') : `{${list.join(',')}}`;
    });
  };
}

describe('interpolateQuery', () => {
  it('expands multi-value variables into separate filter entries with the csv format', () => {
    const calls: Array<[string, string | undefined]> = [];
    const q = {
      ...createDefaultQuery(),
      filters: { ...createDefaultQuery().filters, waba: ['$waba'], country: ['${country}', 'MX'], category: ['$cat'] },
    };
    const out = interpolateQuery(q, makeReplace(calls));
    expect(out.filters.waba).toEqual(['111']);
    expect(out.filters.country).toEqual(['BR', 'IN', 'MX']);
    expect(out.filters.category).toEqual(['marketing', 'utility']);
    expect(calls.every(([, f]) => f === 'csv')).toBe(true);
    // plain values are not sent through replace at all
    expect(calls.map(([t]) => t)).not.toContain('MX');
    expect(q.filters.waba).toEqual(['$waba']);
  });

  it('uses scoped variables (repeated panels) before dashboard ones', () => {
    const scoped: ScopedVars = { waba: { text: '999', value: '999' } };
    const q = { ...createDefaultQuery(), filters: { ...createDefaultQuery().filters, waba: ['$waba'] } };
    expect(interpolateQuery(q, makeReplace([]), scoped).filters.waba).toEqual(['999']);
  });

  it('treats an All value as no filter and drops duplicates and blanks', () => {
    expect(interpolateList(['BR', '$everything'], makeReplace([]))).toEqual([]);
    expect(interpolateList(['BR', ' BR ', '', '$country'], makeReplace([]))).toEqual(['BR', 'IN']);
  });

  it('reports a variable Grafana could not resolve by its filter field', () => {
    const q = { ...createDefaultQuery(), filters: { ...createDefaultQuery().filters, group: ['$nope'] } };
    const out = interpolateQuery(q, makeReplace([]));
    expect(out.filters.group).toEqual(['$nope']);
    expect(findUnresolvedVariable(out.filters)).toBe('filters.group');
    expect(findUnresolvedVariable(createDefaultQuery().filters)).toBeUndefined();
  });
});
