import { buildAnnotationsRequest, buildListRequest, parseVariableQuery, toAnnotationEvents, toMetricFindValues } from './lookups';

const replace = (text: string) => text.replace('$waba', '111,222');

describe('variable lookups', () => {
  it('parses the short and the object form, naming the bad field', () => {
    expect(parseVariableQuery('phones')).toEqual({ list: 'phones' });
    expect(parseVariableQuery({ list: 'groups', waba: ['$waba'] })).toEqual({ list: 'groups', waba: ['$waba'] });
    expect(() => parseVariableQuery('templates')).toThrow(/^variableQuery\.list:/);
    expect(() => parseVariableQuery({ list: 'phones', waba: '1' })).toThrow(/^variableQuery\.waba:/);
    expect(() => parseVariableQuery(null)).toThrow(/^variableQuery:/);
  });

  it('builds the /lists request with chained WABA variables applied', () => {
    expect(buildListRequest({ list: 'phones', waba: ['$waba'] }, replace)).toEqual({
      role: 'main',
      path: '/api/v1/lists/phones',
      search: 'waba=111%2C222',
    });
    expect(buildListRequest({ list: 'wabas' }, replace).search).toBe('');
  });

  it('maps list items to picker values and rejects a malformed body', () => {
    expect(toMetricFindValues({ items: [{ value: '111', text: 'Acme BR' }] })).toEqual([{ text: 'Acme BR', value: '111' }]);
    expect(() => toMetricFindValues({ items: [{ value: 1 }] })).toThrow(/^lists\.items\[0\]\.value/);
  });
});

describe('annotations', () => {
  it('asks for the range, kinds and WABAs', () => {
    const r = buildAnnotationsRequest({ fromMs: 1, toMs: 2 }, ['rate_card', 'tier'], ['9']);
    expect(r.path).toBe('/api/v1/annotations');
    expect(Object.fromEntries(new URLSearchParams(r.search))).toEqual({ from: '1', to: '2', kind: 'rate_card,tier', waba: '9' });
  });

  it('turns events into time-sorted annotations tagged with their kind', () => {
    const item = (time: number, kind: string, tags: string[]) => ({ time, kind, title: `t${time}`, text: 'x', wabaId: null, tags });
    expect(toAnnotationEvents({ items: [item(5, 'tier', ['tier', 'IN']), item(1, 'rate_card', [])] })).toEqual([
      { time: 1, title: 't1', text: 'x', tags: ['rate_card'] },
      { time: 5, title: 't5', text: 'x', tags: ['tier', 'IN'] },
    ]);
  });
});
