import { InputError } from '../errors';
import { currenciesOf, currencyOn, parseCurrencySchedule } from './currency-schedule';

describe('currencyOn: a WABA billed in USD, migrated to INR on 2026-12-01 (Meta currency migration)', () => {
  const schedule = [
    { from: '2025-01-01', code: 'USD' },
    { from: '2026-12-01', code: 'inr' },
  ];

  test.each([
    ['2024-12-31', null], // before the first entry: no currency known
    ['2025-01-01', 'USD'],
    ['2026-11-30', 'USD'],
    ['2026-12-01', 'INR'],
    ['2027-06-30', 'INR'],
  ])('%s -> %s', (day, code) => {
    expect(currencyOn(schedule, day)).toBe(code);
  });

  test('a plain string is one currency from the beginning of time; parsed periods parse again', () => {
    expect(currencyOn('brl', '2020-01-01')).toBe('BRL');
    const periods = parseCurrencySchedule('EUR');
    expect(periods).toEqual([{ from: '', code: 'EUR' }]);
    expect(currencyOn(periods, '1999-12-31')).toBe('EUR');
    expect(parseCurrencySchedule(parseCurrencySchedule(schedule))).toEqual([
      { from: '2025-01-01', code: 'USD' },
      { from: '2026-12-01', code: 'INR' },
    ]);
    // '' (the beginning of time) only as the first entry: later it is no day at all (not merely out of order).
    expect(() =>
      parseCurrencySchedule([
        { from: '2025-01-01', code: 'USD' },
        { from: '', code: 'INR' },
      ]),
    ).toThrow('currency[1].from: "" is not a date in YYYY-MM-DD form');
  });

  test('the month of a switch uses both currencies; YAML dates are taken as their calendar day', () => {
    expect(currenciesOf(schedule)).toEqual(['USD', 'INR']);
    expect(parseCurrencySchedule([{ from: new Date('2026-12-01T00:00:00Z'), code: 'INR' }])).toEqual([{ from: '2026-12-01', code: 'INR' }]);
  });

  test.each([
    [[], /^currency: \[\] must be a currency code or a non-empty list/],
    ['US', /^currency: "US" is not an ISO 4217/],
    [
      [
        { from: '2026-12-01', code: 'INR' },
        { from: '2025-01-01', code: 'USD' },
      ],
      /^currency\[1\]\.from: "2025-01-01" must be after 2026-12-01/,
    ],
    [
      [
        { from: '2026-12-01', code: 'INR' },
        { from: '2026-12-01', code: 'USD' },
      ],
      /^currency\[1\]\.from: "2026-12-01" repeats the day/,
    ],
    [[{ from: '2026-13-01', code: 'INR' }], /^currency\[0\]\.from/],
    [[{ from: '2026-12-01', code: 'RUPEE' }], /^currency\[0\]\.code/],
    [[{ code: 'INR' }], /^currency\[0\]\.from/],
    [['INR'], /^currency\[0\]/],
  ])('bad schedule %j is an InputError naming the field', (value, message) => {
    expect(() => parseCurrencySchedule(value)).toThrow(InputError);
    expect(() => parseCurrencySchedule(value)).toThrow(message);
  });

  test('the field name is the caller’s', () => {
    expect(() => currencyOn([{ from: '2026-12-01', code: 'XX' }], '2026-12-02', 'wabas[0].currency')).toThrow(
      /^wabas\[0\]\.currency\[0\]\.code/,
    );
  });
});
