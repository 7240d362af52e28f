import { InputError } from '../errors';
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
    expect(events[2]!.text).toMatch(/^first entries of this kind/);
  });
});
