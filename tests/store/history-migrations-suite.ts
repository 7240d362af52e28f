/**
 * The migrations that fill a new table from what a store already holds, run on a store with history,
 * on both engines; every figure worked out by hand. 019: priced_calls_country from priced_calls,
 * without the phone. 020: priced_usage_phone_category and priced_usage_group_category from the phone
 * and group rows, summed over markets and pricing models, a row without a cost kept apart. 021: the
 * month totals. 022: the kinds of the dirty marks already stored. 023: message_statuses from the
 * raw events.
 */
import type { ConnectorStore } from '../../src/connector/store';
import { statusEvents, statusObject } from './store-suite';

/** A row given to a store before the later migrations run: its values in column order, or in the order of `columns` when given. */
export interface HistoryRow {
  table: string;
  columns?: readonly string[];
  values: readonly unknown[];
}

export interface HistoryAccess {
  /**
   * A store migrated to `version`, then given `rows` (each a table and its values in column order),
   * then opened as the connector opens it (the later migrations run).
   */
  openWithRows(version: number, rows: readonly HistoryRow[]): Promise<ConnectorStore>;
  /** The number of rows of `table` in `store`. */
  count(store: ConnectorStore, table: string): Promise<number>;
  /** The rows `sql` (plain SQL both engines read alike, no parameters) gives in `store`. */
  select(store: ConnectorStore, sql: string): Promise<Record<string, unknown>[]>;
}

const usage = (table: string, day: string, value: string, market: string, model: string, n: number, cost: number | null) => ({
  table,
  values: [day, 'W1', value, market, 'marketing', 'regular', model, 'USD', n, n, n, cost],
});

/** A priced_usage row (PRICED_COLUMNS order) of W1's marketing under `model`, `n` messages, units and billable. */
const pricingGrain = (day: string, market: string, model: string, n: number, cost: number | null) => ({
  table: 'priced_usage',
  values: [day, 'W1', market, 'marketing', 'regular', model, 'PF', 'USD', n, n, n, cost, cost === null ? 'no_rate' : null, null, 'v1', 0],
});

const pricedCall = (
  day: string,
  phone: string,
  country: string,
  market: string,
  calls: number,
  durationSec: number,
  pulses: number,
  cost: number | null,
  problem: string | null,
) => ({
  table: 'priced_calls',
  values: [day, 'W1', phone, country, market, 'business_initiated', 'PF', 'USD', calls, durationSec, pulses, cost, problem, 'v1', 0],
});

export function describeHistoryMigrations(engineName: string, access: HistoryAccess): void {
  describe(`${engineName} migration 019 on a store with history`, () => {
    it('fills priced_calls_country from the priced calls already stored: their figures without the phone', async () => {
      // 07-10 BR: P1 (2 calls, 70 s, 12 pulses, 0.12) and P2 (1 call, 30 s, 5 pulses, no price): one row of 3
      // calls, 100 s, 17 pulses, 0.12, the problem kept. 07-10 IN: P1 alone. 07-11 BR: P2 alone.
      const store = await access.openWithRows(18, [
        pricedCall('2025-07-10', 'P1', 'BR', 'Brazil', 2, 70, 12, 120_000, null),
        pricedCall('2025-07-10', 'P2', 'BR', 'Brazil', 1, 30, 5, null, 'no_call_rate'),
        pricedCall('2025-07-10', 'P1', 'IN', 'India', 1, 6, 1, 10_000, null),
        pricedCall('2025-07-11', 'P2', 'BR', 'Brazil', 1, 12, 2, 20_000, null),
      ]);
      try {
        const rows = await store.pricedCalls({ fromDay: '2025-07-01', toDay: '2025-07-31', totalsBy: ['country', 'market', 'direction'] });
        expect(
          rows.map((r) => [
            r.day,
            r.phoneNumberId,
            r.country,
            r.market,
            r.calls,
            r.durationSec,
            r.pulses,
            r.costMicros,
            r.problem,
            r.version,
          ]),
        ).toEqual([
          ['2025-07-10', '', 'BR', 'Brazil', 3, 100, 17, 120_000n, 'no_call_rate', 'v1'],
          ['2025-07-10', '', 'IN', 'India', 1, 6, 1, 10_000n, null, 'v1'],
          ['2025-07-11', '', 'BR', 'Brazil', 1, 12, 2, 20_000n, null, 'v1'],
        ]);
        expect(await access.count(store, 'priced_calls_country')).toBe(3);
      } finally {
        await store.close();
      }
    });
  });

  describe(`${engineName} migration 020 on a store with history`, () => {
    it('fills the phone and group grains without the market from the rows already stored: summed over markets and models, a row without a cost apart', async () => {
      // 07-10 P1: Brazil 3 (0.1875), Rest of Western Europe 2 (0.12) under PMP and 1 (0.06) under CBP, India 2
      // (no price): one row of 6 messages and 0.3675, and one of 2 without a cost. P2 on 07-11: 1 message, 0.06.
      const store = await access.openWithRows(19, [
        usage('priced_usage_phone', '2025-07-10', 'P1', 'Brazil', 'PMP', 3, 187_500),
        usage('priced_usage_phone', '2025-07-10', 'P1', 'Rest of Western Europe', 'PMP', 2, 120_000),
        usage('priced_usage_phone', '2025-07-10', 'P1', 'Rest of Western Europe', 'CBP', 1, 60_000),
        usage('priced_usage_phone', '2025-07-10', 'P1', 'India', 'PMP', 2, null),
        usage('priced_usage_phone', '2025-07-11', 'P2', 'Rest of Western Europe', 'PMP', 1, 60_000),
        usage('priced_usage_group', '2025-07-10', 'G1', 'Brazil', 'PMP', 3, 187_500),
        usage('priced_usage_group', '2025-07-10', 'G1', 'India', 'PMP', 2, null),
      ]);
      try {
        const month = { fromDay: '2025-07-01', toDay: '2025-07-31', withoutMarket: true, sumDays: true };
        const read = async (dim: 'phone' | 'group') =>
          (await store.pricedUsageTotals(dim, month)).map((r) => [r.day, r.value, r.market, r.messages, r.billable, r.costMicros]);
        expect(await read('phone')).toEqual([
          ['2025-07-01', 'P1', '', 6, 6, 367_500n],
          ['2025-07-01', 'P1', '', 2, 2, null],
          ['2025-07-01', 'P2', '', 1, 1, 60_000n],
        ]);
        expect(await read('group')).toEqual([
          ['2025-07-01', 'G1', '', 3, 3, 187_500n],
          ['2025-07-01', 'G1', '', 2, 2, null],
        ]);
        expect([
          await access.count(store, 'priced_usage_phone_category'),
          await access.count(store, 'priced_usage_group_category'),
        ]).toEqual([3, 2]);
      } finally {
        await store.close();
      }
    });
  });

  describe(`${engineName} migration 021 on a store with history`, () => {
    it('fills the month totals of the pricing grain, the country and the group from the day rows already stored: summed over days and models, a row without a cost apart', async () => {
      // July: Brazil 3 messages (0.1875) on the 10th under PMP and 1 (0.0625) on the 11th under CBP, India 2 on the
      // 10th without a price; August: Brazil 5 (0.3125), another month.
      const store = await access.openWithRows(20, [
        pricingGrain('2025-07-10', 'Brazil', 'PMP', 3, 187_500),
        pricingGrain('2025-07-10', 'India', 'PMP', 2, null),
        pricingGrain('2025-07-11', 'Brazil', 'CBP', 1, 62_500),
        pricingGrain('2025-08-01', 'Brazil', 'PMP', 5, 312_500),
        usage('priced_usage_country', '2025-07-10', 'BR', 'Brazil', 'PMP', 3, 187_500),
        usage('priced_usage_country', '2025-07-10', 'IN', 'India', 'PMP', 2, null),
        usage('priced_usage_country', '2025-07-11', 'BR', 'Brazil', 'CBP', 1, 62_500),
        usage('priced_usage_group', '2025-07-10', 'G1', 'Brazil', 'PMP', 3, 187_500),
        usage('priced_usage_group', '2025-07-10', 'G1', 'India', 'PMP', 2, null),
        usage('priced_usage_group', '2025-07-11', 'G1', 'Brazil', 'CBP', 1, 62_500),
      ]);
      try {
        const july = { fromDay: '2025-07-01', toDay: '2025-07-31', sumDays: true };
        const read = async (dim: 'country' | 'group' | null) =>
          (await store.pricedUsageTotals(dim, july)).map((r) => [r.day, r.value, r.market, r.messages, r.billable, r.costMicros]);
        expect(await read(null)).toEqual([
          ['2025-07-01', '', 'Brazil', 4, 4, 250_000n],
          ['2025-07-01', '', 'India', 2, 2, null],
        ]);
        expect(await read('country')).toEqual([
          ['2025-07-01', 'BR', 'Brazil', 4, 4, 250_000n],
          ['2025-07-01', 'IN', 'India', 2, 2, null],
        ]);
        expect(await read('group')).toEqual([
          ['2025-07-01', 'G1', 'Brazil', 4, 4, 250_000n],
          ['2025-07-01', 'G1', 'India', 2, 2, null],
        ]);
        expect([
          await access.count(store, 'priced_usage_month'),
          await access.count(store, 'priced_usage_country_month'),
          await access.count(store, 'priced_usage_group_month'),
        ]).toEqual([3, 2, 2]);
      } finally {
        await store.close();
      }
    });
  });

  describe(`${engineName} migration 022 on a store with history`, () => {
    it('gives the marks already stored both kinds, and a mark touched since its claim both touched kinds', async () => {
      // W1's July was claimed by holder h, then touched on the 20th; W2's August was never claimed since its mark.
      const store = await access.openWithRows(21, [
        { table: 'pricing_dirty', values: ['W1', '2025-07', '2025-07-05', '2025-07-20'] },
        { table: 'pricing_dirty', values: ['W2', '2025-08', '2025-08-02', null] },
        { table: 'pricing_leases', values: ['PF', '2025-07', 'h', 10_000] },
      ]);
      try {
        const marks = async () => (await store.pricingDirty()).map((m) => [m.wabaId, m.month, m.fromDay, m.touchedDay, m.kinds]);
        expect(await marks()).toEqual([
          ['W1', '2025-07', '2025-07-05', '2025-07-20', ['usage', 'calls']],
          ['W2', '2025-08', '2025-08-02', null, ['usage', 'calls']],
        ]);
        // h's pass, begun before the upgrade, writes July's last day: the mark stays from the touched day, for
        // the kinds touched since the claim, which the migration cannot tell apart: both (none would lose it).
        const lease = { portfolioId: 'PF', month: '2025-07', holder: 'h', nowMs: 0, leaseMs: 1_000 };
        const none = { country: [], phone: [], group: [] };
        expect(
          await store.writePricedDay(lease, {
            day: '2025-07-31',
            wabaIds: ['W1'],
            kinds: [],
            pricing: [],
            dims: none,
            calls: [],
            version: 'v',
            pricedAtMs: 0,
          }),
        ).toBe(true);
        expect((await marks())[0]).toEqual(['W1', '2025-07', '2025-07-20', '2025-07-20', ['usage', 'calls']]);
      } finally {
        await store.close();
      }
    });
  });

  describe(`${engineName} migration 023 on a store with history`, () => {
    it('gives the same message_statuses rows from the raw events as the table it drops held, and ingest goes on', async () => {
      const raw = (key: string, kind: string, atMs: number, body: object) => ({
        table: 'raw_events',
        columns: ['dedupe_key', 'kind', 'waba_id', 'phone_number_id', 'at_ms', 'received_at_ms', 'body'],
        values: [key, kind, 'W1', 'P1', atMs, atMs + 500, JSON.stringify(body)],
      });
      // wamid.A sent then delivered, wamid.B read before it was delivered, an inbound message (not a status),
      // and the rows the code before 023 wrote for the three statuses.
      const store = await access.openWithRows(22, [
        raw('status:wamid.A:sent', 'status', 1_000, { id: 'wamid.A', status: 'sent', timestamp: '1' }),
        raw('status:wamid.A:delivered', 'status', 3_000, { id: 'wamid.A', status: 'delivered', timestamp: '3' }),
        raw('status:wamid.B:read', 'status', 5_000, { id: 'wamid.B', status: 'read', timestamp: '5' }),
        raw('inbound:wamid.in', 'inbound', 6_000, { id: 'wamid.in', from: '5511987654321', timestamp: '6' }),
        { table: 'message_statuses', values: ['wamid.A', 'sent', 1_000] },
        { table: 'message_statuses', values: ['wamid.A', 'delivered', 3_000] },
        { table: 'message_statuses', values: ['wamid.B', 'read', 5_000] },
      ]);
      try {
        const statuses = async () =>
          (await access.select(store, 'SELECT wamid, status, at_ms FROM message_statuses ORDER BY at_ms')).map((r) => [
            r.wamid,
            r.status,
            Number(r.at_ms),
          ]);
        expect(await statuses()).toEqual([
          ['wamid.A', 'sent', 1_000],
          ['wamid.A', 'delivered', 3_000],
          ['wamid.B', 'read', 5_000],
        ]);
        expect(await access.count(store, 'raw_events')).toBe(4);
        // wamid.B's delivery arrives after the upgrade: stored once as a raw event, seen once in the view.
        const delivered = statusEvents('W1', statusObject('wamid.B', 'delivered', '1970-01-01T00:00:04Z'));
        expect(await store.ingest([...delivered, ...delivered], 9_000)).toEqual({ inserted: 1, duplicates: 1 });
        expect(await statuses()).toEqual([
          ['wamid.A', 'sent', 1_000],
          ['wamid.A', 'delivered', 3_000],
          ['wamid.B', 'delivered', 4_000],
          ['wamid.B', 'read', 5_000],
        ]);
      } finally {
        await store.close();
      }
    });
  });
}
