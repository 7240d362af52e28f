import type { DataFrame } from '@grafana/data';
import { runQuery, type FetchJson } from '../query/run-query';
import { queryDisplayText } from '../query/display-text';
import { createDefaultQuery } from '../query/defaults';
import { withKind } from '../components/query-edit';
import { whatIfDays } from './what-if';

// Invented EUR prices (not Meta's): the card in force and next quarter's file, rates and tiers under one name.
const card = (effectiveFrom: string, marketing: string, utility: string) => ({
  currency: 'EUR',
  effectiveFrom,
  unit: 'message',
  rates: { Germany: { marketing, utility } },
});
const tiers = (effectiveFrom: string, first: string, rest: string) => ({
  currency: 'EUR',
  effectiveFrom,
  tiers: {
    Germany: {
      utility: [
        { lower: 0, upper: 3, rate: first },
        { lower: 4, upper: null, rate: rest },
      ],
    },
  },
});
const BOOK = {
  version: 1,
  rateCards: [card('2026-10-01', '0.1365', '0.0550')],
  tierTables: [tiers('2026-10-01', '0.0550', '0.0400')],
  callRateCards: [],
};
const NEXT = {
  version: 1,
  rateCards: [card('2027-01-01', '0.1500', '0.0500')],
  tierTables: [tiers('2027-01-01', '0.0500', '0.0350')],
  callRateCards: [],
};
const NOV_START_BERLIN = Date.UTC(2026, 9, 31, 23);

function connector(): { fetchJson: FetchJson; asked: string[] } {
  const asked: string[] = [];
  const fetchJson: FetchJson = async (path, search) => {
    asked.push(search ? `${path}?${search}` : path);
    switch (path) {
      case '/api/v1/pricing-input':
        // The kind asks for the compact form; the same two rows as `row` gives them, each text once in `values`.
        if (!new URLSearchParams(search).has('format', 'columns')) throw new Error('the what-if kind asks for format=columns');
        return {
          columns: [
            'day',
            'time',
            'wabaId',
            'portfolioId',
            'currency',
            'market',
            'category',
            'pricingType',
            'pricingModel',
            'units',
            'dims.direction',
          ],
          rows: [
            [0, Date.UTC(2026, 10, 1, 23), 1, 2, 3, 4, 5, 6, 7, 2, 8],
            [0, Date.UTC(2026, 10, 1, 23), 1, 2, 3, 4, 9, 6, 7, 4, 10],
          ],
          values: [
            '2026-11-02',
            'W',
            'P',
            'EUR',
            'Germany',
            'marketing',
            'regular',
            'PMP',
            'business_initiated',
            'service',
            'user_initiated',
          ],
          priorUnits: [],
        };
      case '/api/v1/price-book':
        return { priceBook: BOOK };
      case '/api/v1/wabas':
        return { items: [{ id: 'W', name: 'Berlin', timezone: 'Europe/Berlin', currency: 'EUR', portfolio: 'P' }] };
      case '/api/v1/price-files':
        return {
          items: [
            { name: 'eur-q4.csv', kind: 'rates', currency: 'EUR', effectiveFrom: '2026-10-01', importedAt: 1 },
            { name: 'eur-next.csv', kind: 'rates', currency: 'EUR', effectiveFrom: '2027-01-01', importedAt: 2 },
            { name: 'eur-next.csv', kind: 'tiers', currency: 'EUR', effectiveFrom: '2027-01-01', importedAt: 3 },
          ],
        };
      case '/api/v1/price-files/eur-next.csv':
        return {
          items: [
            { name: 'eur-next.csv', kind: 'rates', currency: 'EUR', effectiveFrom: '2027-01-01', importedAt: 2 },
            { name: 'eur-next.csv', kind: 'tiers', currency: 'EUR', effectiveFrom: '2027-01-01', importedAt: 3 },
          ],
          priceBook: NEXT,
        };
    }
    throw new Error(`unexpected ${path}`);
  };
  return { fetchJson, asked };
}

const VARS: Record<string, string> = { $card: 'eur-next.csv', $share: '50', '${name}': 'Both' };
const replace = (text: string) => Object.entries(VARS).reduce((t, [k, v]) => t.split(k).join(v), text);
const values = (f: DataFrame) => Object.fromEntries(f.fields.map((x) => [x.config.displayNameFromDS ?? x.name, [...x.values]]));

describe('what_if through runQuery', () => {
  const stored = {
    ...withKind(createDefaultQuery('A'), 'what_if'),
    groupBy: [],
    interval: 'month',
    period: 'previous_month',
    scenarioName: '${name}',
    priceFiles: '$card',
    moveShare: '$share',
    moveTo: 'utility',
  };

  it('last month under a price file chosen by variable, with half of service moved: requests and figures by hand', async () => {
    const { fetchJson, asked } = connector();
    // Panel range in December (Berlin): last month is November, whole WABA-local days.
    const range = { fromMs: Date.UTC(2026, 11, 1), toMs: Date.UTC(2026, 11, 10, 12) };
    const frames = await runQuery(stored, range, { fetchJson, replace, timeZone: 'Europe/Berlin', signal: new AbortController().signal });
    expect(asked.sort()).toEqual(
      [
        '/api/v1/pricing-input?from=2026-11-01&to=2026-11-30&format=columns',
        '/api/v1/price-book',
        '/api/v1/wabas',
        '/api/v1/price-files',
        '/api/v1/price-files/eur-next.csv',
      ].sort(),
    );
    expect(frames).toHaveLength(1);
    // Actual: marketing 2 x 0.1365 = 0.2730, service 4 x the utility rate 0.0550 = 0.2200: 0.4930.
    // Scenario: next card; 2 of 4 replies moved to utility templates (month units 1-2, tier 1 at 0.0500)
    // = 0.1000, 2 left x 0.0500 = 0.1000, marketing 2 x 0.1500 = 0.3000: 0.5000. Difference 0.0070.
    expect(values(frames[0]!)).toEqual({ Time: [NOV_START_BERLIN], Actual: [0.493], Both: [0.5], 'Both − actual': [0.007] });
  });

  it('asks for the chosen price file while /pricing-input is still on its way, and prices as before once it lands', async () => {
    const { fetchJson } = connector();
    let release = () => {};
    const held = new Promise<void>((r) => (release = r));
    let fileAsked = () => {};
    const asked = new Promise<void>((r) => (fileAsked = r));
    const slow: FetchJson = async (path, search, signal) => {
      if (path === '/api/v1/pricing-input') await held;
      if (path.startsWith('/api/v1/price-files/')) fileAsked();
      return fetchJson(path, search, signal);
    };
    const range = { fromMs: Date.UTC(2026, 11, 1), toMs: Date.UTC(2026, 11, 10, 12) };
    const done = runQuery(stored, range, { fetchJson: slow, replace, timeZone: 'Europe/Berlin', signal: new AbortController().signal });
    // Asked for only after /pricing-input had landed, the file would never be: this wait would time out.
    await asked;
    release();
    expect(values((await done)[0]!)).toEqual({ Time: [NOV_START_BERLIN], Actual: [0.493], Both: [0.5], 'Both − actual': [0.007] });
  });

  it('without price files nothing but pricing input and the price book is fetched; a bad override names the field', async () => {
    const { fetchJson, asked } = connector();
    const range = { fromMs: Date.UTC(2026, 10, 2), toMs: Date.UTC(2026, 10, 3) };
    const plain = { ...stored, period: 'range', interval: 'day', priceFiles: '', moveShare: '', overrides: 'Germany/marketing -50%' };
    const [frame] = await runQuery(plain, range, { fetchJson, replace, timeZone: 'UTC', signal: new AbortController().signal });
    expect(asked).toEqual([`/api/v1/pricing-input?from=${range.fromMs}&to=${range.toMs}&format=columns`, '/api/v1/price-book']);
    // Marketing halved: 0.2730 / 2 = 0.1365; service unchanged 0.2200.
    expect(values(frame!).Both).toEqual([0.3565]);
    await expect(
      runQuery({ ...plain, overrides: 'Germany marketing' }, range, {
        fetchJson,
        replace,
        timeZone: 'UTC',
        signal: new AbortController().signal,
      }),
    ).rejects.toThrow('overrides');
  });

  it('periods are whole WABA-local days named from the range end; the display text names the scenario', () => {
    const range = { fromMs: Date.UTC(2026, 0, 20), toMs: Date.UTC(2026, 0, 31, 23, 30) };
    expect(whatIfDays('month', range, 'UTC')).toEqual({ from: '2026-01-01', to: '2026-01-31' });
    // 23:30 UTC on Jan 31 is already February 1 in Berlin.
    expect(whatIfDays('month', range, 'Europe/Berlin')).toEqual({ from: '2026-02-01', to: '2026-02-01' });
    expect(whatIfDays('previous_month', range, 'UTC')).toEqual({ from: '2025-12-01', to: '2025-12-31' });
    expect(
      queryDisplayText({
        ...(stored as object),
        filters: { waba: [], phone: [], country: [], category: [], pricingType: [], direction: [], group: [] },
      } as unknown as Parameters<typeof queryDisplayText>[0]),
    ).toBe('What if "${name}" (last month) · per month');
  });
});
