import type Database from 'better-sqlite3';
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

/** The dirty mark ingest makes in its own transaction: the earlier first day wins, gen moves. */
export const MARK_DIRTY_SQL = `INSERT INTO pricing_dirty (waba_id, month, from_day, gen) VALUES (?, substr(?, 1, 7), ?, 1)
  ON CONFLICT (waba_id, month) DO UPDATE SET from_day = MIN(from_day, excluded.from_day), gen = gen + 1`;

/** Every month with usage on or after `fromDay`, from its first such day (a price file in force from `fromDay`). */
export const MARK_FROM_DAY_SQL = `INSERT INTO pricing_dirty (waba_id, month, from_day, gen)
  SELECT waba_id, substr(day, 1, 7), MIN(day), 1 FROM usage_pricing WHERE day >= ? GROUP BY waba_id, substr(day, 1, 7)
  ON CONFLICT (waba_id, month) DO UPDATE SET from_day = MIN(from_day, excluded.from_day), gen = gen + 1`;

const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/** Priced rollups on SQLite (migration 013); one connection, so transactions never interleave. */
export class SqlitePricedRollups implements PricedRollupStore {
  private readonly markFrom: Database.Statement;
  private readonly insertPriced: Database.Statement;
  private readonly insertDim: Record<PricedDimension, Database.Statement>;

  constructor(private readonly db: Database.Database) {
    this.markFrom = db.prepare(MARK_FROM_DAY_SQL);
    this.insertPriced = db.prepare(
      `INSERT INTO priced_usage (${PRICED_COLUMNS.join(', ')}) VALUES (${placeholders(PRICED_COLUMNS.length)})`,
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
    this.markFrom.run(day);
  }

  async pricingDirty(): Promise<DirtyMonth[]> {
    const rows = this.db.prepare('SELECT * FROM pricing_dirty ORDER BY month, waba_id').all() as Record<string, string | number>[];
    return rows.map((r) => ({ wabaId: String(r.waba_id), month: String(r.month), fromDay: String(r.from_day), gen: Number(r.gen) }));
  }

  async ensurePricingVersion(version: string): Promise<boolean> {
    return this.db.transaction(() => {
      const stored = this.db.prepare('SELECT version FROM pricing_version WHERE id = 1').get() as { version: string } | undefined;
      if (stored?.version === version) return false;
      this.markFrom.run('');
      this.db
        .prepare('INSERT INTO pricing_version (id, version) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET version = excluded.version')
        .run(version);
      return true;
    })();
  }

  async claimPricingMonth(l: PricingLease): Promise<boolean> {
    const row = this.db
      .prepare(
        `INSERT INTO pricing_leases (portfolio_id, month, holder, lease_until_ms) VALUES (?, ?, ?, ?)
         ON CONFLICT (portfolio_id, month) DO UPDATE SET holder = excluded.holder, lease_until_ms = excluded.lease_until_ms
         WHERE pricing_leases.holder = excluded.holder OR pricing_leases.lease_until_ms <= ? RETURNING holder`,
      )
      .get(l.portfolioId, l.month, l.holder, l.nowMs + l.leaseMs, l.nowMs);
    return row !== undefined;
  }

  async writePricedDay(l: PricingLease, d: PricedDay): Promise<boolean> {
    return this.db.transaction(() => {
      const lease = this.db
        .prepare('SELECT holder, lease_until_ms FROM pricing_leases WHERE portfolio_id = ? AND month = ?')
        .get(l.portfolioId, l.month) as { holder: string; lease_until_ms: number } | undefined;
      if (!lease || lease.holder !== l.holder || lease.lease_until_ms <= l.nowMs) return false;
      this.db
        .prepare('UPDATE pricing_leases SET lease_until_ms = ? WHERE portfolio_id = ? AND month = ?')
        .run(l.nowMs + l.leaseMs, l.portfolioId, l.month);
      const wabas = placeholders(d.wabaIds.length);
      for (const table of ['priced_usage', ...PRICED_DIMENSIONS.map((x) => DIM_TABLE[x].table)])
        this.db.prepare(`DELETE FROM ${table} WHERE day = ? AND waba_id IN (${wabas})`).run(d.day, ...d.wabaIds);
      for (const r of d.pricing) this.insertPriced.run(...pricedValues(r, d.version, d.pricedAtMs));
      for (const dim of PRICED_DIMENSIONS) for (const r of d.dims[dim]) this.insertDim[dim].run(...dimValues(r));
      return true;
    })();
  }

  async finishPricingMonth(l: PricingLease, done: readonly DirtyMonth[]): Promise<void> {
    this.db.transaction(() => {
      const clear = this.db.prepare('DELETE FROM pricing_dirty WHERE waba_id = ? AND month = ? AND gen = ?');
      for (const m of done) clear.run(m.wabaId, m.month, m.gen);
      this.db
        .prepare('DELETE FROM pricing_leases WHERE portfolio_id = ? AND month = ? AND holder = ?')
        .run(l.portfolioId, l.month, l.holder);
    })();
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

  async pricedUsageUnfit(range: DayRange, version: string): Promise<number> {
    const byWaba = range.wabaId === undefined ? '' : ' AND waba_id = ?';
    const row = this.db
      .prepare(`SELECT COUNT(*) AS n FROM priced_usage WHERE day >= ? AND day <= ?${byWaba} AND (problem IS NOT NULL OR version <> ?)`)
      .get(range.fromDay, range.toDay, ...(range.wabaId === undefined ? [] : [range.wabaId]), version) as { n: number };
    return Number(row.n);
  }

  async pricedUsageTotals(dimension: PricedDimension, query: PricedDimQuery): Promise<PricedDimTotal[]> {
    const { sql, args } = pricedTotalsSql(dimension, query, () => '?');
    const rows = this.db
      .prepare(sql)
      .safeIntegers(true)
      .all(...args) as Record<string, unknown>[];
    return rows.map((r) => dimTotalOf(dimension, r));
  }
}
