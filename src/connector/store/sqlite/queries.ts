import type Database from 'better-sqlite3';
import type { Category, Direction, PricingType } from '@core';
import type { MetaCallRow, MetaPricingRow, PullCursor, PullSource } from '../../pull/pull-sink';
import { usageDailySql, usageRowOf } from '../usage-row';
import type { DayRange, UsageDailyQuery, UsageDailyRow } from '../store';

function rangeWhere(range: DayRange): { sql: string; args: string[] } {
  const args = [range.fromDay, range.toDay];
  let sql = 'day >= ? AND day <= ?';
  if (range.wabaId !== undefined) {
    sql += ' AND waba_id = ?';
    args.push(range.wabaId);
  }
  return { sql, args };
}

export function readUsage(db: Database.Database, range: UsageDailyQuery): UsageDailyRow[] {
  const w = rangeWhere(range);
  const rows = db.prepare(usageDailySql(w.sql, range.keep)).all(...w.args) as Record<string, string | number>[];
  return rows.map((r) => usageRowOf(r));
}

interface PricingRecord {
  day: string;
  waba_id: string;
  phone_number_id: string | null;
  country: string | null;
  category: string | null;
  pricing_type: string | null;
  tier: string | null;
  volume: number;
  cost_micros: string | null;
  currency: string;
}

export function readPricing(db: Database.Database, source: PullSource, range: DayRange): MetaPricingRow[] {
  const w = rangeWhere(range);
  const rows = db
    .prepare(`SELECT * FROM pulled_pricing WHERE source = ? AND ${w.sql} ORDER BY rowid`)
    .all(source, ...w.args) as PricingRecord[];
  return rows.map((r) => ({
    day: r.day,
    wabaId: r.waba_id,
    phoneNumberId: r.phone_number_id,
    country: r.country,
    category: r.category as Category | null,
    pricingType: r.pricing_type as PricingType | null,
    tier: r.tier,
    volume: r.volume,
    costMicros: r.cost_micros === null ? null : BigInt(r.cost_micros),
    currency: r.currency,
  }));
}

interface CallRecord {
  day: string;
  waba_id: string;
  phone_number_id: string | null;
  country: string | null;
  direction: string | null;
  count: number;
  cost_micros: string | null;
  average_duration_sec: number | null;
  currency: string;
}

export function readCalls(db: Database.Database, source: PullSource, range: DayRange): MetaCallRow[] {
  const w = rangeWhere(range);
  const rows = db.prepare(`SELECT * FROM pulled_calls WHERE source = ? AND ${w.sql} ORDER BY rowid`).all(source, ...w.args) as CallRecord[];
  return rows.map((r) => ({
    day: r.day,
    wabaId: r.waba_id,
    phoneNumberId: r.phone_number_id,
    country: r.country,
    direction: r.direction as Direction | null,
    count: r.count,
    costMicros: r.cost_micros === null ? null : BigInt(r.cost_micros),
    averageDurationSec: r.average_duration_sec,
    currency: r.currency,
  }));
}

/** PullSink.replaceDays for SQLite: whole days replaced and the cursor advanced in one transaction. */
export function replacePulledDays(
  db: Database.Database,
  wabaId: string,
  source: PullSource,
  days: string[],
  rows: { pricing?: MetaPricingRow[]; calls?: MetaCallRow[] },
  cursor: PullCursor,
): void {
  const daySet = new Set(days);
  for (const r of [...(rows.pricing ?? []), ...(rows.calls ?? [])]) {
    if (r.wabaId !== wabaId || !daySet.has(r.day))
      throw new Error(`replaceDays(${wabaId}, ${source}): row for ${r.wabaId} on ${r.day} is outside the replaced days`);
  }
  const delPricing = db.prepare('DELETE FROM pulled_pricing WHERE source = ? AND waba_id = ? AND day = ?');
  const delCalls = db.prepare('DELETE FROM pulled_calls WHERE source = ? AND waba_id = ? AND day = ?');
  const insPricing = db.prepare(
    'INSERT INTO pulled_pricing (source, waba_id, day, phone_number_id, country, category, pricing_type, tier, volume, cost_micros, currency) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const insCalls = db.prepare(
    'INSERT INTO pulled_calls (source, waba_id, day, phone_number_id, country, direction, count, cost_micros, average_duration_sec, currency) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  db.transaction(() => {
    for (const day of days) {
      delPricing.run(source, wabaId, day);
      delCalls.run(source, wabaId, day);
    }
    for (const r of rows.pricing ?? []) {
      insPricing.run(
        source,
        wabaId,
        r.day,
        r.phoneNumberId,
        r.country,
        r.category,
        r.pricingType,
        r.tier,
        r.volume,
        r.costMicros === null ? null : r.costMicros.toString(),
        r.currency,
      );
    }
    for (const r of rows.calls ?? []) {
      insCalls.run(
        source,
        wabaId,
        r.day,
        r.phoneNumberId,
        r.country,
        r.direction,
        r.count,
        r.costMicros === null ? null : r.costMicros.toString(),
        r.averageDurationSec,
        r.currency,
      );
    }
    db.prepare(
      // Never backwards, as on PostgreSQL (SQLite's two-argument max() is NULL when either is, hence the COALESCEs).
      'INSERT INTO pull_cursors (waba_id, source, last_complete_day) VALUES (?, ?, ?) ON CONFLICT (waba_id, source) DO UPDATE SET last_complete_day = max(COALESCE(pull_cursors.last_complete_day, excluded.last_complete_day), COALESCE(excluded.last_complete_day, pull_cursors.last_complete_day))',
    ).run(wabaId, source, cursor.lastCompleteDay);
  }).immediate();
}
