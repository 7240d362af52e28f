/**
 * Every table, row by row, does not depend on how ingest was grouped into transactions. A webhook
 * corpus (statuses in every order, CBP conversations whose charged message moves, deliveries learnt
 * late, verdicts inferred and re-inferred, calls, inbound messages, unknown categories and fields,
 * unknown change kinds, duplicates) is ingested one event per transaction — what a lone webhook
 * gives — then all at once, then shuffled in random groups with the duplicates spread over them, as
 * the group-commit writer forms them under load; the stores' tables must be identical. Columns
 * that count transactions or arrival order by design are left out (raw_events.seq), and when each
 * migration ran. Run by sqlite.test.ts and postgres.test.ts with a dump of their tables and views.
 */
import type { WebhookEvent } from '../../src/connector/ingest';
import type { ConnectorStore, StoreOptions } from '../../src/connector/store';
import type { StoreEngine } from './store-engine';
import { batchesOf, eventsOf, mixedStream, seededRandom, shuffled, statusEvents, statusObject } from './store-suite';

/** Table name -> its rows, each as JSON of its columns in name order, sorted. */
export type TableDump = Record<string, string[]>;

/** Columns whose values count transactions or arrival order, or say when the store was opened: not what was ingested. */
export const ORDER_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  raw_events: ['seq'],
  schema_migrations: ['applied_at_ms'],
};

/** One row as JSON with its columns sorted by name and the order columns left out; numbers and bigints as text so both engines compare alike. */
export function rowText(table: string, row: Record<string, unknown>): string {
  const skip = ORDER_COLUMNS[table] ?? [];
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(row).sort()) {
    if (skip.includes(k)) continue;
    const v = row[k];
    out[k] = typeof v === 'bigint' || typeof v === 'number' ? String(v) : v;
  }
  return JSON.stringify(out);
}

const OPTIONS: StoreOptions = { timezones: { W_SP: 'America/Sao_Paulo', W_UTC: 'UTC' } };
const iso = (ms: number) => new Date(ms).toISOString();

/** CBP conversations: several messages each, delivered in an order other than they arrive, so the charged message (and its key) moves. */
function conversationStream(): WebhookEvent[] {
  const events: WebhookEvent[] = [];
  const base = Date.parse('2025-07-11T23:40:00Z');
  for (let i = 0; i < 24; i++) {
    const conversation = { id: `conv.${i % 6}`, origin: { type: i % 2 ? 'utility' : 'marketing' }, expiration_timestamp: '1752364800' };
    const extra = {
      recipient_id: ['5511987654321', '4915112345678', '919876543210'][i % 3],
      pricing: { billable: true, pricing_model: 'CBP', type: 'regular', category: i % 3 ? 'marketing' : 'utility' },
      conversation,
    };
    const at = base + (24 - i) * 97_000; // later messages delivered earlier, across midnight
    events.push(...statusEvents('W_UTC', statusObject(`wamid.cbp${i}`, 'sent', iso(at - 1_000), extra)));
    events.push(...statusEvents('W_UTC', statusObject(`wamid.cbp${i}`, 'delivered', iso(at), extra)));
    // A read learnt before its delivered status dates the delivery late until that arrives.
    if (i % 4 === 0) events.push(...statusEvents('W_UTC', statusObject(`wamid.cbp${i}`, 'read', iso(at + 7_200_000), extra)));
  }
  return events;
}

/** What a newer Graph version may send: an unknown category, unknown fields, a change kind we do not know, an account update. */
function oddStream(): WebhookEvent[] {
  const at = Date.parse('2025-07-12T10:00:00Z');
  return [
    ...statusEvents(
      'W_SP',
      statusObject('wamid.odd1', 'delivered', iso(at), {
        pricing: { billable: true, pricing_model: 'PMP', type: 'regular', category: 'meta_business_agent' },
        future_field: { nested: [1, 2] },
      }),
      statusObject('wamid.odd2', 'delivered', iso(at + 1_000), { recipient_id: 'US.1349120865530274', pricing: { category: 'utility' } }),
    ),
    ...eventsOf('W_SP', [{ field: 'brand_new_thing', value: { x: 1, y: 'z' } }]),
    ...eventsOf('W_UTC', [
      { field: 'account_update', value: { event: 'VOLUME_BASED_PRICING_TIER_UPDATE', volume_tier_info: { tier: '1' } } },
    ]),
  ];
}

export function describeIngestGrouping(engine: StoreEngine, dump: (store: ConnectorStore) => Promise<TableDump>): void {
  describe(`${engine.name}: ingest grouping`, () => {
    const stores: ConnectorStore[] = [];
    const open = async () => {
      const s = await engine.open(OPTIONS);
      stores.push(s);
      return s;
    };
    afterEach(async () => {
      for (const s of stores.splice(0)) await s.close();
    });

    it('leaves every table the same, row by row, one event per transaction, all at once, or in random groups with duplicates', async () => {
      const random = seededRandom(20261202);
      const corpus = [...mixedStream(70, seededRandom(5)), ...conversationStream(), ...oddStream()];
      const duplicates = corpus.filter(() => random() < 0.15);

      const alone = await open();
      for (const e of [...corpus, ...duplicates]) await alone.ingest([e], 0);
      const expected = await dump(alone);
      // The corpus reaches what the change is about: counts that move between keys and come back.
      expect(expected.raw_events?.length).toBe(corpus.length);
      expect(expected.usage_daily?.length).toBeGreaterThan(10);
      expect(expected.conversations?.length).toBe(6);
      expect(expected.usage_daily?.some((r) => r.includes('meta_business_agent'))).toBe(true);
      // message_statuses is a view of the status raw events since migration 023: each status once,
      // at the time of its first copy, as the table it replaced held them.
      const statuses = new Map<string, string>();
      for (const e of corpus)
        if (e.kind === 'status' && !statuses.has(e.dedupeKey))
          statuses.set(e.dedupeKey, rowText('message_statuses', { wamid: e.wamid, status: e.status, at_ms: e.atMs }));
      expect(statuses.size).toBeGreaterThan(100);
      expect(expected.message_statuses).toEqual([...statuses.values()].sort());

      const together = await open();
      await together.ingest([...corpus, ...duplicates], 0);
      expect(await dump(together)).toEqual(expected);

      for (const seed of [1, 2, 3]) {
        const r = seededRandom(seed);
        const grouped = await open();
        for (const batch of batchesOf(shuffled([...corpus, ...duplicates], r), r, 32)) await grouped.ingest(batch, 0);
        expect({ seed, tables: await dump(grouped) }).toEqual({ seed, tables: expected });
      }
    });
  });
}
