import { USD_CALL_RATES_2025_08, USD_TIERS_2026_01, USD_TIERS_2026_04 } from '../test-fixtures/invented-rate-cards';
import { parseCallRateCsv } from './call-rates';
import { addToPriceBook, emptyPriceBook, type PriceBook } from './price-book';
import { priceBookChanges } from './price-book-changes';
import { parseRateCardCsv } from './rate-card';
import { parseTierCsv } from './tiers';

// Every expected text below is written out by hand from the fixture CSVs (rates as decimal strings,
// trailing zeros dropped: 0.0060 -> "0.006").

/** A USD per-message card with one Marketing rate per market ("n/a" = none). */
function marketingCard(effectiveFrom: string, rates: Record<string, string>) {
  const rows = Object.entries(rates).map(([market, rate]) => `${market},USD,${rate}`);
  return parseRateCardCsv(['Cost per message in USD', 'Market,Currency,Marketing', ...rows].join('\n'), { effectiveFrom });
}

function bookOf(...entries: Parameters<typeof addToPriceBook>[1][]): PriceBook {
  return entries.reduce(addToPriceBook, emptyPriceBook());
}

describe('priceBookChanges: volume tiers and call rates', () => {
  const book = bookOf(
    parseTierCsv(USD_TIERS_2026_01, { effectiveFrom: '2026-01-01', currency: 'USD' }),
    parseTierCsv(USD_TIERS_2026_04, { effectiveFrom: '2026-04-01', currency: 'USD' }),
    parseCallRateCsv(USD_CALL_RATES_2025_08, { effectiveFrom: '2025-08-01', currency: 'USD' }),
    parseCallRateCsv(USD_CALL_RATES_2025_08, { effectiveFrom: '2026-01-01', currency: 'USD' }),
  );

  test('each ladder is one change, written "lower:upper=rate" with MAX for no upper bound', () => {
    expect(priceBookChanges(book)).toEqual([
      {
        day: '2025-08-01',
        currency: 'USD',
        kind: 'call_rates',
        title: 'USD call rates from 2025-08-01',
        text: 'first entry of this kind (2 rates)',
        changes: [
          { market: 'Brazil', column: 'calls', from: null, to: '0:MAX=0.03' },
          { market: 'India', column: 'calls', from: null, to: '0:50000=0.012, 50001:250000=0.01, 250001:MAX=0.008' },
        ],
      },
      {
        day: '2026-01-01',
        currency: 'USD',
        kind: 'call_rates',
        title: 'USD call rates from 2026-01-01',
        text: 'no rate changed',
        changes: [],
      },
      {
        day: '2026-01-01',
        currency: 'USD',
        kind: 'tier_table',
        title: 'USD volume tiers from 2026-01-01',
        text: 'first entry of this kind (3 rates)',
        changes: [
          { market: 'Brazil', column: 'utility', from: null, to: '0:50=0.0068, 51:MAX=0.006' },
          { market: 'India', column: 'authentication', from: null, to: '0:100=0.0014, 101:MAX=0.0011' },
          { market: 'India', column: 'utility', from: null, to: '0:100=0.0014, 101:200=0.0012, 201:MAX=0.001' },
        ],
      },
      {
        day: '2026-04-01',
        currency: 'USD',
        kind: 'tier_table',
        title: 'USD volume tiers from 2026-04-01',
        text: '1 rate changed: Brazil utility 0:50=0.0068, 51:MAX=0.006 → 0:50=0.0072, 51:MAX=0.0064',
        changes: [{ market: 'Brazil', column: 'utility', from: '0:50=0.0068, 51:MAX=0.006', to: '0:50=0.0072, 51:MAX=0.0064' }],
      },
    ]);
  });
});

describe('priceBookChanges: the annotation text', () => {
  const seven = (rate: string) => Object.fromEntries(['A', 'B', 'C', 'D', 'E', 'F', 'G'].map((m) => [m, rate]));

  test('a first entry with one rate says "1 rate"', () => {
    expect(priceBookChanges(bookOf(marketingCard('2026-01-01', { A: '0.01' })))[0]?.text).toBe('first entry of this kind (1 rate)');
  });

  test('seven changes: the first five are listed, then "and 2 more"', () => {
    const events = priceBookChanges(bookOf(marketingCard('2026-01-01', seven('0.01')), marketingCard('2026-04-01', seven('0.02'))));
    expect(events.map((e) => e.text)).toEqual([
      'first entry of this kind (7 rates)',
      '7 rates changed: A marketing 0.01 → 0.02; B marketing 0.01 → 0.02; C marketing 0.01 → 0.02; D marketing 0.01 → 0.02; E marketing 0.01 → 0.02; and 2 more',
    ]);
    expect(events[1]?.changes).toHaveLength(7);
  });

  test('exactly five changes are all listed, with no "more"', () => {
    const five = { A: '0.01', B: '0.01', C: '0.01', D: '0.01', E: '0.01' };
    const after = { A: '0.02', B: '0.02', C: '0.02', D: '0.02', E: '0.02' };
    expect(priceBookChanges(bookOf(marketingCard('2026-01-01', five), marketingCard('2026-04-01', after)))[1]?.text).toBe(
      '5 rates changed: A marketing 0.01 → 0.02; B marketing 0.01 → 0.02; C marketing 0.01 → 0.02; D marketing 0.01 → 0.02; E marketing 0.01 → 0.02',
    );
  });

  test('a rate that appears or goes away is shown as n/a on its missing side', () => {
    const events = priceBookChanges(
      bookOf(marketingCard('2026-01-01', { A: '0.01', B: 'n/a' }), marketingCard('2026-04-01', { A: 'n/a', B: '0.02' })),
    );
    expect(events[1]?.changes).toEqual([
      { market: 'A', column: 'marketing', from: '0.01', to: null },
      { market: 'B', column: 'marketing', from: null, to: '0.02' },
    ]);
    expect(events[1]?.text).toBe('2 rates changed: A marketing 0.01 → n/a; B marketing n/a → 0.02');
  });
});
