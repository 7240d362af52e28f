import { inputErrorMessageOf } from '../test-fixtures/input-error-of';
import { cellField, mapHeader, readCountCell, readCsvRecords, readRateCell } from './csv-table';

// The CSV helpers every rate file goes through. Each refusal is pinned as the whole message the user
// reads (field, value, reason), written out by hand.

describe('readCsvRecords', () => {
  test('text that is not a string is refused by name', () => {
    expect(inputErrorMessageOf(() => readCsvRecords(42 as unknown as string, 'x.csv'))).toBe('x.csv: 42 is not CSV text');
  });

  test('a record whose cells are all blank is dropped; the others keep the file line they end on', () => {
    // Line 2 is " , ": two cells, both blank after trimming; line 4 is empty and skipped by the parser.
    expect(readCsvRecords('a,b\n , \nc,d\n\ne,\n', 's.csv')).toEqual([
      { cells: ['a', 'b'], line: 1 },
      { cells: ['c', 'd'], line: 3 },
      { cells: ['e', ''], line: 5 },
    ]);
  });
});

describe('cellField', () => {
  test('a run of spaces and line breaks in a header cell is shown as one space', () => {
    expect(cellField('s.csv', 3, 'Lower \n  minutes')).toBe('s.csv line 3 column "Lower minutes"');
  });
});

describe('mapHeader', () => {
  const known = { market: 'market', lower: 'lower', lowerminutes: 'lower', rate: 'rate' };

  test('an empty header cell is skipped, the columns after it keep their index', () => {
    expect([...mapHeader({ cells: ['Market', '', 'Rate'], line: 1 }, known, ['market'], 's.csv')]).toEqual([
      ['market', 0],
      ['rate', 2],
    ]);
  });

  test('an unknown column lists each known key once', () => {
    expect(inputErrorMessageOf(() => mapHeader({ cells: ['Market', 'Carrier pigeon'], line: 2 }, known, [], 's.csv'))).toBe(
      's.csv line 2 column "Carrier pigeon": "Carrier pigeon" is not a known column; expected market, lower, rate',
    );
  });

  test('two spellings of one column are refused at the second', () => {
    expect(inputErrorMessageOf(() => mapHeader({ cells: ['Lower', 'Lower minutes'], line: 1 }, known, [], 's.csv'))).toBe(
      's.csv line 1 column "Lower minutes": "Lower minutes" appears twice',
    );
  });

  test('a missing required column names the header line and the key', () => {
    expect(inputErrorMessageOf(() => mapHeader({ cells: ['Market', 'Rate'], line: 4 }, known, ['market', 'lower'], 's.csv'))).toBe(
      's.csv line 4: "Market,Rate" has no "lower" column',
    );
  });
});

describe('readRateCell', () => {
  test.each([
    [' n/a ', null],
    [' FREE ', 0n],
    [undefined, null],
    ['', null],
    ['—', null],
    [' 0.0118 ', 11_800n],
  ])('%j -> %p', (raw, micros) => {
    expect(readRateCell(raw, 'f')).toBe(micros);
  });
});

describe('readCountCell', () => {
  test.each([
    [' 750,001 ', false, 750_001],
    [' max ', true, null],
    [undefined, true, null],
    ['9007199254740991', false, 9_007_199_254_740_991],
  ])('%j (MAX allowed: %p) -> %p', (raw, allowMax, count) => {
    expect(readCountCell(raw, 'f', allowMax)).toBe(count);
  });

  test.each([
    ['1e3', false, 'f: "1e3" must be a whole number'],
    ['-5', false, 'f: "-5" must be a whole number'],
    ['1.0', false, 'f: "1.0" must be a whole number'],
    // 2^53 + 1: digits only, but not a safe integer (Number() would round it to 2^53).
    ['9007199254740993', false, 'f: "9007199254740993" must be a whole number'],
    [undefined, false, 'f: (missing) must be a whole number'],
    ['x', true, 'f: "x" must be a whole number, or empty/MAX for no upper bound'],
  ])('%j (MAX allowed: %p) is refused', (raw, allowMax, message) => {
    expect(inputErrorMessageOf(() => readCountCell(raw, 'f', allowMax))).toBe(message);
  });
});
