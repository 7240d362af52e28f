import type { Pool } from 'pg';
import { toDecimalString } from '@core';
import { invoiceFromRow, type InvoiceRange, type InvoiceStore, type StoredInvoice } from '../invoice-store';
import { inTransaction } from './tx';

/** The invoices table in PostgreSQL (migration 010); same behaviour as SqliteInvoices. */
export class PgInvoices implements InvoiceStore {
  constructor(private readonly pool: Pool) {}

  async saveInvoices(invoices: readonly StoredInvoice[]): Promise<{ saved: number; replaced: number }> {
    return inTransaction(this.pool, async (c) => {
      let replaced = 0;
      for (const i of invoices) {
        // xmax <> 0 on the returned row means ON CONFLICT updated an existing one.
        const res = await c.query<{ replaced: boolean }>(
          `INSERT INTO invoices (waba_id, month, currency, amount, source, entered_at_ms) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (waba_id, month, currency) DO UPDATE SET amount = excluded.amount, source = excluded.source, entered_at_ms = excluded.entered_at_ms
           RETURNING (xmax <> 0) AS replaced`,
          [i.wabaId, i.month, i.currency, toDecimalString(i.amountMicros), i.source, i.enteredAtMs],
        );
        if (res.rows[0]?.replaced) replaced++;
      }
      return { saved: invoices.length, replaced };
    });
  }

  async invoices(range: InvoiceRange): Promise<StoredInvoice[]> {
    const ids = range.wabaIds ?? [];
    const res = await this.pool.query(
      `SELECT * FROM invoices WHERE month >= $1 AND month <= $2${ids.length ? ' AND waba_id = ANY($3)' : ''} ORDER BY month, waba_id, currency`,
      ids.length ? [range.fromMonth, range.toMonth, [...ids]] : [range.fromMonth, range.toMonth],
    );
    return res.rows.map(invoiceFromRow);
  }
}
