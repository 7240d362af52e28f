import { InputError } from '@core';
import { pricingInputResponse } from '@contract';
import { parseResponse } from './parse-response';
import { parsePricingInput } from './pricing-input';

const row = {
  day: '2026-11-02',
  time: Date.UTC(2026, 10, 1, 23),
  wabaId: 'W',
  portfolioId: 'P',
  currency: 'EUR',
  market: 'Germany',
  category: 'utility',
  pricingType: 'regular',
  pricingModel: 'PMP',
  units: 3,
  dims: { direction: 'business_initiated', phone: null },
};
const prior = { portfolioId: 'P', market: 'Germany', category: 'utility', month: '2026-11', units: 1 };

/** What the contract's zod schema says of the same body: the data, or the InputError's field and reason. */
function viaZod(body: unknown): unknown {
  try {
    return parseResponse(pricingInputResponse, body, 'pricing-input');
  } catch (e) {
    return { field: (e as InputError).field, message: (e as Error).message };
  }
}
/** A deep copy keeping undefined, NaN and Infinity (jsdom has no structuredClone). */
const copy = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(copy)
    : v !== null && typeof v === 'object'
      ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, copy(x)]))
      : v;

// On a copy: the fast path rewrites plain rows' strings in place (one copy per value), so a body
// shared with viaZod would hand the schema what the fast path wrote, hiding a wrong value.
function viaFast(body: unknown): unknown {
  try {
    return parsePricingInput(copy(body));
  } catch (e) {
    return { field: (e as InputError).field, message: (e as Error).message };
  }
}

describe('parsePricingInput (the what-if kind reads /pricing-input with it)', () => {
  test('a good body gives exactly the rows and prior units, as the contract schema gives them', () => {
    const body = { rows: [row, { ...row, day: '2026-11-03', units: 0, dims: {} }], priorUnits: [prior] };
    expect(parsePricingInput(body)).toEqual(viaZod(body));
    expect(parsePricingInput(body).rows[1]).toEqual({ ...row, day: '2026-11-03', units: 0, dims: {} });
  });

  // Each bad value in the 3rd row: the same field and reason as the contract schema names.
  const bad: [string, unknown][] = [
    ['day', 20261102],
    ['time', '1762124400000'],
    ['time', Number.NaN],
    ['time', Number.POSITIVE_INFINITY],
    ['wabaId', null],
    ['portfolioId', undefined],
    ['currency', 7],
    ['market', {}],
    ['category', 'not_a_category'],
    ['pricingType', 'Regular'],
    ['pricingModel', 'pmp'],
    ['units', '3'],
    ['units', Number.NaN],
    ['dims', null],
    ['dims', { direction: 5 }],
    ['dims', 'direction'],
  ];
  test.each(bad)('rows[2].%s = %p is refused naming the field, as the schema refuses it', (field, value) => {
    const body = { rows: [row, row, { ...row, [field]: value }], priorUnits: [] };
    const fast = viaFast(body) as { field: string; message: string };
    expect(fast).toEqual(viaZod(body));
    expect(fast.field.startsWith(`pricing-input.rows[2]`)).toBe(true);
    expect(fast.message).toMatch(/unexpected connector response/);
  });

  test('rows that differ in every shared string keep their own values, in any order of repeats', () => {
    const other = {
      ...row,
      day: '2026-11-03',
      wabaId: 'W2',
      portfolioId: 'P2',
      currency: 'USD',
      market: 'India',
      category: 'marketing',
      pricingType: 'free_entry_point',
    };
    const body = { rows: [row, other, row, other, other, row], priorUnits: [] };
    const expected = copy(body.rows);
    expect(parsePricingInput(copy(body)).rows).toEqual(expected);
  });

  test('the envelope and prior units are checked by the schema', () => {
    for (const body of [
      null,
      [],
      { rows: {} },
      { rows: [] },
      { rows: [], priorUnits: [{ ...prior, units: 'x' }] },
      { rows: [null], priorUnits: [] },
      { rows: [row, 'x'], priorUnits: [] },
    ])
      expect(viaFast(body)).toEqual(viaZod(body));
    expect((viaFast({ rows: [row] }) as { field: string }).field).toBe('pricing-input.priorUnits');
  });

  test('agrees with the schema on 2,000 rows with random fields broken', () => {
    // A seeded LCG: the same corruptions on every run.
    let seed = 15;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const values: unknown[] = [
      null,
      undefined,
      0,
      -1,
      1.5,
      '',
      'x',
      'utility',
      'regular',
      'PMP',
      {},
      [],
      { a: null },
      { a: 1 },
      Number.NaN,
    ];
    const fields = Object.keys(row);
    for (let n = 0; n < 2000; n += 1) {
      const r: Record<string, unknown> = { ...row };
      if (rand() < 0.7) r[fields[Math.floor(rand() * fields.length)] as string] = values[Math.floor(rand() * values.length)];
      const body = { rows: [row, r], priorUnits: [] };
      expect(viaFast(body)).toEqual(viaZod(body));
    }
  });
});

/** The rows form as `format=columns` writes it: each distinct text once in `values`, in first-seen order. */
function toColumns(
  body: { rows: (Omit<typeof row, 'dims'> & { dims: Record<string, string | null> })[]; priorUnits: unknown[] },
  dimNames: string[],
) {
  const values: string[] = [];
  const at = (v: string) => (values.includes(v) ? values.indexOf(v) : values.push(v) - 1);
  const columns = ['day', 'time', 'wabaId', 'portfolioId', 'currency', 'market', 'category', 'pricingType', 'pricingModel', 'units'];
  const rows = body.rows.map((r) => [
    at(r.day),
    r.time,
    at(r.wabaId),
    at(r.portfolioId),
    at(r.currency),
    at(r.market),
    at(r.category),
    at(r.pricingType),
    at(r.pricingModel),
    r.units,
    ...dimNames.map((d) => {
      const v = r.dims[d];
      return v === null || v === undefined ? null : at(v);
    }),
  ]);
  return { columns: [...columns, ...dimNames.map((d) => `dims.${d}`)], rows, values, priorUnits: body.priorUnits };
}

describe('parsePricingInput on the compact form (format=columns, what the what-if kind asks for)', () => {
  const other = {
    ...row,
    day: '2026-11-03',
    wabaId: 'W2',
    market: 'India',
    category: 'marketing',
    pricingType: 'free_entry_point',
    units: 0,
    dims: { direction: 'business_initiated', phone: '15550001' },
  };
  const rowsBody = { rows: [row, other, row, other], priorUnits: [prior] };
  const columnsBody = () => toColumns(rowsBody, ['direction', 'phone']);

  test('gives exactly what the rows form gives, null dimensions included', () => {
    const body = columnsBody();
    // Text held once: 2 days, 2 WABAs, 1 portfolio, 1 currency, 2 markets, 2 categories, 2 pricing types, 1 model, 1 direction, 1 phone.
    expect(body.values).toHaveLength(15);
    expect(parsePricingInput(body)).toEqual(viaZod(rowsBody));
    expect(parsePricingInput(body).rows[3]).toEqual(other);
    expect(parsePricingInput(body).rows[0]?.dims).toEqual({ direction: 'business_initiated', phone: null });
  });

  test('a column this client does not know is left out; columns in another order are read by name', () => {
    const body = columnsBody();
    const reordered = {
      ...body,
      columns: ['extra', ...body.columns].reverse(),
      rows: body.rows.map((r) => ['x-not-an-index', ...r].reverse()),
    };
    expect(parsePricingInput(reordered)).toEqual(viaZod(rowsBody));
  });

  // Each bad cell of the 2nd row names the row's field.
  const badCells: [string, number, unknown, RegExp][] = [
    ['market', 5, 99, /99 .*is not an index into values/],
    ['market', 5, -1, /is not an index into values/],
    ['market', 5, 1.5, /is not an index into values/],
    ['market', 5, '0', /is not an index into values/],
    ['market', 5, null, /is not an index into values/],
    ['dims.phone', 11, 42, /is not an index into values/],
    ['time', 1, '1762124400000', /unexpected connector response/],
    ['units', 9, null, /unexpected connector response/],
  ];
  test.each(badCells)('rows[1].%s = %p is refused naming the field', (field, cell, value, reason) => {
    const body = columnsBody();
    (body.rows[1] as unknown[])[cell] = value;
    const fast = viaFast(body) as { field: string; message: string };
    expect(fast.field).toBe(`pricing-input.rows[1].${field}`);
    expect(fast.message).toMatch(reason);
  });

  test('a text that is not a category or pricing type is refused as the schema refuses it in the rows form', () => {
    for (const [field, text] of [
      ['category', 'not_a_category'],
      ['pricingType', 'Regular'],
      ['pricingModel', 'pmp'],
    ] as const) {
      const body = columnsBody();
      const cell = body.columns.indexOf(field);
      (body.rows[2] as unknown[])[cell] = body.values.push(text) - 1;
      expect(viaFast(body)).toEqual(viaZod({ ...rowsBody, rows: [row, other, { ...row, [field]: text }, other] }));
    }
  });

  test('the envelope: a missing column, rows or cells not arrays, values not texts, bad prior units', () => {
    const body = columnsBody();
    expect(viaFast({ ...body, columns: body.columns.filter((c) => c !== 'currency') })).toEqual({
      field: 'pricing-input.columns',
      message: expect.stringMatching(/has no column currency/),
    });
    expect((viaFast({ ...body, rows: [body.rows[0], {}] }) as { field: string }).field).toBe('pricing-input.rows[1]');
    expect((viaFast({ ...body, rows: {} }) as { field: string }).field).toBe('pricing-input.rows');
    expect((viaFast({ ...body, values: [1] }) as { field: string }).field).toBe('pricing-input.values[0]');
    expect((viaFast({ ...body, priorUnits: [{ ...prior, units: 'x' }] }) as { field: string }).field).toBe(
      'pricing-input.priorUnits[0].units',
    );
  });
});
