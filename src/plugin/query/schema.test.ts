import { InputError } from '@core';
import { parseQuery } from './schema';
import { createDefaultQuery } from './defaults';

describe('parseQuery', () => {
  it('accepts the default query unchanged', () => {
    const q = createDefaultQuery('B');
    expect(parseQuery(q)).toEqual(q);
  });

  it('fills defaults for optional parts and kind-specific fields', () => {
    const q = parseQuery({ refId: 'A', schemaVersion: 1, kind: 'billing' });
    expect(q).toMatchObject({ kind: 'billing', metric: 'billed_units', source: 'estimate', interval: 'day', groupBy: [] });
    expect(q.filters.category).toEqual([]);
    const p = parseQuery({ refId: 'A', schemaVersion: 1, kind: 'projection' });
    expect(p).toMatchObject({ kind: 'projection', band: true });
  });

  it('keeps template variables in filters and Grafana-owned fields', () => {
    const q = parseQuery({
      ...createDefaultQuery(),
      filters: { waba: ['$waba'], category: ['${cat:csv}'] },
      hide: true,
      datasource: { uid: 'x' },
    });
    expect(q.filters.waba).toEqual(['$waba']);
    expect(q.filters.category).toEqual(['${cat:csv}']);
    expect(q.hide).toBe(true);
    expect(q.datasource).toEqual({ uid: 'x' });
  });

  it.each([
    [{ ...createDefaultQuery(), kind: 'bogus' }, 'kind'],
    [{ ...createDefaultQuery(), groupBy: ['category', 'colour'] }, 'groupBy[1]'],
    [{ ...createDefaultQuery(), source: 'guess' }, 'source'],
    [{ ...createDefaultQuery(), interval: 'week' }, 'interval'],
    [{ ...createDefaultQuery(), compare: 'last_year' }, 'compare'],
    [{ ...createDefaultQuery(), schemaVersion: 2 }, 'schemaVersion'],
    [{ ...createDefaultQuery(), filters: { waba: ['1', 2] } }, 'filters.waba[1]'],
    [{ ...createDefaultQuery(), refId: undefined }, 'refId'],
  ])('names the offending field (%#)', (raw, field) => {
    let err: unknown;
    try {
      parseQuery(raw);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).field).toBe(field);
    expect((err as InputError).message.startsWith(`${field}:`)).toBe(true);
  });

  it('rejects a non-object with a clear error instead of crashing', () => {
    expect(() => parseQuery(null)).toThrow(InputError);
    expect(() => parseQuery('cost')).toThrow(InputError);
  });
});
