import { InputError } from '../errors';
import { inputErrorOf } from '../test-fixtures/input-error-of';
import { base64ToBytes, bytesToBase64 } from './base64';
import { murmur32 } from './hash';
import { Hll } from './hll';

const phone = (i: number) => `55119${String(i).padStart(8, '0')}`;

describe('murmur32 (MurmurHash3 x86_32 over UTF-16LE bytes)', () => {
  test.each([
    // published MurmurHash3 x86_32 test vectors, written as UTF-16 strings with the same bytes
    ['', 0, 0],
    ['', 1, 0x514e28b7],
    ['', 0xffffffff, 0x81f16f39],
    ['\u0000\u0000', 0, 0x2362f9de],
    ['\u4321\u8765', 0, 0xf55b516b],
    ['\u4321\u8765', 0x5082edee, 0x2362f9de],
    ['\u4321', 0, 0xa0f7b07a],
  ])('%j with seed %d', (text, seed, expected) => {
    expect(murmur32(text, seed)).toBe(expected);
  });

  test('pinned values: stored sketches must keep counting the same', () => {
    expect(murmur32('5511900000001', 0x9747b28c)).toBe(454009236);
    expect(murmur32('919876543210', 0x5bd1e995)).toBe(2002390276);
  });
});

describe('base64 (no Buffer)', () => {
  test.each([[[]], [[0]], [[255, 254]], [[1, 2, 3]], [[0, 0, 0, 0]]])('round trips %j like Buffer does', (bytes) => {
    const text = bytesToBase64(new Uint8Array(bytes));
    expect(text).toBe(Buffer.from(bytes).toString('base64'));
    expect([...base64ToBytes(text)]).toEqual(bytes);
  });

  test('rejects bad text', () => {
    expect(() => base64ToBytes('abc')).toThrow(InputError);
    expect(() => base64ToBytes('ab$d')).toThrow(/bad character/);
  });
});

describe('Hll', () => {
  // Stryker runs every covering test once per mutant (npm run mutation, WASPEND_MUTATION=1): there the
  // 200,000-value cases, seconds each under its coverage instrumentation, give way to 20,000 values,
  // which walk the same code paths (register updates, the estimator and its small-range correction).
  const large = process.env.WASPEND_MUTATION === '1' ? 20_000 : 200_000;
  test.each([
    [12, 100, 0.02],
    [12, 10_000, 0.05],
    [12, large, 0.05],
    [14, large, 0.025],
  ])('p=%d counts %d distinct values within %f', (p, n, tolerance) => {
    const hll = new Hll(p);
    for (let i = 0; i < n; i += 1) hll.add(phone(i));
    for (let i = 0; i < n; i += 7) hll.add(phone(i)); // repeats change nothing
    expect(Math.abs(hll.count() - n) / n).toBeLessThan(tolerance);
  });

  test('per-day sketches merge into the distinct count of the range', () => {
    const days = Array.from({ length: 7 }, () => new Hll(12));
    // each day sees 5,000 contacts, consecutive days overlap by 2,000 -> 7 x 3,000 + 2,000 = 23,000 distinct
    days.forEach((d, k) => {
      for (let i = k * 3000; i < k * 3000 + 5000; i += 1) d.add(phone(i));
    });
    const week = Hll.union(days);
    expect(Math.abs(week.count() - 23_000) / 23_000).toBeLessThan(0.05);
    expect(Hll.union([]).count()).toBe(0);
  });

  test('base64 round trip keeps every register', () => {
    const hll = new Hll(12);
    for (let i = 0; i < 3000; i += 1) hll.add(phone(i));
    const text = hll.toBase64();
    const back = Hll.fromBase64(text);
    expect(back.p).toBe(12);
    expect(back.registers).toEqual(hll.registers);
    expect(back.count()).toBe(hll.count());
  });

  test('bad sketches and mismatched precisions are InputErrors', () => {
    expect(() => new Hll(3)).toThrow(/^p: 3/);
    expect(() => new Hll(12).merge(new Hll(14))).toThrow(InputError);
    expect(() => Hll.fromBase64('AAAA')).toThrow(/not a waspend sketch/);
    expect(() => Hll.fromBase64(bytesToBase64(new Uint8Array([1, 12, 0])))).toThrow(/bad size/);
    const bad = new Uint8Array(2 + 16);
    bad[0] = 1;
    bad[1] = 4;
    bad[5] = 99;
    expect(() => Hll.fromBase64(bytesToBase64(bad))).toThrow(/impossible register/);
  });
});

describe('Hll.mergeBytes: a stored sketch folded in from its bytes', () => {
  const bytesOf = (hll: Hll) => base64ToBytes(hll.toBase64());
  const sketch = (from: number, to: number, p = 12) => {
    const hll = new Hll(p);
    for (let i = from; i < to; i += 1) hll.add(phone(i));
    return hll;
  };

  test('gives the registers merge gives: the register-wise maximum, whatever the order', () => {
    const a = sketch(0, 3000);
    const b = sketch(2000, 6000);
    const viaBytes = new Hll(12).mergeBytes(bytesOf(a)).mergeBytes(bytesOf(b));
    expect(viaBytes.registers).toEqual(Hll.union([a, b]).registers);
    expect(new Hll(12).mergeBytes(bytesOf(b)).mergeBytes(bytesOf(a)).registers).toEqual(viaBytes.registers);
    // Into an empty sketch it is a copy.
    expect(new Hll(12).mergeBytes(bytesOf(a)).registers).toEqual(a.registers);
    // By hand, p = 4: registers 3 and 0 against 1 and 5 keep 3 and 5; the others stay 0.
    const mine = new Hll(4);
    mine.registers[0] = 3;
    const theirs = new Uint8Array(2 + 16);
    theirs[0] = 1;
    theirs[1] = 4;
    theirs[2] = 1;
    theirs[3] = 5;
    expect([...mine.mergeBytes(theirs).registers.slice(0, 3)]).toEqual([3, 5, 0]);
  });

  test('refuses what fromBase64 refuses, naming the field, plus a sketch of another precision', () => {
    const good = bytesOf(sketch(0, 100, 4));
    expect(inputErrorOf(() => new Hll(4).mergeBytes(Uint8Array.of(2, ...good.subarray(1)), 'day_sketch'))).toEqual({
      field: 'day_sketch',
      reason: 'is not a waspend sketch (version 2)',
    });
    expect(inputErrorOf(() => new Hll(12).mergeBytes(good))).toEqual({ field: 'sketch', reason: 'must be a sketch with p = 12' });
    expect(inputErrorOf(() => new Hll(4).mergeBytes(good.subarray(0, good.length - 1)))).toEqual({
      field: 'sketch',
      reason: 'has a bad size for its precision',
    });
    // The highest rank p = 4 allows is 64 - 4 + 1 = 61: 61 is kept, 62 refused.
    const edge = Uint8Array.from(good);
    edge[7] = 61;
    expect(new Hll(4).mergeBytes(edge).registers[5]).toBe(61);
    edge[7] = 62;
    expect(inputErrorOf(() => new Hll(4).mergeBytes(edge))).toEqual({ field: 'sketch', reason: 'has an impossible register value' });
  });
});

describe('Hll.toBytes / fromBytes', () => {
  test('the bytes are what toBase64 encodes, and read back to the same registers at every precision', () => {
    for (let p = 4; p <= 16; p += 1) {
      const hll = new Hll(p);
      for (let i = 0; i < 50 * p; i += 1) hll.add(phone(i));
      const bytes = hll.toBytes();
      expect([bytes[0], bytes[1], bytes.length]).toEqual([1, p, 2 + 2 ** p]);
      expect(bytesToBase64(bytes)).toBe(hll.toBase64());
      expect(Hll.fromBytes(bytes).registers).toEqual(hll.registers);
    }
  });

  test('refuses a wrong version, a precision outside 4..16 and a size that does not fit it, naming the field', () => {
    const good = new Hll(4).toBytes();
    expect(inputErrorOf(() => Hll.fromBytes(Uint8Array.of(0, ...good.subarray(1)), 'day_sketch'))).toEqual({
      field: 'day_sketch',
      reason: 'is not a waspend sketch (version 0)',
    });
    for (const p of [3, 17])
      expect(inputErrorOf(() => Hll.fromBytes(Uint8Array.of(1, p, ...new Uint8Array(2 ** Math.min(p, 16)))))).toEqual({
        field: 'sketch',
        reason: 'has a bad size for its precision',
      });
    expect(inputErrorOf(() => Hll.fromBytes(Uint8Array.of(1, 5, ...new Uint8Array(16))))).toEqual({
      field: 'sketch',
      reason: 'has a bad size for its precision',
    });
    expect(Hll.fromBytes(Uint8Array.of(1, 4, ...new Uint8Array(16))).p).toBe(4);
    expect(Hll.fromBytes(Uint8Array.of(1, 16, ...new Uint8Array(2 ** 16))).p).toBe(16);
  });
});

describe('base64: bad text, exact field and reason', () => {
  const bad = (reason: string) => ({ field: 'base64', reason: `is not base64 (${reason})` });
  test('a length that is not a multiple of 4, or no text at all', () => {
    expect(inputErrorOf(() => base64ToBytes('abc'))).toEqual(bad('length must be a multiple of 4'));
    expect(inputErrorOf(() => base64ToBytes(null as never))).toEqual(bad('length must be a multiple of 4'));
  });

  test('an equals sign is padding only at the end; a character past ASCII is bad; the position counts from the start', () => {
    expect(inputErrorOf(() => base64ToBytes('A=BC'))).toEqual(bad('bad character at 1'));
    expect(inputErrorOf(() => base64ToBytes('AAA\u0080'))).toEqual(bad('bad character at 3'));
    expect(inputErrorOf(() => base64ToBytes('AAAAA$AA'))).toEqual(bad('bad character at 5'));
  });
});

describe('Hll: mutation-testing gaps (exact values by hand)', () => {
  const caught = (run: () => unknown) => {
    try {
      run();
    } catch (e) {
      if (e instanceof InputError) return { field: e.field, value: e.value, reason: e.reason };
      throw e;
    }
    return null;
  };
  const sketchText = (version: number, p: number, registers: Uint8Array = new Uint8Array(1 << p)) =>
    bytesToBase64(new Uint8Array([version, p, ...registers]));
  const filled = (p: number, rank: number) => {
    const hll = new Hll(p);
    hll.registers.fill(rank);
    return hll;
  };

  test('precision 16 is the largest; 17 names p and the range', () => {
    expect(new Hll(16).registers.length).toBe(65_536);
    expect(inputErrorOf(() => new Hll(17))).toEqual({ field: 'p', reason: 'must be a whole number from 4 to 16' });
  });

  test('a value whose high hash has no bit set after the index takes its rank from the low hash', () => {
    // high 0x8a990000: index 0x8a99 (p = 16) and 16 zero bits after it; low 0x13488ac5: 3 leading zeros.
    // Rank = the 16 zero bits of high + the 3 of low + 1 = 20.
    const value = '5511901682663';
    expect([murmur32(value, 0x9747b28c), murmur32(value, 0x5bd1e995)]).toEqual([0x8a990000, 0x13488ac5]);
    const hll = new Hll(16).add(value);
    expect(hll.registers[0x8a99]).toBe(20);
    expect(hll.registers.reduce((s, r) => s + r, 0)).toBe(20);
  });

  test.each([
    // p, every register, expected count: alpha x m^2 / (m x 2^-rank) = alpha x m x 2^rank
    [4, 6, 689], // 0.673 x 16 x 64 = 689.152
    [5, 6, 1427], // 0.697 x 32 x 64 = 1427.456
    [6, 6, 2904], // 0.709 x 64 x 64 = 2904.064
    [7, 5, 2930], // 0.7213 / (1 + 1.079 / 128) = 0.71527...; x 128 x 32 = 2929.75
    [4, 1, 22], // 0.673 x 16 x 2 = 21.536: under 2.5 m, but no register is empty, so no linear counting
  ])('p=%d with every register at %d counts %d (raw estimate)', (p, rank, count) => {
    expect(filled(p, rank).count()).toBe(count);
  });

  test('linear counting while registers are empty and the estimate is small, the raw estimate above 2.5 m', () => {
    // 8 of 16 registers empty, 8 at 1: estimate 0.673 x 256 / (8 + 8 x 1/2) = 14.36 <= 40, so 16 x ln(16 / 8) = 11.09.
    const half = new Hll(4);
    half.registers.fill(1, 0, 8);
    expect(half.count()).toBe(11);
    // 1 register empty, 15 at 20: estimate 0.673 x 256 / (1 + 15 x 2^-20) = 172.285 > 40: raw, although one is empty.
    const one = filled(4, 20);
    one.registers[0] = 0;
    expect(one.count()).toBe(172);
  });

  test('an estimate of exactly 2.5 m with an empty register is still linear counting', () => {
    // p = 7: 36 empty registers and 92 whose 2^-rank add up to 0.621849255107335 (its binary digits, the
    // largest split into 7s and 6s to fill 92; small ones first, so every partial sum is exact). The sum,
    // 36.621849255107335, is alpha x 128^2 / 320 to the last bit: the raw estimate is 320 = 2.5 x 128.
    const ranks = [
      46,
      45,
      44,
      42,
      39,
      37,
      36,
      35,
      33,
      32,
      30,
      26,
      24,
      23,
      17,
      16,
      12,
      11,
      8,
      ...Array(67).fill(7),
      ...Array(6).fill(6),
      ...Array(36).fill(0),
    ];
    const alpha = 0.7213 / (1 + 1.079 / 128);
    expect((alpha * 128 * 128) / ranks.reduce((s, r) => s + 2 ** -r, 0)).toBe(320);
    const hll = new Hll(7);
    hll.registers.set(ranks);
    // 128 x ln(128 / 36) = 128 x (ln 32 - ln 9) = 128 x 1.26851 = 162.37.
    expect(hll.count()).toBe(162);
  });

  test('merge refuses anything but a sketch of its precision, naming the sketch and the precision', () => {
    expect(caught(() => new Hll(12).merge(new Hll(14)))).toEqual({ field: 'sketch', value: 14, reason: 'must be a sketch with p = 12' });
    expect(caught(() => new Hll(12).merge(null as never))).toEqual({
      field: 'sketch',
      value: undefined,
      reason: 'must be a sketch with p = 12',
    });
  });

  test('the union of one sketch keeps its precision', () => {
    expect(Hll.union([new Hll(14)]).p).toBe(14);
  });

  test('fromBase64: exact field, first 12 characters and reason of each bad sketch', () => {
    const v2 = sketchText(2, 4);
    expect(caught(() => Hll.fromBase64(v2))).toEqual({
      field: 'sketch',
      value: v2.slice(0, 12),
      reason: 'is not a waspend sketch (version 2)',
    });
    // p = 3 with its 8 registers: the size matches, the precision does not.
    const p3 = sketchText(1, 3);
    expect(caught(() => Hll.fromBase64(p3))).toEqual({
      field: 'sketch',
      value: p3.slice(0, 12),
      reason: 'has a bad size for its precision',
    });
    const p17 = sketchText(1, 17);
    expect(caught(() => Hll.fromBase64(p17))).toEqual({
      field: 'sketch',
      value: p17.slice(0, 12),
      reason: 'has a bad size for its precision',
    });
    expect(Hll.fromBase64(sketchText(1, 16)).p).toBe(16);
  });

  test('fromBase64: the highest possible rank at p = 4 is 64 - 4 + 1 = 61; 62 is refused', () => {
    const registers = new Uint8Array(16);
    registers[3] = 61;
    expect(Hll.fromBase64(sketchText(1, 4, registers)).registers[3]).toBe(61);
    registers[3] = 62;
    const text = sketchText(1, 4, registers);
    expect(caught(() => Hll.fromBase64(text))).toEqual({
      field: 'sketch',
      value: text.slice(0, 12),
      reason: 'has an impossible register value',
    });
  });
});
