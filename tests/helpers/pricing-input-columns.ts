/**
 * `/pricing-input?format=columns` (docs/api.md) written and read here apart from the connector's
 * writer and the plugin's reader, so the two forms are compared by code that shares nothing with
 * either side. The synthetic connector of the dashboard tests answers the compact form with
 * `columnsOfRows`; tests read any body with `rowsOfColumns`.
 */
export interface ColumnsBody {
  columns: string[];
  rows: (number | null)[][];
  values: string[];
  priorUnits: unknown[];
}

interface RowsBody {
  rows: Record<string, unknown>[];
  priorUnits: unknown[];
}

const NUMBERS = new Set(['time', 'units']);
const FIELDS = ['day', 'time', 'wabaId', 'portfolioId', 'currency', 'market', 'category', 'pricingType', 'pricingModel', 'units'];

/** A body of either form (text or parsed) as the rows form, plus the compact form's `values` (empty for the rows form). */
export function rowsOfColumns(body: string | object): RowsBody & { values: string[] } {
  const parsed = (typeof body === 'string' ? JSON.parse(body) : body) as ColumnsBody | RowsBody;
  if (!('columns' in parsed)) return { ...parsed, values: [] };
  const rows = parsed.rows.map((cells) => {
    const row: Record<string, unknown> = { dims: {} };
    parsed.columns.forEach((column, i) => {
      const cell = cells[i] ?? null;
      const value = NUMBERS.has(column) || cell === null ? cell : parsed.values[cell];
      if (column.startsWith('dims.')) (row.dims as Record<string, unknown>)[column.slice('dims.'.length)] = value;
      else row[column] = value;
    });
    return row;
  });
  return { rows, priorUnits: parsed.priorUnits, values: parsed.values };
}

/** The rows form as the compact form: each distinct text once in `values`, in first-seen order. */
export function columnsOfRows(body: RowsBody): ColumnsBody {
  const values: string[] = [];
  const index = new Map<string, number>();
  const at = (v: unknown) => {
    const text = String(v);
    if (!index.has(text)) index.set(text, values.push(text) - 1);
    return index.get(text) as number;
  };
  const dims = [...new Set(body.rows.flatMap((r) => Object.keys(r.dims as object)))];
  const rows = body.rows.map((r) => [
    ...FIELDS.map((f) => (NUMBERS.has(f) ? (r[f] as number) : at(r[f]))),
    ...dims.map((d) => {
      const v = (r.dims as Record<string, string | null>)[d];
      return v === null || v === undefined ? null : at(v);
    }),
  ]);
  return { columns: [...FIELDS, ...dims.map((d) => `dims.${d}`)], rows, values, priorUnits: body.priorUnits };
}
