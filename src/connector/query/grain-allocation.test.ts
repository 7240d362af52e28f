import { childKeyOf, fineDimensionsOf, splitParent } from './grain-allocation';

const child = (key: string, units: number) => ({ key, messages: units, units });

describe('splitParent: the rule for every grain finer than the pricing grain', () => {
  it('gives each child its floor and the micro-units left to the largest remainders, summing to the parent', () => {
    // 103000 over 7:6 (13ths): AT 721000/13 = 55461 rest 7, BE 618000/13 = 47538 rest 6; one left, to AT (rest 7 > 6).
    expect(splitParent({ billable: 13, costMicros: 103_000n }, [child('AT', 7), child('BE', 6)])).toEqual([
      { billable: 7, costMicros: 55_462n },
      { billable: 6, costMicros: 47_538n },
    ]);
  });

  it('breaks a tie in remainder to the larger weight first, then to the smaller key', () => {
    // 2 over 1:3 (quarters): a 2/4 = 0 rest 2, b 6/4 = 1 rest 2; one left, remainders tie: b has the larger weight.
    expect(splitParent({ billable: 2, costMicros: 2n }, [child('a', 1), child('b', 3)])).toEqual([
      { billable: 0, costMicros: 0n },
      { billable: 2, costMicros: 2n },
    ]);
    // 10 over 1:1:1: 3 each rest 1, one left; remainders and weights tie: the smallest key, 'a', even listed last.
    expect(splitParent({ billable: 0, costMicros: 10n }, [child('c', 1), child('b', 1), child('a', 1)]).map((p) => p.costMicros)).toEqual([
      3n,
      3n,
      4n,
    ]);
  });

  it('weighs children by charged units, not delivered messages (a CBP conversation of several messages is one unit)', () => {
    // Cost 90 and 3 billable over units 1:2 (messages 5:1): 30 and 60, 1 and 2; by messages it would be 75 and 15.
    const kids = [
      { key: 'PA', messages: 5, units: 1 },
      { key: 'PB', messages: 1, units: 2 },
    ];
    expect(splitParent({ billable: 3, costMicros: 90n }, kids)).toEqual([
      { billable: 1, costMicros: 30n },
      { billable: 2, costMicros: 60n },
    ]);
  });

  it('keeps an unknown cost unknown in every child', () => {
    expect(splitParent({ billable: 3, costMicros: null }, [child('x', 1), child('y', 2)])).toEqual([
      { billable: 1, costMicros: null },
      { billable: 2, costMicros: null },
    ]);
  });
});

describe('fineDimensionsOf and childKeyOf', () => {
  const q = (by: string[], f: Partial<Record<'phone' | 'country' | 'group', string[]>> = {}) => ({
    by,
    phone: f.phone ?? [],
    country: f.country ?? [],
    group: f.group ?? [],
  });
  it('names the finer dimensions split or filtered by, always in the order country, phone, group', () => {
    expect(fineDimensionsOf(q(['category', 'waba']))).toEqual([]);
    expect(fineDimensionsOf(q(['group', 'phone'], { country: ['BR'] }))).toEqual(['country', 'phone', 'group']);
    expect(fineDimensionsOf(q([], { phone: ['P1'] }))).toEqual(['phone']);
  });
  it('keys a child by those values, none as the empty string', () => {
    expect(childKeyOf(['country', 'group'], { country: 'BR', phone: 'P1', group: null })).toBe('BR\u0000');
  });
});
