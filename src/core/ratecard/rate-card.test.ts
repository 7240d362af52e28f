import { InputError } from '../errors';
import { BRL_RATES_2026_07, USD_CONVERSATION_RATES_2023_06, USD_RATES_2026_01 } from '../test-fixtures/invented-rate-cards';
import { parseRateCardCsv, rateOf } from './rate-card';

const header = (authIntl: string) => `Market,Currency,Marketing,Utility,Authentication,${authIntl},Service`;

describe("parseRateCardCsv: Meta's Rates CSV", () => {
  test('a per-message card: preamble, line break inside the header, n/a cells, CRLF', () => {
    const card = parseRateCardCsv(USD_RATES_2026_01, { effectiveFrom: '2026-01-01' });
    expect(card).toMatchObject({
      kind: 'rate_card',
      currency: 'USD',
      unit: 'message',
      effectiveFrom: '2026-01-01',
      title: 'Cost per message in USD',
    });
    expect(card.rates.size).toBe(6);
    expect(rateOf(card, 'India', 'authentication_international')).toBe(28_000n);
    expect(rateOf(card, 'Brazil', 'utility')).toBe(6_800n);
    expect(rateOf(card, 'Brazil', 'authentication_international')).toBeNull();
    expect(rateOf(card, 'India', 'service')).toBeNull();
    expect(rateOf(card, 'Atlantis', 'marketing')).toBeNull();
  });

  test('a CBP card: unit and effective date read from the dated preamble', () => {
    const card = parseRateCardCsv(USD_CONVERSATION_RATES_2023_06);
    expect(card).toMatchObject({ unit: 'conversation', effectiveFrom: '2023-06-01', currency: 'USD' });
    expect(rateOf(card, 'Other', 'service')).toBe(14_500n);
    expect(parseRateCardCsv(USD_CONVERSATION_RATES_2023_06, { effectiveFrom: '2023-07-01', unit: 'message' })).toMatchObject({
      unit: 'message',
      effectiveFrom: '2023-07-01',
    });
  });

  test('currency comes from the Currency column', () => {
    expect(parseRateCardCsv(BRL_RATES_2026_07, { effectiveFrom: '2026-07-01' }).currency).toBe('BRL');
  });

  test.each([
    '"Authentication-\nInternational"',
    '"Authentication-\r\nInternational"',
    'Authentication-International',
    'Authentication International',
    'authentication_international',
  ])('auth-international header spelled %j', (cell) => {
    const text = `Cost per message in USD\n${header(cell)}\nIndia,USD,0.0118,0.0014,0.0014,0.0280,n/a\n`;
    expect(rateOf(parseRateCardCsv(text, { effectiveFrom: '2026-01-01' }), 'India', 'authentication_international')).toBe(28_000n);
  });

  const bad: [string, string, RegExp][] = [
    [
      'a second currency',
      `Cost per message in USD\n${header('X')}\nIndia,USD,1,1,1,1,n/a\nBrazil,BRL,1,1,1,1,n/a`.replace(
        ',X,',
        ',Authentication-International,',
      ),
      /line 4 column "Currency": "BRL" differs from USD \(line 3\)/,
    ],
    [
      'a rate that is not a number',
      `Cost per message in USD\n${header('"Authentication-\nInternational"')}\nIndia,USD,0.0118,abc,0.0014,0.0280,n/a`,
      /line 4 column "Utility": "abc" is not a decimal number/,
    ],
    [
      'a negative rate',
      `Cost per message in USD\n${header('Authentication-International')}\nIndia,USD,-0.01,0.0014,0.0014,0.0280,n/a`,
      /line 3 column "Marketing": "-0.01" must not be negative/,
    ],
    [
      'a repeated market',
      `Cost per message in USD\n${header('Authentication-International')}\nIndia,USD,1,1,1,1,1\nIndia,USD,1,1,1,1,1`,
      /line 4 column "Market": "India" repeats line 3/,
    ],
    [
      'an unknown column',
      `Cost per message in USD\nMarket,Currency,Marketing,Carrier pigeon\nIndia,USD,1,1`,
      /column "Carrier pigeon": "Carrier pigeon" is not a known column/,
    ],
    ['no unit in the preamble', `Rates\n${header('Authentication-International')}\nIndia,USD,1,1,1,1,1`, /^unit: "Rates" cannot be read/],
    ['no header row', 'Cost per message in USD\nIndia,USD,1,1,1,1,1', /has no header row starting with "Market"/],
    [
      'a preamble in another currency',
      `Cost per message in BRL\n${header('Authentication-International')}\nIndia,USD,1,1,1,1,1`,
      /preamble: "Cost per message in BRL" names BRL but the rows are in USD/,
    ],
    [
      'more than 6 decimals',
      `Cost per message in USD\n${header('Authentication-International')}\nIndia,USD,0.00000001,1,1,1,1`,
      /column "Marketing": "0.00000001" has more than 6 decimal places/,
    ],
    ['an unclosed quote', `Cost per message in USD\n${header('"Authentication-International')}\nIndia,USD,1,1,1,1,1`, /is not valid CSV/],
  ];
  test.each(bad)('rejects %s with an InputError naming where', (_name, text, message) => {
    expect(() => parseRateCardCsv(text, { effectiveFrom: '2026-01-01' })).toThrow(InputError);
    expect(() => parseRateCardCsv(text, { effectiveFrom: '2026-01-01' })).toThrow(message);
  });

  test('an expected currency that the file contradicts', () => {
    expect(() => parseRateCardCsv(BRL_RATES_2026_07, { effectiveFrom: '2026-07-01', currency: 'USD' })).toThrow(
      /line 4 column "Currency": "BRL" differs from USD \(the expected currency\)/,
    );
  });

  test('a PMP card without a date needs effectiveFrom, and it must be a real day', () => {
    expect(() => parseRateCardCsv(USD_RATES_2026_01)).toThrow(/^effectiveFrom: /);
    expect(() => parseRateCardCsv(USD_RATES_2026_01, { effectiveFrom: '2026-02-30' })).toThrow(/^effectiveFrom: /);
  });

  test('free and blank cells', () => {
    const text = `Cost per message in USD\n${header('Authentication-International')}\nIndia,USD,0.0118,,free,N/A,0\n`;
    const card = parseRateCardCsv(text, { effectiveFrom: '2026-01-01' });
    expect(card.rates.get('India')).toEqual({ marketing: 11_800n, authentication: 0n, service: 0n });
  });
});
