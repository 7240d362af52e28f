import { formatMicros } from '../model/money';
import type { CallRecord } from '../model/usage';
import { callCostMicros, priceCalls, priceCallsEach, pulsesOf } from './price-calls';
import { inputErrorOf } from '../test-fixtures/input-error-of';
import { buildTestBook } from '../test-fixtures/test-book';
import { tierKey } from './tier-ladder';

const book = buildTestBook();
let seq = 0;
function call(durationSec: number, extra: Partial<CallRecord> = {}): CallRecord {
  seq += 1;
  return {
    callId: `c${String(seq).padStart(4, '0')}`,
    wabaId: 'w1',
    portfolioId: 'p1',
    currency: 'USD',
    day: '2026-02-10',
    startMs: Date.parse('2026-02-10T12:00:00Z') + seq * 1000,
    direction: 'business_initiated',
    durationSec,
    market: 'India',
    ...extra,
  };
}

describe('pulses and call cost', () => {
  test.each([
    [56, 10], // Meta's example: 56 s = 9.33 pulses, billed as 10
    [60, 10],
    [61, 11],
    [6, 1],
    [1, 1],
    [0, 0],
    [5.5, 1],
  ])('%d s = %d pulses', (sec, pulses) => {
    expect(pulsesOf(sec)).toBe(pulses);
  });

  test('cost = pulses x rate per minute / 10, rounded once per call half away from zero', () => {
    expect(formatMicros(callCostMicros(10, 12_000n), 6)).toBe('0.012000');
    expect(formatMicros(callCostMicros(11, 12_000n), 6)).toBe('0.013200');
    expect(callCostMicros(7, 12_345n)).toBe(8_642n); // 8,641.5 micro-units -> 8,642
    expect(callCostMicros(3, 12_345n)).toBe(3_704n); // 3,703.5 -> 3,704
  });
});

describe('priceCalls', () => {
  test('a 56-second business-initiated call to India is 10 pulses at 0.0120/min = 0.0120', () => {
    const { calls, problems } = priceCalls([call(56)], book);
    expect(calls[0]).toMatchObject({
      pulses: 10,
      costMicros: 12_000n,
      tier: { lowerMinutes: 0, upperMinutes: 50_000, ratePerMinuteMicros: 12_000n },
    });
    expect(problems).toEqual([]);
  });

  test('user-initiated calls are free and do not count towards tiers', () => {
    const result = priceCalls([call(600, { direction: 'user_initiated' })], book);
    expect(result.calls[0]).toMatchObject({ pulses: 0, costMicros: 0n });
    expect(result.tierMinutes.size).toBe(0);
  });

  test('a call crossing a tier boundary is priced wholly at the cheaper tier', () => {
    const key = tierKey('p1', 'India', 'calls', '2026-02');
    // 49,999.5 minutes used; a 60 s call covers minutes 49,999.6 .. 50,000.5 -> crosses into 50,001-250,000
    const crossing = priceCalls([call(60)], book, { priorMinutes: { [key]: 49_999.5 } });
    expect(crossing.calls[0]).toMatchObject({ pulses: 10, costMicros: 10_000n, tier: { lowerMinutes: 50_001 } });
    expect(crossing.tierMinutes.get(key)).toBe(50_000.5);
    // ending exactly on minute 50,000 stays in the first tier
    const ending = priceCalls([call(30)], book, { priorMinutes: new Map([[key, 49_999.5]]) });
    expect(ending.calls[0]).toMatchObject({ pulses: 5, costMicros: 6_000n, tier: { lowerMinutes: 0 } });
  });

  test('tiers accumulate in start order per portfolio, callee market and WABA-local month', () => {
    const key = tierKey('p1', 'India', 'calls', '2026-02');
    const calls = [
      call(60, { startMs: 3000, callId: 'late' }),
      call(60, { startMs: 2000, callId: 'middle' }),
      call(60, { startMs: 1000, callId: 'early', portfolioId: 'p2' }),
      call(60, { startMs: 4000, callId: 'march', day: '2026-03-01' }),
    ];
    const result = priceCalls(calls, book, { priorMinutes: { [key]: 49_999 } });
    expect(result.calls.map((c) => [c.callId, c.costMicros])).toEqual([
      ['late', 10_000n], // minute 50,001 after "middle" took 50,000
      ['middle', 12_000n],
      ['early', 12_000n],
      ['march', 12_000n],
    ]);
  });

  test('missing call rates are problems, not exceptions', () => {
    const result = priceCalls([call(60, { market: 'Germany' }), call(60, { currency: 'EUR' }), call(60, { currency: 'EUR' })], book);
    expect(result.calls.map((c) => c.costMicros)).toEqual([null, null, null]);
    expect(result.problems).toEqual([
      {
        code: 'no_call_rate',
        message: 'No EUR call rate card in force on 2026-02-10',
        currency: 'EUR',
        day: '2026-02-10',
        market: 'India',
        category: 'calls',
        rows: 2,
      },
      {
        code: 'no_call_rate',
        message: 'The USD call rates from 2025-08-01 have no rate for Germany',
        currency: 'USD',
        day: '2026-02-10',
        market: 'Germany',
        category: 'calls',
        rows: 1,
      },
    ]);
  });

  test.each<[string, unknown, string, string]>([
    ['null', null, 'calls[1]', 'is not a call record'],
    ['a string', 'call', 'calls[1]', 'is not a call record'],
    ['a negative duration', call(-1), 'calls[1].durationSec', 'must be a number of seconds >= 0'],
    ['a NaN duration', call(Number.NaN), 'calls[1].durationSec', 'must be a number of seconds >= 0'],
    ['an endless duration', call(Number.POSITIVE_INFINITY), 'calls[1].durationSec', 'must be a number of seconds >= 0'],
    ['a duration in a string', call('60' as never), 'calls[1].durationSec', 'must be a number of seconds >= 0'],
    [
      'an unknown direction',
      call(10, { direction: 'outbound' as never }),
      'calls[1].direction',
      'must be business_initiated or user_initiated',
    ],
    ['a start that is not a time', call(10, { startMs: Number.NaN }), 'calls[1].startMs', 'must be epoch milliseconds'],
    ['a day that is not a date', call(10, { day: 'today' }), 'calls[1].day', ''],
  ])('bad calls are InputErrors naming the field: %s', (_what, bad, field, reason) => {
    const got = inputErrorOf(() => priceCalls([call(0), bad as CallRecord], book)); // a call of 0 s is fine
    expect(got?.field).toBe(field);
    if (reason) expect(got?.reason).toBe(reason);
  });

  test('calls starting in the same millisecond take the tier ladder in call id order, whatever order they arrive in', () => {
    const key = tierKey('p1', 'India', 'calls', '2026-02');
    const at = Date.parse('2026-02-10T12:00:00Z');
    // 49,999 minutes used: call "a" (60 s) takes minute 50,000 at the first tier's 0.0120;
    // call "b" then starts on minute 50,001, the second tier's 0.0100.
    const result = priceCalls([call(60, { startMs: at, callId: 'b' }), call(60, { startMs: at, callId: 'a' })], book, {
      priorMinutes: { [key]: 49_999 },
    });
    expect(result.calls.map((c) => [c.callId, c.costMicros])).toEqual([
      ['b', 10_000n],
      ['a', 12_000n],
    ]);
  });

  test('three calls in one millisecond: call id order whichever way they arrive', () => {
    const key = tierKey('p1', 'India', 'calls', '2026-02');
    const at = Date.parse('2026-02-10T12:00:00Z');
    // 49,998 minutes used: "a" takes minute 49,999 and "b" 50,000 at 0.0120; "c" takes 50,001 at 0.0100.
    const expected = { a: 12_000n, b: 12_000n, c: 10_000n };
    for (const ids of [
      ['a', 'b', 'c'],
      ['c', 'a', 'b'],
      ['b', 'c', 'a'],
      ['c', 'b', 'a'],
    ] as const) {
      const result = priceCalls(
        ids.map((callId) => call(60, { startMs: at, callId })),
        book,
        { priorMinutes: { [key]: 49_998 } },
      );
      expect(result.calls.map((c) => [c.callId, c.costMicros])).toEqual(ids.map((id) => [id, expected[id]]));
    }
  });

  test('calls with the same start and call id keep their input order', () => {
    const key = tierKey('p1', 'India', 'calls', '2026-02');
    const at = Date.parse('2026-02-10T12:00:00Z');
    // 49,999 minutes used: the first takes minute 50,000 at 0.0120, the second 50,001 at 0.0100.
    const result = priceCalls(
      [call(60, { startMs: at, callId: 'x', wabaId: 'w1' }), call(60, { startMs: at, callId: 'x', wabaId: 'w2' })],
      book,
      {
        priorMinutes: { [key]: 49_999 },
      },
    );
    expect(result.calls.map((c) => [c.wabaId, c.costMicros])).toEqual([
      ['w1', 12_000n],
      ['w2', 10_000n],
    ]);
  });
});

describe('priceCallsEach', () => {
  test('hands each call to the sink in start order with its pulses, cost and tier, the figures priceCalls gives', () => {
    const key = tierKey('p1', 'India', 'calls', '2026-02');
    const calls = [
      call(60, { startMs: 3000, callId: 'late' }),
      call(600, { startMs: 2500, callId: 'inbound', direction: 'user_initiated' }),
      call(56, { startMs: 2000, callId: 'middle' }),
      call(60, { startMs: 1000, callId: 'nowhere', market: 'Atlantis' }),
    ];
    const seen: unknown[] = [];
    const result = priceCallsEach(calls, book, { priorMinutes: { [key]: 49_999 } }, (i, c, pulses, costMicros, tier) =>
      seen.push([i, c.callId, pulses, costMicros, tier?.lowerMinutes ?? null]),
    );
    // By hand: "middle" is 10 pulses ending on minute 50,000 (0.0120/min); "late" then starts minute 50,001 (0.0100/min).
    expect(seen).toEqual([
      [3, 'nowhere', 10, null, null],
      [2, 'middle', 10, 12_000n, 0],
      [1, 'inbound', 0, 0n, null],
      [0, 'late', 10, 10_000n, 50_001],
    ]);
    expect(result.tierMinutes.get(key)).toBe(50_001);
    expect(result.problems.map((p) => [p.code, p.market])).toEqual([['no_call_rate', 'Atlantis']]);
    const whole = priceCalls(calls, book, { priorMinutes: { [key]: 49_999 } });
    expect(whole.calls.map((c) => [c.callId, c.pulses, c.costMicros, c.tier?.lowerMinutes ?? null])).toEqual([
      ['late', 10, 10_000n, 50_001],
      ['inbound', 0, 0n, null],
      ['middle', 10, 12_000n, 0],
      ['nowhere', 10, null, null],
    ]);
    // A call priced at no tier has no tier key at all (not one set to undefined).
    expect(whole.calls.filter((c) => 'tier' in c).map((c) => c.callId)).toEqual(['late', 'middle']);
    expect(whole.problems).toEqual(result.problems);
    expect(whole.tierMinutes).toEqual(result.tierMinutes);
  });
});
