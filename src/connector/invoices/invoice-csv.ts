import { parse } from 'csv-parse/sync';
import { InputError } from '@core';
import { checkInvoice, type InvoiceChecks, type InvoiceInput } from './invoice-input';

/** The documented invoice CSV columns (docs/api.md, README): a header row naming them is required. */
export const INVOICE_COLUMNS = ['month', 'waba', 'currency', 'amount'] as const;

export interface InvoiceCsvResult {
  invoices: InvoiceInput[];
  /** One line per problem, each naming the file line and the column; empty when the whole file is good. */
  errors: string[];
}

/**
 * Reads `month,waba,currency,amount` rows. Every row is checked and every problem is reported, so a
 * file is fixed in one go; the caller stores nothing unless `errors` is empty. The same WABA, month
 * and currency twice in one file is an error (which line would win is not obvious).
 */
export function parseInvoiceCsv(text: string, source: string, checks: InvoiceChecks = {}): InvoiceCsvResult {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    // LF only: with CRLF, csv-parse would count a line break inside a quoted cell twice.
    records = parse(text.replace(/\r\n?/g, '\n'), {
      relax_column_count: true,
      skip_empty_lines: true,
      info: true,
      bom: true,
      trim: true,
    }) as unknown as typeof records;
  } catch (err) {
    return { invoices: [], errors: [`${source}: is not valid CSV (${(err as Error).message})`] };
  }
  const rows = records.filter((r) => r.record.some((c) => c !== ''));
  const header = rows[0];
  if (!header)
    return { invoices: [], errors: [`${source}: is empty; expected a header ${INVOICE_COLUMNS.join(',')} and one row per invoice`] };
  const errors: string[] = [];
  const index = new Map<string, number>();
  header.record.forEach((cell, i) => {
    const name = cell.toLowerCase();
    if (!(INVOICE_COLUMNS as readonly string[]).includes(name)) {
      errors.push(`${source} line ${header.info.lines}: column ${JSON.stringify(cell)} is not one of ${INVOICE_COLUMNS.join(', ')}`);
    } else if (index.has(name)) {
      errors.push(`${source} line ${header.info.lines}: column ${JSON.stringify(cell)} appears twice`);
    } else index.set(name, i);
  });
  for (const c of INVOICE_COLUMNS) {
    if (!index.has(c))
      errors.push(`${source} line ${header.info.lines}: the header has no "${c}" column (expected ${INVOICE_COLUMNS.join(',')})`);
  }
  if (errors.length) return { invoices: [], errors };
  if (rows.length === 1) return { invoices: [], errors: [`${source}: has a header but no invoice rows`] };

  const invoices: InvoiceInput[] = [];
  const firstLine = new Map<string, number>();
  for (const { record, info } of rows.slice(1)) {
    const line = info.lines;
    const cell = (c: string) => record[index.get(c) as number];
    if (record.length > header.record.length) {
      errors.push(`${source} line ${line}: has ${record.length} cells, the header has ${header.record.length}`);
      continue;
    }
    const field = (c: string) => `${source} line ${line} ${c}`;
    try {
      const inv = checkInvoice(
        { waba: cell('waba'), month: cell('month'), currency: cell('currency'), amount: cell('amount') },
        { waba: field('waba'), month: field('month'), currency: field('currency'), amount: field('amount') },
        checks,
      );
      const key = `${inv.wabaId}\u0000${inv.month}\u0000${inv.currency}`;
      const earlier = firstLine.get(key);
      if (earlier !== undefined) {
        errors.push(
          `${source} line ${line}: repeats the invoice of line ${earlier} (${inv.wabaId} ${inv.month} ${inv.currency}); keep one`,
        );
        continue;
      }
      firstLine.set(key, line);
      invoices.push(inv);
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      errors.push(err.message);
    }
  }
  return errors.length ? { invoices: [], errors } : { invoices, errors };
}
