import { Hll, InputError } from '@core';
import { sketchOfText, textOfSketch } from './sketch-text';

const filled = (p: number, n: number) => {
  const hll = new Hll(p);
  for (let i = 0; i < n; i += 1) hll.add(`4915${String(i * 7919).padStart(9, '0')}`);
  return hll;
};

describe('stored day sketches through Node’s base64', () => {
  test('write exactly the text core writes, and read it back to the same registers, at every precision and fill', () => {
    for (let p = 4; p <= 16; p += 1)
      for (const n of [0, 1, 3 * p, 5000]) {
        const hll = filled(p, n);
        const text = textOfSketch(hll);
        expect(text).toBe(hll.toBase64());
        const back = sketchOfText(text);
        expect([back.p, back.count()]).toEqual([p, hll.count()]);
        expect(back.registers).toEqual(hll.registers);
      }
  });

  test('refuse a text that is not a sketch, naming the field', () => {
    const text = filled(12, 10).toBase64();
    const bytes = filled(12, 10).toBytes();
    bytes[0] = 7;
    const version7 = Buffer.from(bytes).toString('base64');
    expect(() => sketchOfText(version7)).toThrow(InputError);
    expect(() => sketchOfText(version7)).toThrow(/^sketch: 7 is not a waspend sketch \(version 7\)$/);
    expect(() => sketchOfText(text.slice(0, -8))).toThrow(/^sketch: .* has a bad size for its precision$/);
    expect(() => sketchOfText('')).toThrow(/^sketch: \(missing\) is not a waspend sketch/);
  });
});
