import type { Pool, PoolClient } from 'pg';
import {
  bitsOfKinds,
  callsCountryFillSql,
  PRICED_TABLES,
  WITHOUT_MARKET_FILLS,
  DIM_TABLE,
  dimColumns,
  dimRowOf,
  dimTotalOf,
  dimValues,
  markAfterWrite,
  markOf,
  monthOfDay,
  PRICED_CALL_COLUMNS,
  PRICED_COLUMNS,
  PRICED_DIMENSIONS,
  pricedCallOf,
  pricedCallsSql,
  pricedCallValues,
  pricedRowOf,
  pricedTotalsSql,
  pricedValues,
  type DirtyMonth,
  type PricedCallQuery,
  type PricedCallRow,
  type PricedDay,
  type PricedDimension,
  type PricedDimQuery,
  type PricedDimTotal,
  type PricedDimRow,
  type PricedRollupStore,
  type PricedUsageRow,
  type PendingMarks,
  type PricingLease,
  ALL_KINDS_BITS,
  isLastDayOfMonth,
  STAMP_OF,
  stampOf,
  unfitCountsSql,
} from '../priced-rollups';
import { MONTH_TABLES, monthChangeSql, monthPruneSql, monthTotalsSql } from '../month-totals';
import type { DayRange } from '../store';
import { inTransaction } from './tx';
import { unnestOf, type Part } from './batched-statements';

/**
 * The earlier day wins, in from_day and in touched_day (LEAST skips the NULL a re-pricer's claim
 * left); the kinds add up (migration 022).
 */
const UPSERT_DIRTY = `ON CONFLICT (waba_id, month) DO UPDATE SET from_day = LEAST(pricing_dirty.from_day, excluded.from_day),
  touched_day = LEAST(pricing_dirty.touched_day, excluded.touched_day),
  kinds = pricing_dirty.kinds | excluded.kinds, touched_kinds = pricing_dirty.touched_kinds | excluded.touched_kinds`;

/**
 * Ingest's dirty marks, one statement for the batch, in key order (two ingests marking the same
 * months lock the rows in the same order, so they queue rather than deadlock). A part of the batch's
 * write statement (batched-statements.ts).
 */
export function markDirtyPart(marks: PendingMarks): Part {
  const keys = [...marks.keys()].sort();
  const wabas: string[] = [];
  const firsts: string[] = [];
  const kinds: number[] = [];
  for (const k of keys) {
    const m = marks.get(k) as { day: string; kinds: number };
    wabas.push(k.slice(0, k.lastIndexOf('\u0000')));
    firsts.push(m.day);
    kinds.push(m.kinds);
  }
  return {
    sql: (from) => `INSERT INTO pricing_dirty (waba_id, month, from_day, touched_day, kinds, touched_kinds)
     SELECT w, substr(d, 1, 7), d, d, k, k FROM ${unnestOf(['text', 'text', 'int'], from)} AS t(w, d, k) ${UPSERT_DIRTY}`,
    args: [wabas, firsts, kinds],
  };
}

/** Every month with usage or calls (migration 017) on or after `fromDay`, from its first such day. */
export async function markFromDay(c: PoolClient, fromDay: string): Promise<void> {
  await c.query(
    `INSERT INTO pricing_dirty (waba_id, month, from_day, touched_day, kinds, touched_kinds)
     SELECT waba_id, substr(day, 1, 7), MIN(day), MIN(day), ${ALL_KINDS_BITS}, ${ALL_KINDS_BITS} FROM (
       SELECT waba_id, day FROM usage_pricing WHERE day >= $1 UNION ALL SELECT waba_id, day FROM calls_daily WHERE day >= $1
     ) AS d GROUP BY waba_id, substr(day, 1, 7)
     ORDER BY 1, 2 ${UPSERT_DIRTY}`,
    [fromDay],
  );
}

/**
 * Locks a month's marks of `wabaIds` in key order, as ingest's and imports' upserts take them, so
 * the re-pricer and a webhook marking the same months queue rather than deadlock.
 */
async function lockMarks(c: PoolClient, month: string, wabaIds: readonly string[]): Promise<Record<string, unknown>[]> {
  const { rows } = await c.query<Record<string, unknown>>(
    'SELECT * FROM pricing_dirty WHERE month = $1 AND waba_id = ANY($2::text[]) ORDER BY waba_id FOR UPDATE',
    [month, [...wabaIds]],
  );
  return rows;
}

/** The claim's half of a read: the marks, their touched days cleared (under the lock lockMarks takes). */
async function clearTouched(c: PoolClient, month: string, wabaIds: readonly string[]): Promise<Record<string, unknown>[]> {
  const marks = await lockMarks(c, month, wabaIds);
  if (marks.length > 0)
    await c.query('UPDATE pricing_dirty SET touched_day = NULL, touched_kinds = 0 WHERE month = $1 AND waba_id = ANY($2::text[])', [
      month,
      [...wabaIds],
    ]);
  return marks.map((m) => ({ ...m, touched_day: null, touched_kinds: 0 }));
}

const text = (v: unknown) => (v === null || v === undefined ? null : typeof v === 'bigint' ? v.toString() : String(v));

/** Priced rollups on PostgreSQL (migration 013), on the store's side pool so ingest never queues behind them. */
export class PgPricedRollups implements PricedRollupStore {
  constructor(private readonly pool: Pool) {}

  async pricingDirty(): Promise<DirtyMonth[]> {
    const res = await this.pool.query('SELECT * FROM pricing_dirty ORDER BY month, waba_id');
    return res.rows.map(markOf);
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

  async claimPricingMonth(l: PricingLease, wabaIds: readonly string[]): Promise<DirtyMonth[] | null> {
    return inTransaction(this.pool, async (c) => {
      const res = await c.query(
        `INSERT INTO pricing_leases (portfolio_id, month, holder, lease_until_ms) VALUES ($1, $2, $3, $4)
         ON CONFLICT (portfolio_id, month) DO UPDATE SET holder = excluded.holder, lease_until_ms = excluded.lease_until_ms
         WHERE pricing_leases.holder = excluded.holder OR pricing_leases.lease_until_ms <= $5 RETURNING holder`,
        [l.portfolioId, l.month, l.holder, l.nowMs + l.leaseMs, l.nowMs],
      );
      if ((res.rowCount ?? 0) === 0) return null;
      return (await clearTouched(c, l.month, wabaIds)).map(markOf);
    });
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
      const ofDay = 'day = $1 AND waba_id = ANY($2::text[])';
      const month = monthOfDay(d.day);
      const run = (sql: string) => c.query(sql, [d.day, [...d.wabaIds]]);
      if (d.kinds.includes('usage')) {
        for (const t of MONTH_TABLES) await run(monthChangeSql(t, -1, ofDay));
        for (const table of [...PRICED_TABLES.usage, ...WITHOUT_MARKET_FILLS.map((f) => f.table)])
          await run(`DELETE FROM ${table} WHERE ${ofDay}`);
        await insertColumns(
          c,
          'priced_usage',
          PRICED_COLUMNS,
          PRICED_TYPES,
          d.pricing.map((r) => pricedValues(r, d.version, d.pricedAtMs)),
        );
        for (const dim of PRICED_DIMENSIONS)
          await insertColumns(c, DIM_TABLE[dim].table, dimColumns(dim), DIM_TYPES, d.dims[dim].map(dimValues));
        for (const f of WITHOUT_MARKET_FILLS) await run(f.fillSql(ofDay));
        for (const t of MONTH_TABLES) {
          await run(monthChangeSql(t, 1, ofDay));
          await c.query(monthPruneSql(t, 'month = $1 AND waba_id = ANY($2::text[])'), [month, [...d.wabaIds]]);
        }
      }
      if (d.kinds.includes('calls')) {
        for (const table of PRICED_TABLES.calls) await run(`DELETE FROM ${table} WHERE ${ofDay}`);
        await insertColumns(
          c,
          'priced_calls',
          PRICED_CALL_COLUMNS,
          CALL_TYPES,
          d.calls.map((r) => pricedCallValues(r, d.version, d.pricedAtMs)),
        );
        await run(callsCountryFillSql(ofDay));
      }
      // Locked first, in WABA order as every other writer of the marks does, then marked for what the day still owes.
      const marks = (await lockMarks(c, month, d.wabaIds)).map(markOf);
      const owed = bitsOfKinds(d.owed ?? []);
      if (owed !== 0 && marks.length > 0)
        await c.query(
          'UPDATE pricing_dirty SET touched_day = LEAST(COALESCE(touched_day, $1), $1), touched_kinds = touched_kinds | $2 WHERE month = $3 AND waba_id = ANY($4::text[])',
          [d.day, owed, month, [...d.wabaIds]],
        );
      let touched: string | null = owed !== 0 && marks.length > 0 ? d.day : null;
      for (const { touchedDay: t } of marks) if (t !== null && (touched === null || t < touched)) touched = t;
      const from = markAfterWrite(d.day, touched);
      if (from === null) await c.query('DELETE FROM pricing_dirty WHERE month = $1 AND waba_id = ANY($2::text[])', [month, [...d.wabaIds]]);
      else
        await c.query(
          `UPDATE pricing_dirty SET from_day = $1${isLastDayOfMonth(d.day) ? ', kinds = touched_kinds' : ''} WHERE month = $2 AND waba_id = ANY($3::text[])`,
          [from, month, [...d.wabaIds]],
        );
      return true;
    });
  }

  async finishPricingMonth(l: PricingLease): Promise<void> {
    await this.pool.query('DELETE FROM pricing_leases WHERE portfolio_id = $1 AND month = $2 AND holder = $3', [
      l.portfolioId,
      l.month,
      l.holder,
    ]);
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

  async pricedUsageStamp(range: DayRange): Promise<string> {
    const res = await this.pool.query(`${STAMP_OF} WHERE day >= $1 AND day <= $2`, [range.fromDay, range.toDay]);
    return stampOf(res.rows[0] as { n: unknown; at: unknown } | undefined);
  }

  async pricedUsageUnfit(range: DayRange, version: string): Promise<{ problems: number; stale: number }> {
    const { sql, args } = unfitCountsSql(range, version, (i) => `$${i}`);
    const res = await this.pool.query(sql, args);
    return { problems: Number(res.rows[0].problems), stale: Number(res.rows[0].stale) };
  }

  async pricedCalls(query: PricedCallQuery): Promise<PricedCallRow[]> {
    const { sql, args } = pricedCallsSql(query, (i) => `$${i}`);
    const res = await this.pool.query(sql, args);
    return res.rows.map(pricedCallOf);
  }

  async pricedUsageTotals(dimension: PricedDimension | null, query: PricedDimQuery): Promise<PricedDimTotal[]> {
    const month = monthTotalsSql(dimension, query, (i) => `$${i}`);
    const fromMonth =
      month !== null &&
      (month.probe === undefined || Number((await this.pool.query(month.probe.sql, month.probe.args)).rows[0].outside) === 0);
    const { sql, args } = fromMonth ? month : pricedTotalsSql(dimension, query, (i) => `$${i}`);
    const res = await this.pool.query(sql, args);
    return res.rows.map((r: Record<string, unknown>) => dimTotalOf(dimension, query, r));
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
const CALL_TYPES = [
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
