import type Database from 'better-sqlite3';
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
  type PricingLease,
  ALL_KINDS_BITS,
  isLastDayOfMonth,
  STAMP_OF,
  stampOf,
  unfitCountsSql,
} from '../priced-rollups';
import { MONTH_TABLES, monthChangeSql, monthPruneSql, monthTotalsSql } from '../month-totals';
import type { DayRange } from '../store';

/**
 * The earlier day wins, in from_day and in touched_day (NULL since the re-pricer's claim: the new
 * day); the kinds add up (migration 022).
 */
const UPSERT_DIRTY = `ON CONFLICT (waba_id, month) DO UPDATE SET from_day = MIN(from_day, excluded.from_day),
  touched_day = MIN(COALESCE(touched_day, excluded.touched_day), excluded.touched_day),
  kinds = kinds | excluded.kinds, touched_kinds = touched_kinds | excluded.touched_kinds`;

/** The dirty mark ingest makes in its own transaction: WABA, day, day, day, kind bits, kind bits. */
export const MARK_DIRTY_SQL = `INSERT INTO pricing_dirty (waba_id, month, from_day, touched_day, kinds, touched_kinds)
  VALUES (?, substr(?, 1, 7), ?, ?, ?, ?) ${UPSERT_DIRTY}`;

/**
 * Every month with usage or calls on or after `@day`, from its first such day (a price file in force
 * from that day; calls since migration 017, whose rows the same re-pricing writes).
 */
export const MARK_FROM_DAY_SQL = `INSERT INTO pricing_dirty (waba_id, month, from_day, touched_day, kinds, touched_kinds)
  SELECT waba_id, substr(day, 1, 7), MIN(day), MIN(day), ${ALL_KINDS_BITS}, ${ALL_KINDS_BITS} FROM (
    SELECT waba_id, day FROM usage_pricing WHERE day >= @day UNION ALL SELECT waba_id, day FROM calls_daily WHERE day >= @day
  ) WHERE true GROUP BY waba_id, substr(day, 1, 7)
  ${UPSERT_DIRTY}`;

const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/** Priced rollups on SQLite (migration 013); one connection, so transactions never interleave. */
export class SqlitePricedRollups implements PricedRollupStore {
  private readonly markFrom: Database.Statement;
  private readonly insertPriced: Database.Statement;
  private readonly insertCall: Database.Statement;
  private readonly insertDim: Record<PricedDimension, Database.Statement>;

  constructor(private readonly db: Database.Database) {
    this.markFrom = db.prepare(MARK_FROM_DAY_SQL);
    this.insertPriced = db.prepare(
      `INSERT INTO priced_usage (${PRICED_COLUMNS.join(', ')}) VALUES (${placeholders(PRICED_COLUMNS.length)})`,
    );
    this.insertCall = db.prepare(
      `INSERT INTO priced_calls (${PRICED_CALL_COLUMNS.join(', ')}) VALUES (${placeholders(PRICED_CALL_COLUMNS.length)})`,
    );
    this.insertDim = Object.fromEntries(
      PRICED_DIMENSIONS.map((d) => [
        d,
        db.prepare(`INSERT INTO ${DIM_TABLE[d].table} (${dimColumns(d).join(', ')}) VALUES (${placeholders(dimColumns(d).length)})`),
      ]),
    ) as Record<PricedDimension, Database.Statement>;
  }

  /** For a price-file import, inside its transaction. */
  markFromDay(day: string): void {
    this.markFrom.run({ day });
  }

  async pricingDirty(): Promise<DirtyMonth[]> {
    const rows = this.db.prepare('SELECT * FROM pricing_dirty ORDER BY month, waba_id').all() as Record<string, string | number>[];
    return rows.map(markOf);
  }

  async ensurePricingVersion(version: string): Promise<boolean> {
    return this.db
      .transaction(() => {
        const stored = this.db.prepare('SELECT version FROM pricing_version WHERE id = 1').get() as { version: string } | undefined;
        if (stored?.version === version) return false;
        this.markFrom.run({ day: '' });
        this.db
          .prepare('INSERT INTO pricing_version (id, version) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET version = excluded.version')
          .run(version);
        return true;
      })
      .immediate();
  }

  async claimPricingMonth(l: PricingLease, wabaIds: readonly string[]): Promise<DirtyMonth[] | null> {
    return this.db
      .transaction(() => {
        const row = this.db
          .prepare(
            `INSERT INTO pricing_leases (portfolio_id, month, holder, lease_until_ms) VALUES (?, ?, ?, ?)
           ON CONFLICT (portfolio_id, month) DO UPDATE SET holder = excluded.holder, lease_until_ms = excluded.lease_until_ms
           WHERE pricing_leases.holder = excluded.holder OR pricing_leases.lease_until_ms <= ? RETURNING holder`,
          )
          .get(l.portfolioId, l.month, l.holder, l.nowMs + l.leaseMs, l.nowMs);
        if (row === undefined) return null;
        const marks = this.db
          .prepare(
            `UPDATE pricing_dirty SET touched_day = NULL, touched_kinds = 0 WHERE month = ? AND waba_id IN (${placeholders(wabaIds.length)}) RETURNING *`,
          )
          .all(l.month, ...wabaIds) as Record<string, unknown>[];
        return marks.map(markOf).sort((a, b) => (a.wabaId < b.wabaId ? -1 : 1));
      })
      .immediate();
  }

  async writePricedDay(l: PricingLease, d: PricedDay): Promise<boolean> {
    return this.db
      .transaction(() => {
        const lease = this.db
          .prepare('SELECT holder, lease_until_ms FROM pricing_leases WHERE portfolio_id = ? AND month = ?')
          .get(l.portfolioId, l.month) as { holder: string; lease_until_ms: number } | undefined;
        if (!lease || lease.holder !== l.holder || lease.lease_until_ms <= l.nowMs) return false;
        this.db
          .prepare('UPDATE pricing_leases SET lease_until_ms = ? WHERE portfolio_id = ? AND month = ?')
          .run(l.nowMs + l.leaseMs, l.portfolioId, l.month);
        const wabas = placeholders(d.wabaIds.length);
        const ofDay = `day = ? AND waba_id IN (${wabas})`;
        const which = `month = ? AND waba_id IN (${wabas})`;
        const month = monthOfDay(d.day);
        const run = (sql: string) => this.db.prepare(sql).run(d.day, ...d.wabaIds);
        if (d.kinds.includes('usage')) {
          for (const t of MONTH_TABLES) run(monthChangeSql(t, -1, ofDay));
          for (const table of [...PRICED_TABLES.usage, ...WITHOUT_MARKET_FILLS.map((f) => f.table)])
            run(`DELETE FROM ${table} WHERE ${ofDay}`);
          for (const r of d.pricing) this.insertPriced.run(...pricedValues(r, d.version, d.pricedAtMs));
          for (const dim of PRICED_DIMENSIONS) for (const r of d.dims[dim]) this.insertDim[dim].run(...dimValues(r));
          for (const f of WITHOUT_MARKET_FILLS) run(f.fillSql(ofDay));
          for (const t of MONTH_TABLES) {
            run(monthChangeSql(t, 1, ofDay));
            this.db.prepare(monthPruneSql(t, which)).run(month, ...d.wabaIds);
          }
        }
        if (d.kinds.includes('calls')) {
          for (const table of PRICED_TABLES.calls) run(`DELETE FROM ${table} WHERE ${ofDay}`);
          for (const r of d.calls) this.insertCall.run(...pricedCallValues(r, d.version, d.pricedAtMs));
          run(callsCountryFillSql(ofDay));
        }
        const owed = bitsOfKinds(d.owed ?? []);
        if (owed !== 0)
          this.db
            .prepare(
              `UPDATE pricing_dirty SET touched_day = MIN(COALESCE(touched_day, ?), ?), touched_kinds = touched_kinds | ? WHERE ${which}`,
            )
            .run(d.day, d.day, owed, month, ...d.wabaIds);
        const { touched } = this.db
          .prepare(`SELECT MIN(touched_day) AS touched FROM pricing_dirty WHERE ${which}`)
          .get(month, ...d.wabaIds) as {
          touched: string | null;
        };
        const from = markAfterWrite(d.day, touched);
        if (from === null) this.db.prepare(`DELETE FROM pricing_dirty WHERE ${which}`).run(month, ...d.wabaIds);
        else
          this.db
            .prepare(`UPDATE pricing_dirty SET from_day = ?${isLastDayOfMonth(d.day) ? ', kinds = touched_kinds' : ''} WHERE ${which}`)
            .run(from, month, ...d.wabaIds);
        return true;
      })
      .immediate();
  }

  async finishPricingMonth(l: PricingLease): Promise<void> {
    this.db.prepare('DELETE FROM pricing_leases WHERE portfolio_id = ? AND month = ? AND holder = ?').run(l.portfolioId, l.month, l.holder);
  }

  async pricedUsage(range: DayRange): Promise<PricedUsageRow[]> {
    const byWaba = range.wabaId === undefined ? '' : ' AND waba_id = ?';
    const rows = this.db
      .prepare(
        `SELECT * FROM priced_usage WHERE day >= ? AND day <= ?${byWaba} ORDER BY ${['day', 'waba_id', 'market', 'category', 'pricing_type', 'pricing_model'].join(', ')}`,
      )
      .safeIntegers(true)
      .all(range.fromDay, range.toDay, ...(range.wabaId === undefined ? [] : [range.wabaId])) as Record<string, unknown>[];
    return rows.map(pricedRowOf);
  }

  async pricedUsageBy(dimension: PricedDimension, range: DayRange): Promise<PricedDimRow[]> {
    const { table, column } = DIM_TABLE[dimension];
    const byWaba = range.wabaId === undefined ? '' : ' AND waba_id = ?';
    const rows = this.db
      .prepare(
        `SELECT * FROM ${table} WHERE day >= ? AND day <= ?${byWaba} ORDER BY day, waba_id, ${column}, market, category, pricing_type, pricing_model`,
      )
      .safeIntegers(true)
      .all(range.fromDay, range.toDay, ...(range.wabaId === undefined ? [] : [range.wabaId])) as Record<string, unknown>[];
    return rows.map((r) => dimRowOf(dimension, r));
  }

  async pricedUsageUnfit(range: DayRange, version: string): Promise<{ problems: number; stale: number }> {
    const { sql, args } = unfitCountsSql(range, version, () => '?', true);
    const row = this.db.prepare(sql).get(...args) as { problems: number; stale: number };
    return { problems: Number(row.problems), stale: Number(row.stale) };
  }

  async pricedUsageStamp(range: DayRange): Promise<string> {
    return stampOf(
      this.db.prepare(`${STAMP_OF} WHERE day >= ? AND day <= ?`).get(range.fromDay, range.toDay) as { n: unknown; at: unknown },
    );
  }

  async pricedCalls(query: PricedCallQuery): Promise<PricedCallRow[]> {
    const { sql, args } = pricedCallsSql(query, () => '?');
    const rows = this.db
      .prepare(sql)
      .safeIntegers(true)
      .all(...args) as Record<string, unknown>[];
    return rows.map(pricedCallOf);
  }

  async pricedUsageTotals(dimension: PricedDimension | null, query: PricedDimQuery): Promise<PricedDimTotal[]> {
    const month = monthTotalsSql(dimension, query, () => '?');
    const fromMonth =
      month !== null &&
      (month.probe === undefined ||
        this.db
          .prepare(month.probe.sql)
          .pluck()
          .get(...month.probe.args) === 0);
    const { sql, args } = fromMonth ? month : pricedTotalsSql(dimension, query, () => '?');
    const rows = this.db
      .prepare(sql)
      .safeIntegers(true)
      .all(...args) as Record<string, unknown>[];
    return rows.map((r) => dimTotalOf(dimension, query, r));
  }
}
