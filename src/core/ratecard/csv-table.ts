import { parse } from 'csv-parse/sync';
import { InputError } from '../errors';
import { parseMicros, type Micros } from '../model/money';

/** One CSV record with the file line it ends on, so errors can point at what a user sees in an editor. */
export interface CsvRecord {
  cells: string[];
  line: number;
}

/** Parses CSV text into trimmed records, skipping blank lines; `line` is the file line the record ends on. */
export function readCsvRecords(text: string, source: string): CsvRecord[] {
  if (typeof text !== 'string') throw new InputError(source, text, 'is not CSV text');
  let parsed: { record: string[]; info: { lines: number } }[];
  try {
    // csv-parse counts a CRLF inside a quoted cell as two lines; with LF only, `info.lines` is exact.
    // With `info: true` each record comes back as { record, info }; the sync typings do not narrow on it.
    parsed = parse(text.replace(/\r\n?/g, '\n'), {
      relax_column_count: true,
      skip_empty_lines: true,
      info: true,
      bom: true,
      trim: true,
    }) as unknown as typeof parsed;
  } catch (err) {
    throw new InputError(source, text, `is not valid CSV (${(err as Error).message})`);
  }
  return parsed.map(({ record, info }) => ({ cells: record, line: info.lines })).filter((r) => r.cells.some((c) => c !== ''));
}

/** Header cells compare without case, spaces, line breaks, hyphens or underscores. */
export function normalizeHeader(cell: string): string {
  return cell.toLowerCase().replace(/[\s\-_]+/g, '');
}

export function cellField(source: string, line: number, column: string): string {
  return `${source} line ${line} column ${JSON.stringify(column.replace(/\s+/g, ' '))}`;
}

/** Maps header cells to known keys; an unknown column is an error rather than silently dropped data. */
export function mapHeader(
  header: CsvRecord,
  known: Readonly<Record<string, string>>,
  required: readonly string[],
  source: string,
): Map<string, number> {
  const columns = new Map<string, number>();
  header.cells.forEach((cell, i) => {
    if (cell === '') return;
    const key = known[normalizeHeader(cell)];
    if (key === undefined) {
      throw new InputError(
        cellField(source, header.line, cell),
        cell,
        `is not a known column; expected ${[...new Set(Object.values(known))].join(', ')}`,
      );
    }
    if (columns.has(key)) throw new InputError(cellField(source, header.line, cell), cell, 'appears twice');
    columns.set(key, i);
  });
  for (const key of required) {
    if (!columns.has(key)) throw new InputError(`${source} line ${header.line}`, header.cells.join(','), `has no "${key}" column`);
  }
  return columns;
}

const EMPTY_CELLS = new Set(['', 'n/a', 'na', '-', '—']);

/** A money cell: `n/a` or blank = no rate (null), `free` = 0, otherwise a non-negative decimal. */
export function readRateCell(raw: string | undefined, field: string): Micros | null {
  const text = (raw ?? '').trim();
  if (EMPTY_CELLS.has(text.toLowerCase())) return null;
  if (text.toLowerCase() === 'free') return 0n;
  const micros = parseMicros(text, field);
  if (micros < 0n) throw new InputError(field, raw, 'must not be negative');
  return micros;
}

/** A whole non-negative count cell ("750,001" allowed); blank or MAX = no bound when `allowMax`. */
export function readCountCell(raw: string | undefined, field: string, allowMax: boolean): number | null {
  const text = (raw ?? '').trim().replace(/,/g, '');
  if (allowMax && (text === '' || text.toUpperCase() === 'MAX')) return null;
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new InputError(field, raw, allowMax ? 'must be a whole number, or empty/MAX for no upper bound' : 'must be a whole number');
  }
  return Number(text);
}
