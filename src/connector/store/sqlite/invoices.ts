import type Database from 'better-sqlite3';
import { toDecimalString } from '@core';
import { invoiceFromRow, type InvoiceRange, type InvoiceRow, type InvoiceStore, type StoredInvoice } from '../invoice-store';

/** The invoices table of the embedded store (migration 010). */
export class SqliteInvoices implements InvoiceStore {
  private readonly exists;
  private readonly upsert;

  constructor(private readonly db: Database.Database) {
    this.exists = db.prepare('SELECT 1 FROM invoices WHERE waba_id = ? AND month = ? AND currency = ?');
    this.upsert = db.prepare(
      `INSERT INTO invoices (waba_id, month, currency, amount, source, entered_at_ms) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (waba_id, month, currency) DO UPDATE SET amount = excluded.amount, source = excluded.source, entered_at_ms = excluded.entered_at_ms`,
    );
  }

  async saveInvoices(invoices: readonly StoredInvoice[]): Promise<{ saved: number; replaced: number }> {
    return this.db
      .transaction(() => {
        let replaced = 0;
        for (const i of invoices) {
          if (this.exists.get(i.wabaId, i.month, i.currency)) replaced++;
          this.upsert.run(i.wabaId, i.month, i.currency, toDecimalString(i.amountMicros), i.source, i.enteredAtMs);
        }
        return { saved: invoices.length, replaced };
      })
      .immediate();
  }

  async invoices(range: InvoiceRange): Promise<StoredInvoice[]> {
    const ids = range.wabaIds ?? [];
    const byWaba = ids.length ? ` AND waba_id IN (${ids.map(() => '?').join(', ')})` : '';
    const rows = this.db
      .prepare(`SELECT * FROM invoices WHERE month >= ? AND month <= ?${byWaba} ORDER BY month, waba_id, currency`)
      .all(range.fromMonth, range.toMonth, ...ids) as InvoiceRow[];
    return rows.map(invoiceFromRow);
  }
}
