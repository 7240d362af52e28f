/**
 * The running connector keeps the priced rollups (migration 013) current by itself: a webhook posted
 * to it is priced into priced_usage by the background re-pricer, off the acknowledgement path, and
 * the month's dirty mark is cleared. Figures by hand: 3 utility messages to Brazil at 0.0080 USD.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ConnectorConfig } from '../config';
import { startConnector, type RunningConnector } from './connector';
import { importRateFile } from './price-files';
import { deliveredUtilityToBrazil } from '../../../tests/helpers/webhook-envelopes';
import { postAcknowledged } from '../../../tests/helpers/post-webhook';

const config: ConnectorConfig = {
  apiToken: 'repricing-token-0123456789abcdef',
  wabas: [{ id: 'W1', name: 'W1', timezone: 'UTC', currency: 'USD', portfolio: 'PF1' }],
};
const RATES =
  'Cost per message in USD\nMarket,Currency,Marketing,Utility,Authentication,Authentication-International,Service\nBrazil,USD,0.0625,0.0080,0.0315,,\n';

const delivered = (wamid: string) => deliveredUtilityToBrazil(wamid, '2025-07-10T12:00:00Z');

/** Waits for a condition the background job brings about, checking every 20 ms, failing after 20 s. */
async function eventually<T>(read: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const v = await read();
    if (done(v) || Date.now() > deadline) return v;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the background re-pricer of a running connector', () => {
  let dir: string;
  let running: RunningConnector;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waspend-repricing-'));
    const pino = require('pino') as typeof import('pino');
    running = await startConnector({
      config,
      db: `sqlite:${path.join(dir, 'w.db')}`,
      host: '127.0.0.1',
      port: 0,
      pulls: false,
      logger: pino.default({ level: 'silent' }),
      repriceEveryMs: 20,
    });
  });
  afterAll(async () => {
    await running?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('prices posted webhooks into priced_usage and clears the month', async () => {
    await importRateFile(running.store, { kind: 'rates', text: RATES, effectiveFrom: '2025-07-01', fileName: 'r.csv' }, 0);
    for (const wamid of ['wamid.r1', 'wamid.r2', 'wamid.r3']) {
      await postAcknowledged(running.url, delivered(wamid));
    }
    const range = { fromDay: '2025-07-01', toDay: '2025-07-31' };
    const rows = await eventually(
      () => running.store.pricedUsage(range),
      (r) => r.length === 1 && r[0]?.units === 3,
    );
    // 3 x 0.0080 USD = 24000 micro-USD.
    expect(rows.map((r) => [r.day, r.market, r.category, r.units, r.billable, r.costMicros, r.currency, r.portfolioId])).toEqual([
      ['2025-07-10', 'Brazil', 'utility', 3, 3, 24_000n, 'USD', 'PF1'],
    ]);
    expect(
      await eventually(
        () => running.store.pricingDirty(),
        (d) => d.length === 0,
      ),
    ).toEqual([]);
  });
});
