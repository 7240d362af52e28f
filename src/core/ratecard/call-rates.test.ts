import { inputErrorMessageOf } from '../test-fixtures/input-error-of';
import { parseCallRateCsv } from './call-rates';

const options = { effectiveFrom: '2025-08-01', currency: 'USD' };
const refusal = (text: string) => inputErrorMessageOf(() => parseCallRateCsv(text, options));

describe('parseCallRateCsv: what a file may look like', () => {
  test('rows in any order: each market ladder is sorted by its lower bound', () => {
    const card = parseCallRateCsv('Market,Lower,Upper,Rate\nIndia,101,,0.008\nIndia,0,100,0.01', options);
    expect(card.tiers.get('India')).toEqual([
      { lowerMinutes: 0, upperMinutes: 100, ratePerMinuteMicros: 10_000n },
      { lowerMinutes: 101, upperMinutes: null, ratePerMinuteMicros: 8_000n },
    ]);
  });

  test('a quoted market name with spaces around it is the market name', () => {
    const card = parseCallRateCsv('Market,Lower,Upper,Rate\n" India ",0,,0.01', options);
    expect([...card.tiers.keys()]).toEqual(['India']);
  });

  test('a Currency column in the expected currency (any case) is accepted', () => {
    const card = parseCallRateCsv('Market,Currency,Lower,Upper,Rate\nIndia,usd,0,,0.01', options);
    expect(card).toMatchObject({ kind: 'call_rates', currency: 'USD', effectiveFrom: '2025-08-01' });
  });
});

describe('parseCallRateCsv refuses, naming line, column and reason', () => {
  test('an effective date that is not a day', () => {
    expect(
      inputErrorMessageOf(() => parseCallRateCsv('Market,Lower,Upper,Rate\nIndia,0,,0.01', { ...options, effectiveFrom: '2025-13-01' })),
    ).toBe('effectiveFrom: "2025-13-01" is not a real calendar date');
  });

  test('an empty file', () => {
    expect(refusal('')).toBe('call-rates.csv: "" is empty');
  });

  test('an empty market cell, and a row too short to reach the Market column', () => {
    expect(refusal('Market,Lower,Upper,Rate\n,0,,0.01')).toBe('call-rates.csv line 2 column "Market": "" is empty');
    expect(refusal('Lower,Upper,Rate,Market\n0,,0.01')).toBe('call-rates.csv line 2 column "Market": "" is empty');
  });

  test('a currency other than the card currency, and a row too short to reach the Currency column', () => {
    expect(refusal('Market,Currency,Lower,Upper,Rate\nIndia,EUR,0,,0.01')).toBe(
      'call-rates.csv line 2 column "Currency": "EUR" differs from USD',
    );
    expect(refusal('Market,Lower,Upper,Rate,Currency\nIndia,0,,0.01')).toBe(
      'call-rates.csv line 2 column "Currency": "" is not an ISO 4217 currency code (three letters)',
    );
  });

  test('a tier without a rate', () => {
    expect(refusal('Market,Lower minutes,Upper minutes,Rate per minute\nIndia,0,,n/a')).toBe(
      'call-rates.csv line 2 column "Rate per minute": "n/a" is required',
    );
  });

  test('a header cell with a run of spaces is named with one', () => {
    expect(refusal('Market,Lower   minutes,Upper,Rate\nIndia,x,,0.01')).toBe(
      'call-rates.csv line 2 column "Lower minutes": "x" must be a whole number',
    );
  });

  test('a gap between two tiers of a market', () => {
    expect(refusal('Market,Lower,Upper,Rate\nIndia,0,100,0.01\nIndia,102,,0.008')).toBe(
      `call-rates.csv tiers of India: "102" must start right after the previous tier's upper bound 100`,
    );
  });

  test('a header and no rate rows: the first 80 characters of the file are shown', () => {
    // The header is 59 characters, then "\n" (60) and four ",,,,\n" lines (80): the cut falls after the fourth.
    const text = `Market,Currency,Lower minutes,Upper minutes,Rate per minute\n${',,,,\n'.repeat(8)}`;
    expect(refusal(text)).toBe(
      'call-rates.csv: "Market,Currency,Lower minutes,Upper minutes,Rate per minute\\n,,,,\\n,,,,\\n,,,,\\n,,,,\\n" has no rate rows',
    );
  });
});
