import { InputError } from '../errors';
import { inputErrorMessageOf } from '../test-fixtures/input-error-of';
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

describe('parseRateCardCsv: the preamble, read as written', () => {
  const rows = `${header('Authentication-International')}\nIndia,USD,0.0118,0.0014,0.0014,0.0280,n/a`;

  test.each([
    ['Cost per  message in USD', 'message'],
    ['Cost per  conversation in USD', 'conversation'],
  ])('the unit from %j', (preamble, unit) => {
    expect(parseRateCardCsv(`${preamble}\n${rows}`, { effectiveFrom: '2026-01-01' }).unit).toBe(unit);
  });

  test.each([
    ['effective  June 1, 2023', '2023-06-01'],
    ['effective June  1, 2023', '2023-06-01'],
    ['effective June 15, 2023', '2023-06-15'],
    ['effective June 1 2023', '2023-06-01'],
    ['effective June 1,  2023', '2023-06-01'],
  ])('the effective date from "Cost per conversation in USD, %s"', (effective, day) => {
    // Quoted, so the commas stay inside the one preamble cell.
    const card = parseRateCardCsv(`"Cost per conversation in USD, ${effective}"\n${rows}`);
    expect(card.effectiveFrom).toBe(day);
    expect(card.title).toBe(`Cost per conversation in USD, ${effective}`);
  });

  test('a month name that is not a month leaves the date to the caller', () => {
    expect(inputErrorMessageOf(() => parseRateCardCsv(`"Cost per conversation in USD, effective Juno 1, 2023"\n${rows}`))).toBe(
      'effectiveFrom: (missing) is required (YYYY-MM-DD) when the preamble names no effective date',
    );
  });

  test('a quoted preamble with spaces and empty cells after it, and a preamble of two lines', () => {
    expect(parseRateCardCsv(`" Cost per message in USD ",,,,\n${rows}`, { effectiveFrom: '2026-01-01' }).title).toBe(
      'Cost per message in USD',
    );
    const twoLines = parseRateCardCsv(`Cost per conversation in USD\n"effective June 1, 2023"\n${rows}`);
    expect(twoLines.title).toBe('Cost per conversation in USD effective June 1, 2023');
    expect(twoLines.effectiveFrom).toBe('2023-06-01');
  });

  test('no preamble: the header may be the first line; the unit must then be given, and the card has no title', () => {
    const card = parseRateCardCsv('Market,Currency,Marketing\nIndia,USD,0.0118', { effectiveFrom: '2026-01-01', unit: 'message' });
    expect(card).toStrictEqual({
      kind: 'rate_card',
      currency: 'USD',
      effectiveFrom: '2026-01-01',
      unit: 'message',
      rates: new Map([['India', { marketing: 11_800n }]]),
    });
    expect(
      inputErrorMessageOf(() => parseRateCardCsv('Market,Currency,Marketing\nIndia,USD,0.0118', { effectiveFrom: '2026-01-01' })),
    ).toBe(
      'unit: "(no preamble)" cannot be read from the preamble ("Cost per message ..." or "Cost per conversation ..."); pass it explicitly',
    );
  });

  test('a quoted "Market" header cell with spaces is the header', () => {
    const card = parseRateCardCsv('Cost per message in USD\n" Market ",Currency,Marketing\n" India ",USD,0.0118', {
      effectiveFrom: '2026-01-01',
    });
    expect([...card.rates]).toEqual([['India', { marketing: 11_800n }]]);
  });
});

describe('parseRateCardCsv refuses, naming line, column and value', () => {
  const options = { effectiveFrom: '2026-01-01' };
  const refusal = (text: string, opts: Parameters<typeof parseRateCardCsv>[1] = options) =>
    inputErrorMessageOf(() => parseRateCardCsv(text, opts));

  test('no header row: the first 80 characters of the file are shown', () => {
    // 23 characters of preamble and "\n" (24), the India row and "\n" (41 + 1: 66), then 14 of the Brazil row.
    const text = 'Cost per message in USD\nIndia,USD,0.0118,0.0014,0.0014,0.0280,n/a\nBrazil,USD,0.0625,0.0068,0.0068,n/a,n/a\n';
    expect(refusal(text)).toBe(
      'rates.csv: "Cost per message in USD\\nIndia,USD,0.0118,0.0014,0.0014,0.0280,n/a\\nBrazil,USD,0.0" has no header row starting with "Market"',
    );
  });

  test('a header without a rate column', () => {
    expect(refusal('Cost per message in USD\nMarket,Currency\nIndia,USD')).toBe('rates.csv line 2: "Market,Currency" has no rate columns');
  });

  test('an empty market cell', () => {
    expect(refusal(`Cost per message in USD\n${header('Authentication-International')}\n,USD,1,1,1,1,1`)).toBe(
      'rates.csv line 3 column "Market": "" is empty',
    );
  });

  test('a row too short to reach the Currency column', () => {
    expect(refusal('Cost per message in USD\nMarket,Marketing,Currency\nIndia,0.0118')).toBe(
      'rates.csv line 3 column "Currency": "" is not an ISO 4217 currency code (three letters)',
    );
  });

  test('a second currency names the line of the first row, not of the row before it', () => {
    const text = 'Cost per message in USD\nMarket,Currency,Marketing\nIndia,USD,0.01\nBrazil,USD,0.02\nChile,BRL,0.03';
    expect(refusal(text)).toBe('rates.csv line 5 column "Currency": "BRL" differs from USD (line 3); a rate card has one currency');
  });

  test('no Currency column and no expected currency; with one, the card takes it', () => {
    expect(refusal('Cost per message in USD\nMarket,Marketing\nIndia,0.0118')).toBe(
      'currency: (missing) is required: rates.csv has no Currency column',
    );
    expect(parseRateCardCsv('Cost per message in USD\nMarket,Marketing\nIndia,0.0118', { ...options, currency: 'usd' }).currency).toBe(
      'USD',
    );
  });

  test('a header and no market rows', () => {
    expect(refusal('Cost per message in USD\nMarket,Currency,Marketing', { ...options, currency: 'USD' })).toBe(
      'rates.csv: "Cost per message in USD" has a header but no market rows',
    );
  });

  test('a preamble naming another currency after two spaces', () => {
    expect(refusal('Cost per message in  BRL\nMarket,Currency,Marketing\nIndia,USD,0.0118')).toBe(
      'rates.csv preamble: "Cost per message in  BRL" names BRL but the rows are in USD',
    );
  });
});
