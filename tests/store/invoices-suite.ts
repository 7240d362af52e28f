/**
 * The invoices of `ConnectorStore` (migration 010), one behaviour for both adapters: run from
 * sqlite.test.ts and postgres.test.ts. Not a test file itself.
 */
import type { ConnectorStore, StoredInvoice } from '../../src/connector/store';
import type { StoreEngine } from './store-engine';

const inv = (wabaId: string, month: string, currency: string, amountMicros: bigint, source: 'cli' | 'api' = 'cli', enteredAtMs = 1) =>
  ({ wabaId, month, currency, amountMicros, source, enteredAtMs }) satisfies StoredInvoice;

export function describeInvoiceBehaviour(engine: StoreEngine): void {
  describe(`${engine.name}: invoices`, () => {
    let s: { invoices: ConnectorStore } | null = null;
    const open = async () => ({ invoices: await engine.open({ timezones: {} }) });
    afterEach(async () => {
      await s?.invoices.close();
      s = null;
    });

    it('stores invoices, replaces the same WABA, month and currency, and counts the replacements', async () => {
      s = await open();
      expect(await s.invoices.saveInvoices([inv('W1', '2026-03', 'USD', 70_000n), inv('W1', '2026-03', 'EUR', 65_000n)])).toEqual({
        saved: 2,
        replaced: 0,
      });
      expect(await s.invoices.saveInvoices([inv('W1', '2026-03', 'USD', 70_500n, 'api', 2), inv('W2', '2026-04', 'USD', 1n)])).toEqual({
        saved: 2,
        replaced: 1,
      });
      expect(await s.invoices.invoices({ fromMonth: '2026-01', toMonth: '2026-12' })).toEqual([
        inv('W1', '2026-03', 'EUR', 65_000n),
        inv('W1', '2026-03', 'USD', 70_500n, 'api', 2),
        inv('W2', '2026-04', 'USD', 1n),
      ]);
    });

    it('filters by inclusive month range and by WABA', async () => {
      s = await open();
      await s.invoices.saveInvoices([
        inv('W1', '2025-12', 'USD', 1n),
        inv('W1', '2026-01', 'USD', 2n),
        inv('W2', '2026-02', 'USD', 3n),
        inv('W3', '2026-03', 'USD', 4n),
      ]);
      const months = async (fromMonth: string, toMonth: string, wabaIds?: string[]) =>
        (await s!.invoices.invoices({ fromMonth, toMonth, ...(wabaIds ? { wabaIds } : {}) })).map((i) => `${i.wabaId}/${i.month}`);
      expect(await months('2026-01', '2026-02')).toEqual(['W1/2026-01', 'W2/2026-02']);
      expect(await months('2025-01', '2026-12', ['W1', 'W3'])).toEqual(['W1/2025-12', 'W1/2026-01', 'W3/2026-03']);
      expect(await months('2025-01', '2026-12', [])).toHaveLength(4);
    });

    it('keeps amounts beyond 2^53 micro-units exact (a month of IDR)', async () => {
      s = await open();
      const big = 123_456_789_012_345_678_901n; // 123456789012345.678901 units
      await s.invoices.saveInvoices([inv('W1', '2026-03', 'IDR', big)]);
      expect((await s.invoices.invoices({ fromMonth: '2026-03', toMonth: '2026-03' }))[0]?.amountMicros).toBe(big);
    });

    it('stores none of a batch when one row is refused by the table', async () => {
      s = await open();
      await s.invoices.saveInvoices([inv('W1', '2026-03', 'USD', 5n)]);
      // The schema's own check (three capital letters) refuses the second row: the first must not stay.
      // Compared by message, not with rejects.toThrow(): the driver's error class comes from another
      // realm when this file shares a jest worker with other SQLite suites, and is then no instance of Error.
      const refused: unknown = await s.invoices.saveInvoices([inv('W1', '2026-03', 'USD', 6n), inv('W1', '2026-04', 'usd', 7n)]).then(
        () => null,
        (err: unknown) => err,
      );
      expect(String((refused as { message?: unknown } | null)?.message ?? refused)).toMatch(/check constraint/i);
      expect(await s.invoices.invoices({ fromMonth: '2026-01', toMonth: '2026-12' })).toEqual([inv('W1', '2026-03', 'USD', 5n)]);
    });
  });
}
