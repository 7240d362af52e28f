import { InputError } from '../errors';
import { inputErrorMessageOf } from '../test-fixtures/input-error-of';
import {
  USD_CALL_RATES_2025_08,
  USD_CONVERSATION_RATES_2023_06,
  USD_RATES_2026_01,
  USD_RATES_2026_04,
  USD_TIERS_2026_01,
  BRL_RATES_2026_07,
} from '../test-fixtures/invented-rate-cards';
import { parseCallRateCsv } from './call-rates';
import {
  addToPriceBook,
  callRateCardInForce,
  emptyPriceBook,
  priceBookCurrencies,
  rateCardInForce,
  tierTableInForce,
  type PriceBook,
} from './price-book';
import { priceBookChanges } from './price-book-changes';
import { priceBookFromJson, priceBookToJson } from './price-book-json';
import { parseRateCardCsv, rateOf } from './rate-card';
import { parseTierCsv } from './tiers';

function buildBook(): PriceBook {
  let book = emptyPriceBook();
  book = addToPriceBook(book, parseRateCardCsv(USD_RATES_2026_04, { effectiveFrom: '2026-04-01' }));
  book = addToPriceBook(book, parseRateCardCsv(USD_RATES_2026_01, { effectiveFrom: '2026-01-01' }));
  book = addToPriceBook(book, parseRateCardCsv(USD_CONVERSATION_RATES_2023_06));
  book = addToPriceBook(book, parseRateCardCsv(BRL_RATES_2026_07, { effectiveFrom: '2026-07-01' }));
  book = addToPriceBook(book, parseTierCsv(USD_TIERS_2026_01, { effectiveFrom: '2026-01-01', currency: 'USD' }));
  book = addToPriceBook(book, parseCallRateCsv(USD_CALL_RATES_2025_08, { effectiveFrom: '2025-08-01', currency: 'USD' }));
  return book;
}

describe('price book', () => {
  test('the card in force is the latest effectiveFrom <= day (a quarter date switches it)', () => {
    const book = buildBook();
    expect(rateCardInForce(book, 'USD', '2026-03-31')?.effectiveFrom).toBe('2026-01-01');
    expect(rateCardInForce(book, 'USD', '2026-04-01')?.effectiveFrom).toBe('2026-04-01');
    expect(rateOf(rateCardInForce(book, 'USD', '2026-03-31')!, 'India', 'marketing')).toBe(11_800n);
    expect(rateOf(rateCardInForce(book, 'USD', '2026-04-01')!, 'India', 'marketing')).toBe(13_100n);
    expect(rateCardInForce(book, 'USD', '2023-05-31')).toBeNull();
    expect(rateCardInForce(book, 'EUR', '2026-04-01')).toBeNull();
    expect(rateCardInForce(book, 'BRL', '2026-06-30')).toBeNull();
  });

  test('a unit filter keeps per-message cards away from conversations', () => {
    const book = buildBook();
    expect(rateCardInForce(book, 'USD', '2026-02-01', 'conversation')?.effectiveFrom).toBe('2023-06-01');
    expect(rateCardInForce(book, 'USD', '2025-06-30', 'message')).toBeNull();
    expect(rateCardInForce(book, 'USD', '2025-06-30')?.unit).toBe('conversation');
  });

  test('tier tables and call rates by date; currencies', () => {
    const book = buildBook();
    expect(tierTableInForce(book, 'USD', '2026-05-01')?.effectiveFrom).toBe('2026-01-01');
    expect(tierTableInForce(book, 'USD', '2025-12-31')).toBeNull();
    expect(callRateCardInForce(book, 'USD', '2025-08-01')?.effectiveFrom).toBe('2025-08-01');
    expect(callRateCardInForce(book, 'USD', '2025-07-31')).toBeNull();
    expect(priceBookCurrencies(book)).toEqual(['BRL', 'USD']);
  });

  test('re-importing the same currency and date replaces the card; books are immutable', () => {
    const book = buildBook();
    const replaced = addToPriceBook(book, parseRateCardCsv(USD_RATES_2026_04, { effectiveFrom: '2026-01-01' }));
    expect(replaced.rateCards).toHaveLength(book.rateCards.length);
    expect(rateOf(rateCardInForce(replaced, 'USD', '2026-02-01')!, 'India', 'marketing')).toBe(13_100n);
    expect(rateOf(rateCardInForce(book, 'USD', '2026-02-01')!, 'India', 'marketing')).toBe(11_800n);
  });

  test('JSON round trip keeps every rate exactly, as decimal strings', () => {
    const book = buildBook();
    const json = priceBookToJson(book);
    const text = JSON.stringify(json);
    expect(text).toContain('"marketing":"0.0118"');
    expect(text).toContain('"upper":null');
    const back = priceBookFromJson(JSON.parse(text));
    expect(back).toEqual(book);
    expect(priceBookToJson(back)).toEqual(json);
  });

  test.each([
    [{ version: 2, rateCards: [], tierTables: [], callRateCards: [] }, /^priceBook\.version: 2 /],
    [
      {
        version: 1,
        rateCards: [{ currency: 'USD', effectiveFrom: '2026-01-01', unit: 'message', rates: { India: { utility: 0.0014 } } }],
        tierTables: [],
        callRateCards: [],
      },
      /^priceBook\.rateCards\.0\.rates\.India\.utility: 0\.0014 /,
    ],
    [
      {
        version: 1,
        rateCards: [],
        tierTables: [{ currency: 'USD', effectiveFrom: '2026-01-01', tiers: { India: { utility: [{ lower: 0, upper: 10, rate: '1' }] } } }],
        callRateCards: [],
      },
      /^priceBook\.tierTables\.0\.tiers\.India\.utility: "0:10" the last tier must have no upper bound/,
    ],
    [
      {
        version: 1,
        rateCards: [{ currency: 'USD', effectiveFrom: '2026-02-30', unit: 'message', rates: {} }],
        tierTables: [],
        callRateCards: [],
      },
      /^priceBook\.rateCards\.0\.effectiveFrom: "2026-02-30"/,
    ],
    ['not a book', /^priceBook: "not a book"/],
  ])('rejects bad JSON naming the path (%#)', (json, message) => {
    expect(() => priceBookFromJson(json)).toThrow(InputError);
    expect(() => priceBookFromJson(json)).toThrow(message);
  });

  test('priceBookChanges gives dated events that name what changed', () => {
    const events = priceBookChanges(buildBook());
    expect(events.map((e) => `${e.day} ${e.kind} ${e.currency}`)).toEqual([
      '2023-06-01 rate_card USD',
      '2025-08-01 call_rates USD',
      '2026-01-01 rate_card USD',
      '2026-01-01 tier_table USD',
      '2026-04-01 rate_card USD',
      '2026-07-01 rate_card BRL',
    ]);
    const april = events[4]!;
    expect(april.title).toBe('USD rate card (per message) from 2026-04-01');
    expect(april.changes).toEqual([
      { market: 'Brazil', column: 'authentication', from: '0.0068', to: '0.0072' },
      { market: 'Brazil', column: 'utility', from: '0.0068', to: '0.0072' },
      { market: 'India', column: 'marketing', from: '0.0118', to: '0.0131' },
    ]);
    expect(april.text).toBe(
      '3 rates changed: Brazil authentication 0.0068 → 0.0072; Brazil utility 0.0068 → 0.0072; India marketing 0.0118 → 0.0131',
    );
    // USD_RATES_2026_01 publishes 3 + 3 + 4 + 3 + 4 + 4 rates (Argentina .. Other; n/a cells are none).
    expect(events[2]!.text).toBe('first entry of this kind (21 rates)');
  });
});

describe('price book slots and order', () => {
  const perMessage = (currency: string, effectiveFrom: string) =>
    parseRateCardCsv(`Cost per message in ${currency}\nMarket,Currency,Marketing\nIndia,${currency},0.01`, { effectiveFrom });

  test('cards of two currencies on one day, and of two units in one currency on one day, are all kept', () => {
    let book = addToPriceBook(emptyPriceBook(), perMessage('USD', '2026-07-01'));
    book = addToPriceBook(book, perMessage('BRL', '2026-07-01'));
    book = addToPriceBook(book, { ...perMessage('USD', '2026-07-01'), unit: 'conversation' });
    expect(book.rateCards.map((c) => `${c.currency} ${c.unit}`)).toEqual(['BRL message', 'USD message', 'USD conversation']);
    expect(rateCardInForce(book, 'USD', '2026-07-01', 'message')?.unit).toBe('message');
    expect(rateCardInForce(book, 'USD', '2026-07-01', 'conversation')?.unit).toBe('conversation');
  });

  test('an entry with a date that is not a day is refused', () => {
    expect(
      inputErrorMessageOf(() => addToPriceBook(emptyPriceBook(), { ...perMessage('USD', '2026-07-01'), effectiveFrom: '2026-02-30' })),
    ).toBe('effectiveFrom: "2026-02-30" is not a real calendar date');
  });

  test('each list is kept ordered by currency, then date, whatever the order of adding', () => {
    const tiers = (currency: string, effectiveFrom: string) =>
      parseTierCsv('Market,Category,Lower,Upper,Rate\nIndia,utility,0,,0.01', { effectiveFrom, currency });
    const calls = (currency: string, effectiveFrom: string) =>
      parseCallRateCsv('Market,Lower,Upper,Rate\nIndia,0,,0.01', { effectiveFrom, currency });
    let book = emptyPriceBook();
    for (const [currency, day] of [
      ['USD', '2026-04-01'],
      ['USD', '2026-01-01'],
      ['BRL', '2026-07-01'],
    ] as const) {
      book = addToPriceBook(book, perMessage(currency, day));
      book = addToPriceBook(book, tiers(currency, day));
      book = addToPriceBook(book, calls(currency, day));
    }
    const order = ['BRL 2026-07-01', 'USD 2026-01-01', 'USD 2026-04-01'];
    expect(book.rateCards.map((e) => `${e.currency} ${e.effectiveFrom}`)).toEqual(order);
    expect(book.tierTables.map((e) => `${e.currency} ${e.effectiveFrom}`)).toEqual(order);
    expect(book.callRateCards.map((e) => `${e.currency} ${e.effectiveFrom}`)).toEqual(order);
  });

  test('a book built by hand with its cards out of date order still finds the latest card <= day', () => {
    const january = perMessage('USD', '2026-01-01');
    const april = perMessage('USD', '2026-04-01');
    const book: PriceBook = { rateCards: [april, january], tierTables: [], callRateCards: [] };
    expect(rateCardInForce(book, 'USD', '2026-05-01')?.effectiveFrom).toBe('2026-04-01');
    expect(rateCardInForce(book, 'USD', '2026-03-31')?.effectiveFrom).toBe('2026-01-01');
  });

  test('priceBookCurrencies is sorted across the kinds of entry', () => {
    let book = addToPriceBook(emptyPriceBook(), perMessage('USD', '2026-01-01'));
    book = addToPriceBook(
      book,
      parseTierCsv('Market,Category,Lower,Upper,Rate\nIndia,utility,0,,0.01', { effectiveFrom: '2026-01-01', currency: 'EUR' }),
    );
    book = addToPriceBook(
      book,
      parseCallRateCsv('Market,Lower,Upper,Rate\nIndia,0,,0.01', { effectiveFrom: '2026-01-01', currency: 'BRL' }),
    );
    expect(priceBookCurrencies(book)).toEqual(['BRL', 'EUR', 'USD']);
  });
});
