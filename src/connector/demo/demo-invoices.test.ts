import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteStore } from '../store';
import { createEnvelopeIngest } from '../store/envelope-ingest';
import { demoInvoices } from './demo-invoices';
import { generateDemo } from './generate-demo';
import { seedDemo } from './seed-demo';

jest.setTimeout(120_000);

// Ends on 2025-09-03: the complete days run to 2025-09-02 in every demo zone, so August has ended and September has not.
const OPTIONS = { seed: 'invoice-test', asOfMs: Date.parse('2025-09-03T12:00:00Z'), days: 6, scale: 0.02 };

describe('demo invoices', () => {
  it("are Meta's August cost per WABA to the cent, and none for the running month", () => {
    const demo = generateDemo(OPTIONS);
    const { pricing, calls } = demo.metaFigures();
    const invoices = demoInvoices(demo, pricing, calls);
    // By hand: add every August row of the WABA, then round to cents (micro-units / 10,000, half up: amounts are positive).
    const expected = demo.wabas.map((w) => {
      let micros = 0n;
      for (const r of [...pricing, ...calls])
        if (r.wabaId === w.id && r.day.startsWith('2025-08-') && r.costMicros !== null) micros += r.costMicros;
      return { wabaId: w.id, month: '2025-08', currency: w.currency, amountMicros: ((micros + 5_000n) / 10_000n) * 10_000n };
    });
    expect(expected.every((e) => e.amountMicros > 0n)).toBe(true);
    expect(invoices).toEqual(expected);
  });

  it('are stored by seedDemo as entered by CLI at the end of the demo', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waspend-demo-inv-'));
    const store = new SqliteStore(path.join(dir, 'w.db'), { timezones: {} });
    try {
      const result = await seedDemo({ ...OPTIONS, ingest: createEnvelopeIngest(store, () => OPTIONS.asOfMs), invoices: store });
      const demo = generateDemo(OPTIONS);
      const { pricing, calls } = demo.metaFigures();
      const stored = await store.invoices({ fromMonth: '2025-01', toMonth: '2025-12' });
      expect(result.invoices).toBe(demo.wabas.length);
      expect(
        stored.map(({ wabaId, month, currency, amountMicros, source, enteredAtMs }) => ({
          wabaId,
          month,
          currency,
          amountMicros,
          source,
          enteredAtMs,
        })),
      ).toEqual(
        demoInvoices(demo, pricing, calls)
          .map((i) => ({ ...i, source: 'cli', enteredAtMs: OPTIONS.asOfMs }))
          .sort((a, b) => a.wabaId.localeCompare(b.wabaId)),
      );
    } finally {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
