import { InputError } from '../errors';
import { inputErrorMessageOf } from '../test-fixtures/input-error-of';
import { USD_CALL_RATES_2025_08, USD_TIERS_2026_01 } from '../test-fixtures/invented-rate-cards';
import { parseCallRateCsv } from './call-rates';
import { assertTierLadder, parseTierCsv, tiersOf } from './tiers';

describe('parseTierCsv: Market,Category,Lower,Upper,Rate', () => {
  test('reads ladders per market and column', () => {
    const table = parseTierCsv(USD_TIERS_2026_01, { effectiveFrom: '2026-01-01', currency: 'usd' });
    expect(table.currency).toBe('USD');
    expect(tiersOf(table, 'India', 'utility')).toEqual([
      { lower: 0, upper: 100, rateMicros: 1_400n },
      { lower: 101, upper: 200, rateMicros: 1_200n },
      { lower: 201, upper: null, rateMicros: 1_000n },
    ]);
    expect(tiersOf(table, 'India', 'marketing')).toBeNull();
    expect(tiersOf(table, 'Brazil', 'authentication')).toBeNull();
  });

  test('accepts Meta-style categories, thousands separators and unordered rows', () => {
    const text =
      'Market,Category,Lower,Upper,Rate\nIndia,AUTHENTICATION-INTERNATIONAL,"750,001",,0.02\nIndia,authentication_international,0,"750,000",0.028';
    const table = parseTierCsv(text, { effectiveFrom: '2026-01-01', currency: 'USD' });
    expect(tiersOf(table, 'India', 'authentication_international')?.map((t) => [t.lower, t.upper])).toEqual([
      [0, 750_000],
      [750_001, null],
    ]);
  });

  test.each([
    ['marketing is never tiered', 'India,marketing,0,,0.01', /column "Category": "marketing" has no volume tiers/],
    ['a gap', 'India,utility,0,100,0.01\nIndia,utility,102,,0.009', /tiers of India \/ utility: "102" must start right after/],
    ['an overlap', 'India,utility,0,100,0.01\nIndia,utility,100,,0.009', /must start right after the previous tier's upper bound 100/],
    ['a bounded last tier', 'India,utility,0,100,0.01', /the last tier must have no upper bound/],
    ['a missing rate', 'India,utility,0,,n/a', /line 2 column "Rate": "n\/a" is required for a tier/],
    ['a fractional bound', 'India,utility,0,10.5,0.01\nIndia,utility,11,,0.01', /line 2 column "Upper": "10.5" must be a whole number/],
    ['an unknown category', 'India,promo,0,,0.01', /line 2 column "Category": "promo" unknown pricing category/],
  ])('rejects %s', (_name, rows, message) => {
    const text = `Market,Category,Lower,Upper,Rate\n${rows}`;
    expect(() => parseTierCsv(text, { effectiveFrom: '2026-01-01', currency: 'USD' })).toThrow(InputError);
    expect(() => parseTierCsv(text, { effectiveFrom: '2026-01-01', currency: 'USD' })).toThrow(message);
  });

  test('a Currency column must agree with the table currency', () => {
    const text = 'Market,Currency,Category,Lower,Upper,Rate\nIndia,INR,utility,0,,0.1';
    expect(() => parseTierCsv(text, { effectiveFrom: '2026-01-01', currency: 'USD' })).toThrow(/column "Currency": "INR" differs from USD/);
  });
});

describe('parseTierCsv: bounds and refusals, as the user reads them', () => {
  const options = { effectiveFrom: '2026-01-01', currency: 'USD' };
  const table = (rows: string) => parseTierCsv(`Market,Category,Lower,Upper,Rate\n${rows}`, options);
  const refusal = (text: string) => inputErrorMessageOf(() => parseTierCsv(text, options));

  test('a ladder may start at 1, and a tier may be one unit wide', () => {
    expect(tiersOf(table('India,utility,1,,0.01'), 'India', 'utility')).toEqual([{ lower: 1, upper: null, rateMicros: 10_000n }]);
    expect(tiersOf(table('India,utility,0,0,0.01\nIndia,utility,1,,0.008'), 'India', 'utility')).toEqual([
      { lower: 0, upper: 0, rateMicros: 10_000n },
      { lower: 1, upper: null, rateMicros: 8_000n },
    ]);
  });

  test('a quoted market name with spaces around it, and a Currency column in the table currency', () => {
    expect([...table('" India ",utility,0,,0.01').tiers.keys()]).toEqual(['India']);
    const withCurrency = parseTierCsv('Market,Currency,Category,Lower,Upper,Rate\nIndia,usd,utility,0,,0.01', options);
    expect(tiersOf(withCurrency, 'India', 'utility')).toEqual([{ lower: 0, upper: null, rateMicros: 10_000n }]);
  });

  test.each([
    ['a first tier above 1', 'India,utility,2,,0.01', 'tiers.csv tiers of India / utility: 2 first tier must start at 0 or 1'],
    [
      'a tier after an unbounded one',
      'India,utility,0,,0.01\nIndia,utility,100,,0.008',
      `tiers.csv tiers of India / utility: "100" must start right after the previous tier's upper bound MAX`,
    ],
    // Sorted by lower bound, "1:0" comes first (a stable sort keeps it before "1:"), then "1:" fits after 0.
    [
      'an upper bound below the lower',
      'India,utility,1,0,0.01\nIndia,utility,1,,0.008',
      'tiers.csv tiers of India / utility: "1:0" has upper < lower',
    ],
    ['an empty market cell', ',utility,0,,0.01', 'tiers.csv line 2 column "Market": "" is empty'],
    [
      'marketing, which has no tiers',
      'India,marketing,0,,0.01',
      'tiers.csv line 2 column "Category": "marketing" has no volume tiers; tiered categories are utility, authentication, authentication_international',
    ],
  ])('%s', (_name, rows, message) => {
    expect(refusal(`Market,Category,Lower,Upper,Rate\n${rows}`)).toBe(message);
  });

  test('rows too short to reach the Market, Category or Currency column', () => {
    expect(refusal('Category,Lower,Upper,Rate,Market\nutility,0,,0.01')).toBe('tiers.csv line 2 column "Market": "" is empty');
    expect(refusal('Market,Lower,Upper,Rate,Category\nIndia,0,,0.01')).toBe(
      'tiers.csv line 2 column "Category": "" unknown pricing category; expected one of marketing, marketing_lite, utility, authentication, authentication_international, service, referral_conversion',
    );
    expect(refusal('Market,Category,Lower,Upper,Rate,Currency\nIndia,utility,0,,0.01')).toBe(
      'tiers.csv line 2 column "Currency": "" is not an ISO 4217 currency code (three letters)',
    );
  });

  test('a file: empty, without an Upper column, with a bad effective date, without rows', () => {
    expect(refusal('')).toBe('tiers.csv: "" is empty');
    expect(refusal('Market,Category,Lower,Rate\nIndia,utility,0,0.01')).toBe(
      'tiers.csv line 1: "Market,Category,Lower,Rate" has no "upper" column',
    );
    expect(
      inputErrorMessageOf(() =>
        parseTierCsv('Market,Category,Lower,Upper,Rate\nIndia,utility,0,,0.01', { ...options, effectiveFrom: '2026-02-30' }),
      ),
    ).toBe('effectiveFrom: "2026-02-30" is not a real calendar date');
    // The header is 32 characters, "\n" makes 33, nine ",,,,\n" lines 78, and two commas of the tenth 80.
    expect(refusal(`Market,Category,Lower,Upper,Rate\n${',,,,\n'.repeat(12)}`)).toBe(
      `tiers.csv: "Market,Category,Lower,Upper,Rate\\n${',,,,\\n'.repeat(9)},," has no tier rows`,
    );
  });

  test('assertTierLadder on its own: upper below lower is named before the unbounded-last rule', () => {
    expect(
      inputErrorMessageOf(() =>
        assertTierLadder(
          [
            { lower: 0, upper: 10 },
            { lower: 11, upper: 5 },
          ],
          'f',
        ),
      ),
    ).toBe('f: "11:5" has upper < lower');
  });
});

describe('parseCallRateCsv: Market,Currency,Lower minutes,Upper minutes,Rate per minute', () => {
  test('reads minute tiers per market', () => {
    const card = parseCallRateCsv(USD_CALL_RATES_2025_08, { effectiveFrom: '2025-08-01', currency: 'USD' });
    expect(card.tiers.get('India')).toEqual([
      { lowerMinutes: 0, upperMinutes: 50_000, ratePerMinuteMicros: 12_000n },
      { lowerMinutes: 50_001, upperMinutes: 250_000, ratePerMinuteMicros: 10_000n },
      { lowerMinutes: 250_001, upperMinutes: null, ratePerMinuteMicros: 8_000n },
    ]);
    expect(card.tiers.get('Brazil')).toEqual([{ lowerMinutes: 0, upperMinutes: null, ratePerMinuteMicros: 30_000n }]);
  });

  test('short headers work and errors name line and column', () => {
    expect(parseCallRateCsv('Market,Lower,Upper,Rate\nIndia,0,MAX,0.01', { effectiveFrom: '2025-08-01', currency: 'USD' }).tiers.size).toBe(
      1,
    );
    expect(() => parseCallRateCsv('Market,Lower,Upper,Rate\nIndia,0,MAX,ten', { effectiveFrom: '2025-08-01', currency: 'USD' })).toThrow(
      /call-rates.csv line 2 column "Rate": "ten" is not a decimal number/,
    );
    expect(() => parseCallRateCsv('Market,Lower,Rate\nIndia,0,0.01', { effectiveFrom: '2025-08-01', currency: 'USD' })).toThrow(
      /has no "upper" column/,
    );
  });
});
