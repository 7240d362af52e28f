/**
 * The connector started in the jest process (`startConnector`, so a test reaches its store, its query
 * worker and the worker's gate) for the integration suites: loopback, a free port, no pulls, a silent
 * logger unless one is given. `seedDemoStore` fills a store with demo data first.
 */
import { DEMO_WABAS, seedDemo } from '../../src/connector/demo';
import { startConnector, type ConnectorOptions, type RunningConnector } from '../../src/connector/runtime/connector';
import { openStore } from '../../src/connector/runtime/open-store';
import { importDemoRateFile } from '../../src/connector/runtime/price-files';
import { createEnvelopeIngest } from '../../src/connector/store';

export function silentLogger() {
  const pino = require('pino') as typeof import('pino');
  return pino.default({ level: 'silent' });
}

export function startInProcess(options: Pick<ConnectorOptions, 'config' | 'db'> & Partial<ConnectorOptions>): Promise<RunningConnector> {
  return startConnector({ host: '127.0.0.1', port: 0, pulls: false, logger: silentLogger(), ...options });
}

/** The demo WABAs' zones, as a store over demo data is opened with. */
export const DEMO_TIMEZONES: Record<string, string> = Object.fromEntries(DEMO_WABAS.map((w) => [w.id, w.timezone]));

/** Seeds `db` with `days` of demo data ending at `asOfMs` (webhooks, Meta's figures, the demo's rate files). */
export async function seedDemoStore(db: string, demo: { seed: string; asOfMs: number; days: number; scale: number }): Promise<void> {
  const seeding = await openStore(db, { timezones: DEMO_TIMEZONES });
  try {
    await seedDemo({
      ...demo,
      ingest: createEnvelopeIngest(seeding, () => demo.asOfMs),
      sink: seeding,
      importRates: (f) => importDemoRateFile(seeding, f),
    });
  } finally {
    await seeding.close();
  }
}
