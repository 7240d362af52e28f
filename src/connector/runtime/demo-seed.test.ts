/**
 * `serve --demo` seeds only a store that holds no webhook event. The check reads the stored-event
 * count ingest keeps (migration 015), not a count over raw_events, which on a store of real size is
 * a scan of millions of rows before the port opens.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ConnectorConfig } from '../config';
import { normaliseEnvelope, parseEnvelope } from '../ingest';
import { SqliteStore } from '../store';
import { startConnector } from './connector';
import { deliveredUtilityToBrazil } from '../../../tests/helpers/webhook-envelopes';

const config: ConnectorConfig = {
  apiToken: 'demo-seed-token-0123456789',
  wabas: [{ id: 'W1', name: 'W1', timezone: 'UTC', currency: 'USD', portfolio: 'PF1' }],
};

describe('serve --demo on a store that already holds events', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waspend-demo-seed-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('is not seeded: the one stored webhook event is all it holds', async () => {
    const file = path.join(dir, 'held.sqlite');
    const store = new SqliteStore(file, { timezones: { W1: 'UTC' } });
    const events = normaliseEnvelope(
      parseEnvelope(JSON.stringify(deliveredUtilityToBrazil('wamid.held-1', '2026-11-02T10:00:00Z'))),
      Date.UTC(2026, 10, 2),
    );
    await store.ingest(events, Date.UTC(2026, 10, 2));
    await store.close();

    const progress: string[] = [];
    const running = await startConnector({
      config,
      db: `sqlite:${file}`,
      host: '127.0.0.1',
      port: 0,
      demo: true,
      asOfMs: Date.UTC(2026, 10, 20),
      pulls: false,
      repricing: false,
      queryWorker: false,
      progress: (line) => progress.push(line),
    });
    try {
      expect(progress.filter((l) => l.includes('demo'))).toEqual([]);
      expect(await running.store.countRawEvents()).toBe(events.length);
    } finally {
      await running.close();
    }
  });
});
