/**
 * What `ConnectorStore` adds to `Store` for the running connector, one behaviour for both adapters
 * (run from sqlite.test.ts and postgres.test.ts): price files, the pricing-grain rollup, counted
 * messages by delivery time and per-call records. Invoices and report deliveries have suites of
 * their own; the committed-write signal of a `GroupCommitWriter` on the adapter is here too. Not a
 * test file itself. Expected values are written by hand from the inputs here.
 */
import { GroupCommitWriter, type ConnectorStore, type FinishedCall, type StoredRateFile } from '../../src/connector/store';
import type { StoreEngine } from './store-engine';
import { callEvents, connectObject, eventsOf, statusObject, terminateObject } from './store-suite';

const SP = 'W_SP'; // America/Sao_Paulo: UTC-3 all year in 2025
const UTC = 'W_UTC';
const TIMEZONES = { [SP]: 'America/Sao_Paulo', [UTC]: 'UTC' };
const BR = '5511987654321';
const DE = '4915112345678';
const at = (iso: string) => Date.parse(iso);

const priced = (category: string) => ({ pricing: { billable: true, pricing_model: 'PMP', type: 'regular', category } });
/** A message delivered at `iso` on phone `phone` of `wabaId`, with Meta's verdict on its delivered status. */
const delivered = (
  wabaId: string,
  wamid: string,
  iso: string,
  opts: { phone?: string; to?: string; category?: string; group?: string } = {},
) =>
  eventsOf(wabaId, [
    {
      field: 'messages',
      value: {
        metadata: { phone_number_id: opts.phone ?? 'P1' },
        statuses: [
          statusObject(wamid, 'delivered', iso, {
            recipient_id: opts.to ?? BR,
            ...priced(opts.category ?? 'utility'),
            ...(opts.group ? { biz_opaque_callback_data: opts.group } : {}),
          }),
        ],
      },
    },
  ]);

export function describeConnectorStoreBehaviour(engine: StoreEngine): void {
  describe(`${engine.name}: ConnectorStore beyond Store`, () => {
    let store: ConnectorStore;
    beforeEach(async () => {
      store = await engine.open({ timezones: TIMEZONES });
    });
    afterEach(async () => {
      await store.close();
    });

    describe('price files', () => {
      const file = (kind: StoredRateFile['kind'], currency: string, effectiveFrom: string, n: number): StoredRateFile => ({
        kind,
        currency,
        effectiveFrom,
        fileName: `${kind}-${currency}-${n}.csv`,
        importedAtMs: 1_000 + n,
        // Kept verbatim: quotes, a comma and a line break inside a cell, CRLF line ends, non-ASCII names.
        content: `Market,Marketing\r\n"Côte d'Ivoire, Abidjan",0.0${n}\r\n"two\nlines",1\r\n`,
      });

      it('are empty on a new store, come back verbatim ordered by effective date, kind and currency, and one file per key', async () => {
        expect(await store.rateFiles()).toEqual([]);
        await store.saveRateFile(file('rates', 'USD', '2025-07-01', 1));
        await store.saveRateFile(file('tiers', 'EUR', '2025-01-01', 2));
        await store.saveRateFile(file('call_rates', 'USD', '2025-07-01', 3));
        await store.saveRateFile(file('rates', 'EUR', '2025-07-01', 4));
        // Same kind, currency and effective date as the first: it replaces it (a corrected card).
        await store.saveRateFile(file('rates', 'USD', '2025-07-01', 5));
        expect(await store.rateFiles()).toEqual([
          file('tiers', 'EUR', '2025-01-01', 2),
          file('call_rates', 'USD', '2025-07-01', 3),
          file('rates', 'EUR', '2025-07-01', 4),
          file('rates', 'USD', '2025-07-01', 5),
        ]);
      });

      it('are shared by every handle on the database (each replica builds the same price book)', async () => {
        const other = await engine.openSame(store, { timezones: TIMEZONES });
        try {
          await other.saveRateFile(file('tiers', 'BRL', '2025-08-01', 6));
          expect(await store.rateFiles()).toEqual([file('tiers', 'BRL', '2025-08-01', 6)]);
        } finally {
          await other.close();
        }
      });
    });

    describe('usage at the pricing grain', () => {
      beforeEach(async () => {
        await store.ingest(
          [
            // 2025-07-10 in W_UTC, Brazil, utility: three messages on three fine keys (phone P1, P1 + group g1, phone P2).
            ...delivered(UTC, 'm1', '2025-07-10T10:00:05Z'),
            ...delivered(UTC, 'm2', '2025-07-10T11:00:00Z', { group: 'g1' }),
            ...delivered(UTC, 'm3', '2025-07-10T12:00:00Z', { phone: 'P2' }),
            ...delivered(UTC, 'm4', '2025-07-10T13:00:00Z', { to: DE }),
            ...delivered(UTC, 'm5', '2025-07-10T14:00:00Z', { category: 'marketing' }),
            ...delivered(UTC, 'm6', '2025-07-11T09:00:00Z'),
            // Another WABA on the same day and key.
            ...delivered(SP, 'm7', '2025-07-10T15:00:00Z'),
          ],
          0,
        );
      });
      const row = (day: string, wabaId: string, market: string, category: string, messages: number) => ({
        day,
        wabaId,
        phoneNumberId: null,
        country: null,
        market,
        category,
        pricingType: 'regular',
        pricingModel: 'PMP',
        group: null,
        messages,
        units: messages,
      });
      const sorted = async (range: Parameters<ConnectorStore['usagePricingDaily']>[0]) =>
        (await store.usagePricingDaily(range)).sort((a, b) =>
          `${a.day}|${a.wabaId}|${a.market}|${a.category}`.localeCompare(`${b.day}|${b.wabaId}|${b.market}|${b.category}`),
        );

      it('sums the fine rows of one day, WABA, market, category, type and model into one row without phone, country or group', async () => {
        expect(await store.usageDaily({ fromDay: '2025-07-10', toDay: '2025-07-10', wabaId: UTC })).toHaveLength(5);
        expect(await sorted({ fromDay: '2025-07-01', toDay: '2025-07-31' })).toEqual([
          row('2025-07-10', SP, 'Brazil', 'utility', 1),
          row('2025-07-10', UTC, 'Brazil', 'marketing', 1),
          row('2025-07-10', UTC, 'Brazil', 'utility', 3),
          row('2025-07-10', UTC, 'Germany', 'utility', 1),
          row('2025-07-11', UTC, 'Brazil', 'utility', 1),
        ]);
      });

      it('keeps to the day range and the WABA asked for', async () => {
        expect(await sorted({ fromDay: '2025-07-11', toDay: '2025-07-31' })).toEqual([row('2025-07-11', UTC, 'Brazil', 'utility', 1)]);
        expect(await sorted({ fromDay: '2025-07-01', toDay: '2025-07-10', wabaId: SP })).toEqual([
          row('2025-07-10', SP, 'Brazil', 'utility', 1),
        ]);
        expect(await sorted({ fromDay: '2025-07-12', toDay: '2025-07-31' })).toEqual([]);
      });
    });

    describe('counted messages by delivery time', () => {
      it('lists counted messages delivered in [from, to) with the key they are counted under', async () => {
        await store.ingest(
          [
            ...delivered(UTC, 'm1', '2025-07-10T10:00:00Z'),
            ...delivered(UTC, 'm2', '2025-07-10T11:00:00Z', { group: 'g1' }),
            ...delivered(UTC, 'm3', '2025-07-10T12:00:00Z'),
            // Sent but never delivered, and failed: never counted, never listed.
            ...eventsOf(UTC, [
              {
                field: 'messages',
                value: {
                  metadata: { phone_number_id: 'P1' },
                  statuses: [
                    statusObject('m4', 'sent', '2025-07-10T10:30:00Z', priced('utility')),
                    statusObject('m5', 'failed', '2025-07-10T10:40:00Z', { errors: [{ code: 131026 }] }),
                  ],
                },
              },
            ]),
          ],
          0,
        );
        const listed = (await store.deliveredMessages({ fromMs: at('2025-07-10T10:00:00Z'), toMs: at('2025-07-10T12:00:00Z') })).sort(
          (a, b) => a.atMs - b.atMs,
        );
        // Key columns: day, WABA, phone, country, market, category, pricing type, pricing model, group ('' = none).
        expect(listed).toEqual([
          {
            atMs: at('2025-07-10T10:00:00Z'),
            countedKey: JSON.stringify(['2025-07-10', UTC, 'P1', 'BR', 'Brazil', 'utility', 'regular', 'PMP', '']),
          },
          {
            atMs: at('2025-07-10T11:00:00Z'),
            countedKey: JSON.stringify(['2025-07-10', UTC, 'P1', 'BR', 'Brazil', 'utility', 'regular', 'PMP', 'g1']),
          },
        ]);
        expect(listed.map((m) => m.countedKey)).toEqual([
          (await store.messageVerdict('m1'))?.countedKey,
          (await store.messageVerdict('m2'))?.countedKey,
        ]);
        expect(await store.deliveredMessages({ fromMs: at('2025-07-10T12:00:00Z') + 1, toMs: at('2025-07-11T00:00:00Z') })).toEqual([]);
      });
    });

    describe('per-call records', () => {
      const call = (c: Omit<FinishedCall, 'phoneNumberId' | 'market'> & { market?: string }): FinishedCall => ({
        phoneNumberId: 'P1',
        market: c.country === 'DE' ? 'Germany' : 'Brazil',
        ...c,
      });
      beforeEach(async () => {
        const { start_time: _omit, ...noStart } = terminateObject('c5', '2025-08-02T12:00:00Z', 40);
        await store.ingest(
          [
            // 02:00Z is 23:00 on 31 July in São Paulo: the call belongs to that day.
            ...callEvents(SP, connectObject('c1', '2025-08-01T02:00:00Z')),
            ...callEvents(SP, terminateObject('c1', '2025-08-01T02:00:10Z', 125)),
            ...callEvents(SP, terminateObject('c2', '2025-08-01T04:00:00Z', 0)),
            // Connected, never terminated: not finished, not listed.
            ...callEvents(SP, connectObject('c3', '2025-08-01T05:00:00Z')),
            ...callEvents(SP, { ...terminateObject('c4', '2025-08-05T15:00:00Z', 60, 'BUSINESS_INITIATED'), from: '551130000000', to: DE }),
            // No start_time and no connect: it starts when it terminated.
            ...callEvents(SP, noStart),
            ...callEvents(UTC, terminateObject('c6', '2025-08-03T10:00:00Z', 30)),
          ],
          0,
        );
      });
      const c1 = call({
        callId: 'c1',
        day: '2025-07-31',
        wabaId: SP,
        country: 'BR',
        direction: 'user_initiated',
        startMs: at('2025-08-01T02:00:10Z'),
        durationSec: 125,
      });
      const c2 = call({
        callId: 'c2',
        day: '2025-08-01',
        wabaId: SP,
        country: 'BR',
        direction: 'user_initiated',
        startMs: at('2025-08-01T04:00:00Z'),
        durationSec: 0,
      });
      const c4 = call({
        callId: 'c4',
        day: '2025-08-05',
        wabaId: SP,
        country: 'DE',
        direction: 'business_initiated',
        startMs: at('2025-08-05T15:00:00Z'),
        durationSec: 60,
      });
      const c5 = call({
        callId: 'c5',
        day: '2025-08-02',
        wabaId: SP,
        country: 'BR',
        direction: 'user_initiated',
        startMs: at('2025-08-02T12:00:00Z'),
        durationSec: 40,
      });
      const c6 = call({
        callId: 'c6',
        day: '2025-08-03',
        wabaId: UTC,
        country: 'BR',
        direction: 'user_initiated',
        startMs: at('2025-08-03T10:00:00Z'),
        durationSec: 30,
      });
      // The order of a call without a stored start differs between the engines (NULLs sort first in
      // SQLite, last in PostgreSQL); per-call pricing does not depend on it, so compare in start order.
      const inStartOrder = (calls: FinishedCall[]) => [...calls].sort((a, b) => a.startMs - b.startMs || a.callId.localeCompare(b.callId));

      it('lists each terminated call once with the day, key, start and duration it is counted with', async () => {
        expect(inStartOrder(await store.finishedCalls({ fromDay: '2025-07-01', toDay: '2025-08-31' }))).toEqual([c1, c2, c5, c6, c4]);
      });

      it('keeps to the WABA-local days and the WABA asked for', async () => {
        expect(inStartOrder(await store.finishedCalls({ fromDay: '2025-08-01', toDay: '2025-08-02', wabaId: SP }))).toEqual([c2, c5]);
        expect(await store.finishedCalls({ fromDay: '2025-07-31', toDay: '2025-07-31' })).toEqual([c1]);
        expect(await store.finishedCalls({ fromDay: '2025-08-01', toDay: '2025-08-31', wabaId: UTC })).toEqual([c6]);
      });
    });

    describe('the committed-write signal', () => {
      it('a GroupCommitWriter on this store tells its listeners of each commit, once durable and before the writers resolve', async () => {
        const writer = new GroupCommitWriter(store);
        const heard: { keys: string[]; resolvedBefore: number; storedAtSignal: Promise<number> }[] = [];
        let resolved = 0;
        writer.onCommitted((events) =>
          heard.push({ keys: events.map((e) => e.dedupeKey), resolvedBefore: resolved, storedAtSignal: store.countRawEvents() }),
        );
        const write = (wamid: string, n: number) =>
          writer
            .write(Array.from({ length: n }, (_, i) => delivered(UTC, `${wamid}.${i}`, '2025-07-10T10:00:00Z')).flat(), 0)
            .then(() => void resolved++);
        // Two writes in one event-loop turn share one commit, so one signal with all three events.
        await Promise.all([write('a', 2), write('b', 1)]);
        await write('c', 1);
        expect(heard.map((h) => ({ keys: h.keys, resolvedBefore: h.resolvedBefore }))).toEqual([
          { keys: ['status:a.0:delivered', 'status:a.1:delivered', 'status:b.0:delivered'], resolvedBefore: 0 },
          { keys: ['status:c.0:delivered'], resolvedBefore: 2 },
        ]);
        // Read as the signal came: the events it names were already stored.
        expect(await Promise.all(heard.map((h) => h.storedAtSignal))).toEqual([3, 4]);
      });
    });
  });
}
