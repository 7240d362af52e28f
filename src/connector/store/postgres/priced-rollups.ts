import type { Pool, PoolClient } from 'pg';
import {
  DIM_TABLE,
  dimColumns,
  dimRowOf,
  dimTotalOf,
  dimValues,
  PRICED_COLUMNS,
  PRICED_DIMENSIONS,
  pricedRowOf,
  pricedTotalsSql,
  pricedValues,
  type DirtyMonth,
  type PricedDay,
  type PricedDimension,
  type PricedDimQuery,
  type PricedDimTotal,
  type PricedDimRow,
  type PricedRollupStore,
  type PricedUsageRow,
  type PricingLease,
} from '../priced-rollups';
import type { DayRange } from '../store';
import { inTransaction } from './tx';

const UPSERT_DIRTY = `ON CONFLICT (waba_id, month) DO UPDATE SET from_day = LEAST(pricing_dirty.from_day, excluded.from_day), gen = pricing_dirty.gen + 1`;

/**
 * Ingest's dirty marks, one statement for the batch, in key order (two ingests marking the same
 * months lock the rows in the same order, so they queue rather than deadlock).
 */
export async function markDirty(c: PoolClient, days: ReadonlyMap<string, string>): Promise<void> {
  if (days.size === 0) return;
  const keys = [...days.keys()].sort();
  const wabas: string[] = [];
  const firsts: string[] = [];
  for (const k of keys) {
    wabas.push(k.slice(0, k.lastIndexOf('\u0000')));
    firsts.push(days.get(k) as string);
  }
  await c.query(
    `INSERT INTO pricing_dirty (waba_id, month, from_day, gen) SELECT w, substr(d, 1, 7), d, 1 FROM unnest($1::text[], $2::text[]) AS t(w, d) ${UPSERT_DIRTY}`,
    [wabas, firsts],
  );
}

/** Every month with usage on or after `fromDay`, from its first such day. */
export async function markFromDay(c: PoolClient, fromDay: string): Promise<void> {
  await c.query(
    `INSERT INTO pricing_dirty (waba_id, month, from_day, gen)
     SELECT waba_id, substr(day, 1, 7), MIN(day), 1 FROM usage_pricing WHERE day >= $1 GROUP BY waba_id, substr(day, 1, 7)
     ORDER BY 1, 2 ${UPSERT_DIRTY}`,
    [fromDay],
  );
}

const text = (v: unknown) => (v === null || v === undefined ? null : typeof v === 'bigint' ? v.toString() : String(v));

/** Priced rollups on PostgreSQL (migration 013), on the store's side pool so ingest never queues behind them. */
export class PgPricedRollups implements PricedRollupStore {
  constructor(private readonly pool: Pool) {}

  async pricingDirty(): Promise<DirtyMonth[]> {
    const res = await this.pool.query('SELECT * FROM pricing_dirty ORDER BY month, waba_id');
    return res.rows.map((r: Record<string, string>) => ({
      wabaId: String(r.waba_id),
      month: String(r.month),
      fromDay: String(r.from_day),
      gen: Number(r.gen),
    }));
  }

  async ensurePricingVersion(version: string): Promise<boolean> {
    return inTransaction(this.pool, async (c) => {
      // The row lock makes a second replica starting at the same moment wait, then see the new version.
      await c.query('INSERT INTO pricing_version (id, version) VALUES (1, $1) ON CONFLICT (id) DO NOTHING', ['']);
      const { rows } = await c.query<{ version: string }>('SELECT version FROM pricing_version WHERE id = 1 FOR UPDATE');
      if (rows[0]?.version === version) return false;
      await markFromDay(c, '');
      await c.query('UPDATE pricing_version SET version = $1 WHERE id = 1', [version]);
      return true;
    });
  }

  async claimPricingMonth(l: PricingLease): Promise<boolean> {
    const res = await this.pool.query(
      `INSERT INTO pricing_leases (portfolio_id, month, holder, lease_until_ms) VALUES ($1, $2, $3, $4)
       ON CONFLICT (portfolio_id, month) DO UPDATE SET holder = excluded.holder, lease_until_ms = excluded.lease_until_ms
       WHERE pricing_leases.holder = excluded.holder OR pricing_leases.lease_until_ms <= $5 RETURNING holder`,
      [l.portfolioId, l.month, l.holder, l.nowMs + l.leaseMs, l.nowMs],
    );
    return (res.rowCount ?? 0) > 0;
  }

  async writePricedDay(l: PricingLease, d: PricedDay): Promise<boolean> {
    return inTransaction(this.pool, async (c) => {
      // Locked for the transaction: a replica claiming the expired lease meanwhile waits for this write, then owns the month.
      const { rows } = await c.query<{ holder: string; lease_until_ms: string }>(
        'SELECT holder, lease_until_ms FROM pricing_leases WHERE portfolio_id = $1 AND month = $2 FOR UPDATE',
        [l.portfolioId, l.month],
      );
      const lease = rows[0];
      if (!lease || lease.holder !== l.holder || Number(lease.lease_until_ms) <= l.nowMs) return false;
      await c.query('UPDATE pricing_leases SET lease_until_ms = $1 WHERE portfolio_id = $2 AND month = $3', [
        l.nowMs + l.leaseMs,
        l.portfolioId,
        l.month,
      ]);
      for (const table of ['priced_usage', ...PRICED_DIMENSIONS.map((x) => DIM_TABLE[x].table)])
        await c.query(`DELETE FROM ${table} WHERE day = $1 AND waba_id = ANY($2::text[])`, [d.day, [...d.wabaIds]]);
      await insertColumns(
        c,
        'priced_usage',
        PRICED_COLUMNS,
        PRICED_TYPES,
        d.pricing.map((r) => pricedValues(r, d.version, d.pricedAtMs)),
      );
      for (const dim of PRICED_DIMENSIONS)
        await insertColumns(c, DIM_TABLE[dim].table, dimColumns(dim), DIM_TYPES, d.dims[dim].map(dimValues));
      return true;
    });
  }

  async finishPricingMonth(l: PricingLease, done: readonly DirtyMonth[]): Promise<void> {
    await inTransaction(this.pool, async (c) => {
      const sorted = [...done].sort((a, b) => (a.wabaId < b.wabaId ? -1 : a.wabaId > b.wabaId ? 1 : a.month < b.month ? -1 : 1));
      if (sorted.length > 0)
        await c.query(
          `DELETE FROM pricing_dirty p USING unnest($1::text[], $2::text[], $3::bigint[]) AS t(w, m, g)
           WHERE p.waba_id = t.w AND p.month = t.m AND p.gen = t.g`,
          [sorted.map((m) => m.wabaId), sorted.map((m) => m.month), sorted.map((m) => m.gen)],
        );
      await c.query('DELETE FROM pricing_leases WHERE portfolio_id = $1 AND month = $2 AND holder = $3', [
        l.portfolioId,
        l.month,
        l.holder,
      ]);
    });
  }

  async pricedUsage(range: DayRange): Promise<PricedUsageRow[]> {
    const args: unknown[] = [range.fromDay, range.toDay];
    if (range.wabaId !== undefined) args.push(range.wabaId);
    const res = await this.pool.query(
      `SELECT * FROM priced_usage WHERE day >= $1 AND day <= $2${range.wabaId === undefined ? '' : ' AND waba_id = $3'}
       ORDER BY day, waba_id, market, category, pricing_type, pricing_model`,
      args,
    );
    return res.rows.map(pricedRowOf);
  }

  async pricedUsageBy(dimension: PricedDimension, range: DayRange): Promise<PricedDimRow[]> {
    const { table, column } = DIM_TABLE[dimension];
    const args: unknown[] = [range.fromDay, range.toDay];
    if (range.wabaId !== undefined) args.push(range.wabaId);
    const res = await this.pool.query(
      `SELECT * FROM ${table} WHERE day >= $1 AND day <= $2${range.wabaId === undefined ? '' : ' AND waba_id = $3'}
       ORDER BY day, waba_id, ${column}, market, category, pricing_type, pricing_model`,
      args,
    );
    return res.rows.map((r: Record<string, unknown>) => dimRowOf(dimension, r));
  }

  async pricedUsageUnfit(range: DayRange, version: string): Promise<number> {
    const args: unknown[] = [range.fromDay, range.toDay, version];
    if (range.wabaId !== undefined) args.push(range.wabaId);
    const res = await this.pool.query(
      `SELECT COUNT(*) AS n FROM priced_usage WHERE day >= $1 AND day <= $2 AND (problem IS NOT NULL OR version <> $3)${range.wabaId === undefined ? '' : ' AND waba_id = $4'}`,
      args,
    );
    return Number(res.rows[0].n);
  }

  async pricedUsageTotals(dimension: PricedDimension, query: PricedDimQuery): Promise<PricedDimTotal[]> {
    const { sql, args } = pricedTotalsSql(dimension, query, (i) => `$${i}`);
    const res = await this.pool.query(sql, args);
    return res.rows.map((r: Record<string, unknown>) => dimTotalOf(dimension, r));
  }
}

const PRICED_TYPES = [
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'bigint',
  'bigint',
  'bigint',
  'bigint',
  'text',
  'text',
  'text',
  'bigint',
];
const DIM_TYPES = ['text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'bigint', 'bigint', 'bigint', 'bigint'];

/** One multi-row INSERT through unnest (one array per column, so no parameter limit). */
async function insertColumns(c: PoolClient, table: string, names: readonly string[], types: readonly string[], rows: readonly unknown[][]) {
  if (rows.length === 0) return;
  const cols = names.map((_, i) => rows.map((r) => text(r[i])));
  await c.query(
    `INSERT INTO ${table} (${names.join(', ')}) SELECT * FROM unnest(${types.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})`,
    cols,
  );
}
