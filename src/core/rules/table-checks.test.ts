// Bad currency schedules and rule tables: each an InputError naming the exact field and reason
// (mutation testing found these checks alive with their messages or conditions changed).
import { inputErrorOf } from '../test-fixtures/input-error-of';
import { currenciesOf, currencyOn, parseCurrencySchedule } from './currency-schedule';
import { assertRuleTable, rulesOn, type PricingRuleRow } from './pricing-rules';

describe('parseCurrencySchedule: bad entries', () => {
  const usd = { from: '2026-01-01', code: 'USD' };
  test.each<[string, unknown, string, string]>([
    ['an entry that is null', [usd, null], 'billing[1]', 'must be { from: YYYY-MM-DD, code }'],
    ['an entry that is a string', [usd, 'INR'], 'billing[1]', 'must be { from: YYYY-MM-DD, code }'],
    ['a from that is a number', [usd, { from: 20261201, code: 'INR' }], 'billing[1].from', 'must be a day in YYYY-MM-DD form'],
    ['a code that is missing', [usd, { from: '2026-12-01' }], 'billing[1].code', 'must be an ISO 4217 currency code'],
    ['two entries on one day', [usd, { from: '2026-01-01', code: 'INR' }], 'billing[1].from', 'repeats the day of billing[0]'],
    [
      'entries out of order',
      [usd, { from: '2025-12-31', code: 'INR' }],
      'billing[1].from',
      'must be after 2026-01-01 (entries sorted by day)',
    ],
    ['the open start not first', [usd, { from: '', code: 'INR' }], 'billing[1].from', 'is not a date in YYYY-MM-DD form'],
    ['a day that is not in the calendar', [usd, { from: '2026-13-01', code: 'INR' }], 'billing[1].from', ''],
    ['a first day that is not in the calendar', [{ from: '2026-13-01', code: 'INR' }], 'billing[0].from', ''],
  ])('%s', (_what, schedule, field, reason) => {
    const got = inputErrorOf(() => parseCurrencySchedule(schedule, 'billing'));
    expect(got?.field).toBe(field);
    if (reason) expect(got?.reason).toBe(reason);
  });

  test('the open start first, a YAML date and a later entry are one schedule', () => {
    expect(
      parseCurrencySchedule(
        [
          { from: '', code: 'usd' },
          { from: new Date('2026-12-01T00:00:00Z'), code: 'INR' },
        ],
        'billing',
      ),
    ).toEqual([
      { from: '', code: 'USD' },
      { from: '2026-12-01', code: 'INR' },
    ]);
  });
});

test('currencyOn and currenciesOf name their own fields by default', () => {
  expect(inputErrorOf(() => currencyOn('USD', '2026-02-30'))?.field).toBe('day');
  expect(inputErrorOf(() => currencyOn([], '2026-02-01'))?.field).toBe('currency');
  expect(inputErrorOf(() => currenciesOf([]))?.field).toBe('currency');
});

describe('assertRuleTable: bad rule tables', () => {
  const source = { title: 'Pricing', url: 'https://developers.facebook.com/docs/whatsapp/pricing', updated: '2026-07-01' };
  const row = (from: string, extra: Partial<PricingRuleRow> = {}): PricingRuleRow =>
    ({ from, what: 'a change', source, set: {}, ...extra }) as PricingRuleRow;

  test.each<[string, unknown, string, string]>([
    ['not an array', { rows: [] }, 'custom', 'must be an array of pricing rule rows'],
    [
      'a row without a source',
      [row('2026-01-01'), row('2026-02-01', { source: undefined as never })],
      'custom[1].source.url',
      'is required: every rule cites its Meta page',
    ],
    [
      'a source without a url',
      [row('2026-01-01', { source: { ...source, url: '' } })],
      'custom[0].source.url',
      'is required: every rule cites its Meta page',
    ],
    [
      'two rows on one day',
      [row('2026-01-01'), row('2026-01-01')],
      'custom[1].from',
      'must be after 2026-01-01 (rows sorted, one per day)',
    ],
    ['rows out of order', [row('2026-03-01'), row('2026-02-01')], 'custom[1].from', 'must be after 2026-03-01 (rows sorted, one per day)'],
    ['a row without a day', [row(undefined as never)], 'custom[0].from', ''],
    ['a row that is null', [null], 'custom[0].from', ''],
  ])('%s', (_what, table, field, reason) => {
    const got = inputErrorOf(() => assertRuleTable(table as PricingRuleRow[], 'custom'));
    expect(got?.field).toBe(field);
    if (reason) expect(got?.reason).toBe(reason);
  });

  test('rulesOn checks a table it has not seen before it folds it', () => {
    expect(inputErrorOf(() => rulesOn('2026-05-01', [row('2026-03-01'), row('2026-02-01')]))?.field).toBe('rules[1].from');
  });
});
