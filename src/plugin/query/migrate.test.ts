import { InputError } from '@core';
import { migrateQuery } from './migrate';
import { createDefaultQuery } from './defaults';

// A query as an early dashboard stored it: no schemaVersion, kind in queryType, csv filters, `by`.
const OLD_QUERY = Object.freeze({
  refId: 'A',
  queryType: 'messages',
  waba: '111, 222',
  category: 'marketing',
  by: 'category,country',
  interval: 'hour',
  datasource: { type: 'waspend-whatsapp-datasource', uid: 'abc' },
});

describe('migrateQuery', () => {
  it('brings an unversioned query to schemaVersion 1', () => {
    const q = migrateQuery(OLD_QUERY);
    expect(q).toEqual({
      refId: 'A',
      queryType: 'messages',
      schemaVersion: 1,
      kind: 'messages',
      filters: { waba: ['111', '222'], phone: [], country: [], category: ['marketing'], pricingType: [], direction: [], group: [] },
      groupBy: ['category', 'country'],
      source: 'estimate',
      interval: 'hour',
      datasource: { type: 'waspend-whatsapp-datasource', uid: 'abc' },
    });
  });

  it('does not mutate the stored query', () => {
    const copy = JSON.parse(JSON.stringify(OLD_QUERY));
    migrateQuery(copy);
    expect(copy).toEqual(JSON.parse(JSON.stringify(OLD_QUERY)));
  });

  it('defaults the kind to cost when the old query had none', () => {
    expect(migrateQuery({ refId: 'A' }).kind).toBe('cost');
  });

  it('leaves a current query as it is', () => {
    const q = { ...createDefaultQuery(), kind: 'calls' as const, compare: 'previous_period' as const };
    expect(migrateQuery(q)).toEqual(q);
  });

  it('still validates after migrating, naming the field', () => {
    expect(() => migrateQuery({ refId: 'A', queryType: 'cost', by: 'category,shoe' })).toThrow(/^groupBy\[1\]:/);
    expect(() => migrateQuery(undefined)).toThrow(InputError);
  });
});
