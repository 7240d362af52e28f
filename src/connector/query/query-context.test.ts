/** Dated billing currencies as the query layer reads them (query-context.ts). */
import {
  currenciesInMonth,
  currenciesOfWaba,
  currencyOfDay,
  currencyPeriods,
  NO_CURRENCY,
  selectedWabas,
  type QueryContext,
  type WabaInfo,
} from './query-context';

const waba = (id: string, currencies: WabaInfo['currencies']): WabaInfo => ({ id, name: id, timezone: 'UTC', currencies, portfolio: 'P' });

describe('currencies of a WABA', () => {
  const plain = waba('PLAIN', currencyPeriods('USD'));
  // USD from 2026-01-01, EUR from 2026-05-15.
  const dated = waba(
    'DATED',
    currencyPeriods([
      { from: '2026-01-01', code: 'USD' },
      { from: '2026-05-15', code: 'EUR' },
    ]),
  );

  it('a plain code is billed on every day', () => {
    expect(currencyOfDay(plain, '1999-01-01')).toBe('USD');
    expect(currencyOfDay(plain, '2026-06-01')).toBe('USD');
    expect(currenciesOfWaba(plain)).toEqual(['USD']);
  });

  it('a dated schedule: the entry in force on the day; none before the first entry', () => {
    expect(currencyOfDay(dated, '2025-12-31')).toBe(NO_CURRENCY);
    expect(NO_CURRENCY).toBe('XXX');
    expect(currencyOfDay(dated, '2026-05-14')).toBe('USD');
    expect(currencyOfDay(dated, '2026-05-15')).toBe('EUR');
    // Asked again (the per-day cache): the same answers.
    expect(currencyOfDay(dated, '2026-05-14')).toBe('USD');
    expect(currencyOfDay(dated, '2026-05-15')).toBe('EUR');
    expect(currenciesOfWaba(dated)).toEqual(['USD', 'EUR']);
  });

  it('currenciesInMonth: the month’s first day’s currency, then any switched to within the month', () => {
    expect(currenciesInMonth(dated, '2026-04')).toEqual(['USD']);
    expect(currenciesInMonth(dated, '2026-05')).toEqual(['USD', 'EUR']);
    expect(currenciesInMonth(dated, '2026-06')).toEqual(['EUR']);
    expect(currenciesInMonth(plain, '2026-05')).toEqual(['USD']);
    // A switch back to a currency already billed on the 1st adds nothing.
    const back = waba(
      'BACK',
      currencyPeriods([
        { from: '2026-01-01', code: 'USD' },
        { from: '2026-05-01', code: 'EUR' },
        { from: '2026-05-20', code: 'USD' },
        { from: '2026-05-25', code: 'EUR' },
      ]),
    );
    expect(currenciesInMonth(back, '2026-05')).toEqual(['EUR', 'USD']);
  });
});

describe('selectedWabas', () => {
  const ctx = { wabas: new Map(['A', 'B', 'C'].map((id) => [id, waba(id, currencyPeriods('USD'))])) } as unknown as QueryContext;
  it('all when none named, else the named ones in configured order; unknown ids ignored', () => {
    expect(selectedWabas(ctx, []).map((w) => w.id)).toEqual(['A', 'B', 'C']);
    expect(selectedWabas(ctx, ['C', 'GONE', 'A']).map((w) => w.id)).toEqual(['A', 'C']);
  });
});
