/** Query ranges to WABA-local days (day-range.ts): the epoch cut, the refusal, spans, intersections and the data hull. */
import { InputError } from '@core';
import { dataHull, intersect, localDays, spanOf, withinData, type LocalDays } from './day-range';

const at = (iso: string) => String(Date.parse(iso));

describe('localDays', () => {
  it('takes dates as they are, both inclusive', () => {
    expect(localDays('2026-04-01', '2026-04-03', 'Asia/Kolkata')).toEqual({ fromDay: '2026-04-01', toDay: '2026-04-03' });
  });

  it('cuts an epoch range [from, to) at the zone’s midnights: `to` itself is not in it', () => {
    // Kolkata is UTC+5:30: 04-01 20:00 UTC is 04-02 01:30 there; to - 1 ms = 04-02 23:59:59.999 UTC is 04-03 05:29 there.
    expect(localDays(at('2026-04-01T20:00:00Z'), at('2026-04-03T00:00:00Z'), 'Asia/Kolkata')).toEqual({
      fromDay: '2026-04-02',
      toDay: '2026-04-03',
    });
    // In UTC `to` at midnight ends the day before.
    expect(localDays(at('2026-04-01T20:00:00Z'), at('2026-04-03T00:00:00Z'), 'UTC')).toEqual({
      fromDay: '2026-04-01',
      toDay: '2026-04-02',
    });
  });

  it('a date `from` with an epoch `to`', () => {
    expect(localDays('2026-04-01', at('2026-04-03T00:00:00Z'), 'UTC')).toEqual({ fromDay: '2026-04-01', toDay: '2026-04-02' });
  });

  it('an empty epoch range (from = to) is the day of `from`', () => {
    expect(localDays(at('2026-04-03T00:00:00Z'), at('2026-04-03T00:00:00Z'), 'UTC')).toEqual({
      fromDay: '2026-04-03',
      toDay: '2026-04-03',
    });
  });

  it('refuses `to` before `from`, naming `to`', () => {
    const refusal = (() => {
      try {
        localDays('2026-04-03', '2026-04-02', 'UTC');
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(refusal).toBeInstanceOf(InputError);
    expect(refusal).toMatchObject({ field: 'to', value: '2026-04-02', reason: 'must not be before from' });
  });
});

describe('spanOf and intersect', () => {
  const r = (fromDay: string, toDay: string): LocalDays => ({ fromDay, toDay });

  it('spanOf: from the earliest first day to the latest last day, whichever range holds them', () => {
    expect(spanOf([])).toBeNull();
    expect(spanOf([r('2026-04-05', '2026-04-06'), r('2026-04-02', '2026-04-03'), r('2026-04-04', '2026-04-09')])).toEqual(
      r('2026-04-02', '2026-04-09'),
    );
  });

  it('intersect: the later first day and the earlier last day; null when the spans do not meet', () => {
    expect(intersect(r('2026-04-01', '2026-04-10'), r('2026-04-03', '2026-04-05'))).toEqual(r('2026-04-03', '2026-04-05'));
    expect(intersect(r('2026-04-03', '2026-04-05'), r('2026-04-01', '2026-04-10'))).toEqual(r('2026-04-03', '2026-04-05'));
    expect(intersect(r('2026-04-01', '2026-04-04'), r('2026-04-04', '2026-04-08'))).toEqual(r('2026-04-04', '2026-04-04'));
    expect(intersect(r('2026-04-01', '2026-04-03'), r('2026-04-04', '2026-04-08'))).toBeNull();
  });
});

describe('dataHull and withinData', () => {
  // Store.dataDays of three WABAs, one without data (the stores' own tests cover dataDays itself).
  const days: Record<string, LocalDays | null> = {
    A: { fromDay: '2026-04-05', toDay: '2026-04-07' },
    B: { fromDay: '2026-04-02', toDay: '2026-04-04' },
    EMPTY: null,
  };
  const source = { dataDays: async (id: string) => days[id] ?? null };

  it('spans every WABA’s data, passing over one without any', async () => {
    expect(await dataHull(source, ['A', 'EMPTY', 'B'])).toEqual({ fromDay: '2026-04-02', toDay: '2026-04-07' });
    expect(await dataHull(source, ['EMPTY'])).toBeNull();
  });

  it('cuts a span to it', async () => {
    expect(await withinData(source, { fromDay: '2026-01-01', toDay: '2026-04-03' }, ['A', 'EMPTY', 'B'])).toEqual({
      fromDay: '2026-04-02',
      toDay: '2026-04-03',
    });
    expect(await withinData(source, { fromDay: '2026-04-08', toDay: '2026-12-31' }, ['A', 'B'])).toBeNull();
    expect(await withinData(source, { fromDay: '2026-01-01', toDay: '2026-12-31' }, ['EMPTY'])).toBeNull();
  });
});
