import { InputError } from '../errors';
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
