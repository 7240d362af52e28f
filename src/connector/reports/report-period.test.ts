import { summarise } from './report-content';
import { periodKey, reportPeriod } from './report-period';

const at = (iso: string) => Date.parse(iso);

describe('the days a report covers', () => {
  it.each([
    // 23:30 on 30 April in Sao Paulo (UTC-3) is still April there.
    ['last_month', '2026-05-01T02:30:00Z', 'America/Sao_Paulo', '2026-03-01..2026-03-31'],
    // month_to_date holds complete days only: on 04-30 it ends on 04-29.
    ['month_to_date', '2026-05-01T02:30:00Z', 'America/Sao_Paulo', '2026-04-01..2026-04-29'],
    ['last_7_days', '2026-05-01T02:30:00Z', 'America/Sao_Paulo', '2026-04-23..2026-04-29'],
    // 00:30 on 1 May in Kolkata (UTC+5:30) is May there.
    ['last_month', '2026-04-30T19:00:00Z', 'Asia/Kolkata', '2026-04-01..2026-04-30'],
    // On the 1st no day of the month is complete: month_to_date is the whole previous month.
    ['month_to_date', '2026-04-30T19:00:00Z', 'Asia/Kolkata', '2026-04-01..2026-04-30'],
    ['month_to_date', '2026-05-02T12:00:00Z', 'UTC', '2026-05-01..2026-05-01'],
    ['month_to_date', '2027-01-01T12:00:00Z', 'UTC', '2026-12-01..2026-12-31'],
    ['month_to_date', '2028-03-01T12:00:00Z', 'UTC', '2028-02-01..2028-02-29'],
    // January reaches back into December of the year before; a leap February has 29 days.
    ['last_month', '2027-01-01T12:00:00Z', 'UTC', '2026-12-01..2026-12-31'],
    ['last_month', '2028-03-01T12:00:00Z', 'UTC', '2028-02-01..2028-02-29'],
    ['last_1_days', '2026-03-01T00:00:00Z', 'UTC', '2026-02-28..2026-02-28'],
    ['last_30_days', '2026-03-01T00:00:00Z', 'UTC', '2026-01-30..2026-02-28'],
  ])('%s at %s in %s is %s', (range, when, tz, expected) => {
    const m = /^last_(\d+)_days$/.exec(range);
    const r = m ? { kind: 'last_days' as const, days: Number(m[1]) } : { kind: range as 'last_month' | 'month_to_date' };
    expect(periodKey(reportPeriod(r, at(when), tz))).toBe(expected);
  });
});

describe('the summary totals', () => {
  const row = (cost: string | null, currency: string, messages: number, billable: number) => ({
    day: null,
    waba: null,
    phone_number_id: null,
    country: null,
    market: null,
    category: null,
    pricing_type: null,
    messages,
    billable,
    cost,
    currency,
  });

  it('sums cost per currency exactly (micro-units, no float drift, no rounding) and counts unpriced rows', () => {
    const t = summarise([
      row('0.1', 'USD', 1, 1),
      row('0.2', 'USD', 2, 2),
      row('0.000001', 'USD', 1, 1),
      row('123456789.123456', 'INR', 5, 4),
      row('0.000004', 'INR', 1, 1),
      row(null, 'USD', 3, 3),
    ]);
    expect(t.messages).toBe(13);
    expect(t.billable).toBe(12);
    expect(t.unpriced).toBe(1);
    // 0.1 + 0.2 in floating point is 0.30000000000000004; in micro-units it is 0.3 (+ 0.000001).
    expect([...t.cost]).toEqual([
      ['INR', '123456789.12346'],
      ['USD', '0.300001'],
    ]);
  });
});
