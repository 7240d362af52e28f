import { inputErrorMessageOf } from '../test-fixtures/input-error-of';
import { priceBookFromJson } from './price-book-json';

const empty = { version: 1, rateCards: [], tierTables: [], callRateCards: [] };
const usdCard = (extra: Record<string, unknown> = {}) => ({
  currency: 'USD',
  effectiveFrom: '2026-01-01',
  unit: 'message',
  rates: { India: { marketing: '0.0118' } },
  ...extra,
});

describe('priceBookFromJson', () => {
  test('an empty or missing title gives a card without a title', () => {
    for (const card of [usdCard({ title: '' }), usdCard()]) {
      expect(priceBookFromJson({ ...empty, rateCards: [card] }).rateCards).toStrictEqual([
        {
          kind: 'rate_card',
          currency: 'USD',
          effectiveFrom: '2026-01-01',
          unit: 'message',
          rates: new Map([['India', { marketing: 11_800n }]]),
        },
      ]);
    }
  });

  test.each([
    [
      'a tier table dated on a day that does not exist',
      { ...empty, tierTables: [{ currency: 'USD', effectiveFrom: '2026-02-30', tiers: {} }] },
      'priceBook.tierTables.0.effectiveFrom: "2026-02-30" is not a real calendar date',
    ],
    [
      'a call rate card dated on a day that does not exist',
      { ...empty, callRateCards: [{ currency: 'USD', effectiveFrom: '2026-02-30', tiers: {} }] },
      'priceBook.callRateCards.0.effectiveFrom: "2026-02-30" is not a real calendar date',
    ],
    [
      'a call rate ladder with a bounded last tier',
      {
        ...empty,
        callRateCards: [
          {
            currency: 'USD',
            effectiveFrom: '2026-01-01',
            tiers: { India: [{ lowerMinutes: 0, upperMinutes: 10, ratePerMinute: '0.01' }] },
          },
        ],
      },
      'priceBook.callRateCards.0.tiers.India: "0:10" the last tier must have no upper bound (empty or MAX)',
    ],
    [
      'two rate cards for one currency, day and unit',
      { ...empty, rateCards: [usdCard(), usdCard({ rates: {} })] },
      'priceBook.rateCards: 2 has two entries for the same currency and effective date',
    ],
  ])('refuses %s, naming the path', (_name, json, message) => {
    expect(inputErrorMessageOf(() => priceBookFromJson(json))).toBe(message);
  });
});
