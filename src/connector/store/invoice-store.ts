import { parseMicros, type Micros } from '@core';

/** Meta's invoice for one WABA, WABA-local month and currency, as entered. */
export interface StoredInvoice {
  wabaId: string;
  /** YYYY-MM */
  month: string;
  /** ISO 4217 */
  currency: string;
  amountMicros: Micros;
  source: 'cli' | 'api';
  enteredAtMs: number;
}

export interface InvoiceRange {
  /** First and last month, both inclusive (YYYY-MM). */
  fromMonth: string;
  toMonth: string;
  /** Only these WABAs; all when absent or empty. */
  wabaIds?: readonly string[];
}

/** Invoices live next to the events so every replica reconciles against the same figures. */
export interface InvoiceStore {
  /**
   * Stores every invoice in one transaction (all or none); one with the same WABA, month and
   * currency as a stored one replaces it. Returns how many replaced a stored invoice.
   */
  saveInvoices(invoices: readonly StoredInvoice[]): Promise<{ saved: number; replaced: number }>;
  /** Ordered by month, WABA and currency. */
  invoices(range: InvoiceRange): Promise<StoredInvoice[]>;
}

/** A stored invoice row as both dialects return it (the amount as exact decimal text). */
export interface InvoiceRow {
  waba_id: string;
  month: string;
  currency: string;
  amount: string;
  source: string;
  entered_at_ms: number;
}

export const invoiceFromRow = (r: InvoiceRow): StoredInvoice => ({
  wabaId: String(r.waba_id),
  month: String(r.month),
  currency: String(r.currency),
  amountMicros: parseMicros(String(r.amount), 'invoices.amount'),
  source: r.source === 'api' ? 'api' : 'cli',
  enteredAtMs: Number(r.entered_at_ms),
});
