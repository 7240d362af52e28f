/**
 * Builds the query store in-process, below HTTP: the same webhook bodies the webhook builder posts
 * (build-store.ts planBodies, same order), each read by the functions the webhook route calls
 * (parseEnvelope, normaliseEnvelope) and stored by the store's own multi-event ingest, thousands of
 * events per transaction. No HTTP, no signature check, no group-commit writer, and the store opened
 * with `bulkLoad` (commits not synced: the store is thrown away if the build fails). The tables
 * are the webhook route's, row for row: tests/integration/bulk-build-equivalence.test.ts compares
 * every table of both builds.
 */
import { loadConfig } from '../src/connector/config';
import { normaliseEnvelope, parseEnvelope, type WebhookEvent } from '../src/connector/ingest';
import { PgStore, SqliteStore, type Store, type StoreOptions } from '../src/connector/store';
import { emptyCounts, planBodies, type BuildPlan, type BuildResult } from './build-store';
import { log } from './stats';

/** Opens `db` (`sqlite:PATH` or a postgres:// URL) as the connector would, plus `bulkLoad`. */
async function openForBulk(db: string, options: StoreOptions): Promise<Store> {
  if (db.startsWith('sqlite:')) return new SqliteStore(db.slice('sqlite:'.length), options);
  // One connection: the batches are ingested one after another, in the order the route would commit them.
  return PgStore.open(db, { ...options, poolSize: 1 });
}

export interface BulkOptions {
  /** Statuses per body, as the webhook builder's `perBody` (default 200: the same bodies it posts). */
  perBody?: number;
  /** Events per ingest transaction; a body is never split (default 50,000: the contact sketches, rewritten once per transaction, then cost little). */
  eventsPerTransaction?: number;
  /** The receive time stamped on the events (raw_events.received_at_ms), like the route's clock; default Date.now. */
  now?: () => number;
}

/**
 * Writes the whole plan into the store at `db` with the connector's config `config` (its WABAs'
 * time zones, as `waspend serve` reads them). While one transaction commits (PostgreSQL: in the
 * server process) the next is parsed; transactions still commit one at a time, in plan order.
 */
export async function buildStoreInProcess(db: string, config: string, plan: BuildPlan, opts: BulkOptions = {}): Promise<BuildResult> {
  const perBody = opts.perBody ?? 200;
  const perTransaction = opts.eventsPerTransaction ?? 50_000;
  const now = opts.now ?? Date.now;
  const timezones = Object.fromEntries(loadConfig(config).wabas.map((w) => [w.id, w.timezone]));
  const store = await openForBulk(db, { timezones, bulkLoad: true });
  const counts = emptyCounts();
  let transactions = 0;
  const t0 = Date.now();
  let lastLog = t0;
  let committing: Promise<unknown> = Promise.resolve();
  try {
    let events: WebhookEvent[] = [];
    let receivedAtMs = 0;
    const commit = async () => {
      const batch = events;
      // One receive time per transaction, the latest of its bodies, as the group-commit writer stamps a group.
      const at = receivedAtMs;
      events = [];
      receivedAtMs = 0;
      await committing;
      committing = store.ingest(batch, at);
      // Awaited before the next commit or at the end; until then a failure must not count as unhandled.
      committing.catch(() => undefined);
      transactions++;
    };
    for (const body of planBodies(plan, perBody, counts)) {
      const at = now();
      for (const e of normaliseEnvelope(parseEnvelope(body), at)) events.push(e);
      receivedAtMs = Math.max(receivedAtMs, at);
      if (events.length >= perTransaction) await commit();
      if (Date.now() - lastLog > 10_000) {
        lastLog = Date.now();
        log(
          `  bulk build: ${counts.events.toLocaleString('en')} status events, ${Math.round(counts.events / ((lastLog - t0) / 1000))} events/s`,
        );
      }
    }
    if (events.length > 0) await commit();
    await committing;
  } finally {
    // A body that failed to parse leaves the previous transaction running: let it end before closing.
    await committing.catch(() => undefined);
    await store.close();
  }
  const seconds = (Date.now() - t0) / 1000;
  return {
    path: 'bulk',
    messages: plan.messages,
    ...counts,
    requests: transactions,
    seconds,
    eventsPerSec: Math.round(counts.events / seconds),
  };
}
