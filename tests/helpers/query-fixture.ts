/**
 * In-process query contexts on both store engines (both-stores.ts) for the query layer's own value
 * tests (src/connector/query/*.test.ts): a store on a new, empty database with the invented USD card.
 * Everything runs in the jest process, so a mutant of the query code is active in what the tests call
 * (docs/testing.md, "Mutation testing").
 */
import fs from 'node:fs';
import path from 'node:path';
import type { WebhookEvent } from '../../src/connector/ingest';
import { openStore } from '../../src/connector/runtime/open-store';
import type { ConnectorStore } from '../../src/connector/store';
import { importRateFile, loadPriceBook } from '../../src/connector/runtime/price-files';
import type { QueryContext, WabaInfo } from '../../src/connector/query/query-context';
import { Repricer } from '../../src/connector/query/re-pricer';
import { eventsOf, statusObject } from '../store/store-suite';
import { BOTH_STORES, type DatabaseEngine } from './both-stores';

/** Both engines, under the name the query suites import them by. */
export const QUERY_ENGINES = BOTH_STORES;

/** The query tests' usual WABA: UTC, billed in USD, alone in portfolio P1. */
export const UTC_WABA: WabaInfo = { id: 'W1', name: 'One', timezone: 'UTC', currencies: [{ from: '', code: 'USD' }], portfolio: 'P1' };
/** A Brazilian recipient (market Brazil on the invented USD card). */
export const BR = '5511987650001';

/** The invented USD card: Brazil marketing 0.0625, utility 0.0072; India marketing 0.0131, utility 0.0014. */
export const USD_CARD = fs.readFileSync(path.join(__dirname, '../fixtures/ratecards/usd-rates-2026-04-invented.csv'), 'utf8');

export const PMP = (category: string, type = 'regular') => ({
  pricing: { billable: type === 'regular', pricing_model: 'PMP', type, category },
});

/** A delivered status of `phone` (phone_number_id) at `iso` to `to`, with Meta's pricing. */
export const delivered = (wabaId: string, phone: string, wamid: string, iso: string, to: string, pricing: object): WebhookEvent[] =>
  eventsOf(wabaId, [
    {
      field: 'messages',
      value: { metadata: { phone_number_id: phone }, statuses: [statusObject(wamid, 'delivered', iso, { recipient_id: to, ...pricing })] },
    },
  ]);

/** The business side of the calls below. */
const BUSINESS_NUMBER = '551130000000';

/** A call's terminate webhook, as Meta sends it: `phone` (phone_number_id) and `user`, started at `iso`, `seconds` long. */
export const terminated = (
  wabaId: string,
  phone: string,
  call: { id: string; iso: string; seconds: number; user: string; direction?: 'BUSINESS_INITIATED' | 'USER_INITIATED' },
): WebhookEvent[] => {
  const secs = String(Date.parse(call.iso) / 1000);
  const direction = call.direction ?? 'USER_INITIATED';
  const business = direction === 'BUSINESS_INITIATED';
  const c = {
    id: call.id,
    event: 'terminate',
    direction,
    from: business ? BUSINESS_NUMBER : call.user,
    to: business ? call.user : BUSINESS_NUMBER,
    timestamp: secs,
    start_time: secs,
    duration: call.seconds,
  };
  return eventsOf(wabaId, [{ field: 'calls', value: { metadata: { phone_number_id: phone }, calls: [c] } }]);
};

export interface QueryFixture {
  ctx: QueryContext & { now: () => number };
  store: ConnectorStore;
  close(): Promise<void>;
}

/** A store on `engine` with the USD card from 2026-03-01 and `events` ingested, and a context over `wabas`. */
export async function openQueryFixture(
  engine: DatabaseEngine,
  wabas: readonly WabaInfo[],
  events: readonly WebhookEvent[],
  nowMs = Date.parse('2026-06-01T00:00:00Z'),
): Promise<QueryFixture> {
  const db = await engine.createDatabase('query');
  const store = await openStore(db.url, { timezones: Object.fromEntries(wabas.map((w) => [w.id, w.timezone])) });
  const close = async () => {
    await store.close();
    await db.remove();
  };
  await importRateFile(store, { kind: 'rates', text: USD_CARD, effectiveFrom: '2026-03-01', fileName: 'card.csv' }, 0);
  const { book } = await loadPriceBook(store);
  if (events.length > 0) await store.ingest(events, 0);
  const ctx = { store, wabas: new Map(wabas.map((w) => [w.id, w])), priceBook: () => book, generation: () => 1, now: () => nowMs };
  return { ctx, store, close };
}

/** A re-pricer of the fixture's store, WABAs and current price book (run it with `runToCompletion`). */
export const fixtureRepricer = (fx: QueryFixture): Repricer =>
  new Repricer({ store: fx.store, wabas: fx.ctx.wabas, holder: 'test', loadBook: async () => fx.ctx.priceBook() });
