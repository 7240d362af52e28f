import type { Category, Direction, PricingType } from '@core';
import type { Pool, PoolClient } from 'pg';
import type { MetaCallRow, MetaPricingRow, PullCursor, PullSource } from '../../pull/pull-sink';
import { dataDaysOf, dataDaysSql } from '../data-days';
import { usageDailySql, usageRowOf } from '../usage-row';
import type { AccountEventRow, CallsDailyRow, DayRange, DaySketchRow, InboundDailyRow, UsageDailyQuery, UsageDailyRow } from '../store';

const orNull = (v: unknown) => (v === '' || v === null ? null : String(v));
const numOrNull = (v: unknown) => (v === null ? null : Number(v));

/** PostgreSQL text cannot hold U+0000; ingest stores it as U+FFFD, so a filter looks for the same. */
const pgText = (v: string) => v.replaceAll('\u0000', '\uFFFD');

/** `day BETWEEN from AND to [AND waba_id = ...]` with its parameters, numbered from `from`. */
function rangeWhere(range: DayRange, from = 1): { sql: string; args: string[] } {
  const args = [pgText(range.fromDay), pgText(range.toDay)];
  let sql = `day >= $${from} AND day <= $${from + 1}`;
  if (range.wabaId !== undefined) {
    sql += ` AND waba_id = $${from + 2}`;
    args.push(pgText(range.wabaId));
  }
  return { sql, args };
}

type Row = Record<string, unknown>;

export async function readUsage(pool: Pool, range: UsageDailyQuery): Promise<UsageDailyRow[]> {
  const w = rangeWhere(range);
  const { rows } = await pool.query<Row>(usageDailySql(w.sql, range.keep), w.args);
  return rows.map((r) => usageRowOf(r));
}

export async function readCallsDaily(pool: Pool, range: DayRange): Promise<CallsDailyRow[]> {
  const w = rangeWhere(range);
  const { rows } = await pool.query<Row>(
    `SELECT * FROM calls_daily WHERE ${w.sql} ORDER BY day, waba_id, phone_number_id, country, market, direction`,
    w.args,
  );
  return rows.map((r) => ({
    day: String(r.day),
    wabaId: String(r.waba_id),
    phoneNumberId: orNull(r.phone_number_id),
    country: orNull(r.country),
    market: String(r.market),
    direction: orNull(r.direction),
    calls: Number(r.calls),
    connectedCalls: Number(r.connected_calls),
    durationSec: Number(r.duration_sec),
  }));
}

export async function readInbound(pool: Pool, range: DayRange): Promise<InboundDailyRow[]> {
  const w = rangeWhere(range);
  const { rows } = await pool.query<Row>(
    `SELECT * FROM inbound_daily WHERE ${w.sql} ORDER BY day, waba_id, phone_number_id, country, referral_source_id`,
    w.args,
  );
  return rows.map((r) => ({
    day: String(r.day),
    wabaId: String(r.waba_id),
    phoneNumberId: orNull(r.phone_number_id),
    country: orNull(r.country),
    referralSourceId: orNull(r.referral_source_id),
    messages: Number(r.messages),
  }));
}

/** The sketches to union for uniqueContacts; '' (a row locked mid-transaction) never commits, but is skipped all the same. */
export async function readSketches(pool: Pool, range: DayRange): Promise<string[]> {
  const w = rangeWhere(range);
  const { rows } = await pool.query<{ sketch: string }>(`SELECT sketch FROM contacts_daily WHERE ${w.sql} AND sketch <> ''`, w.args);
  return rows.map((r) => r.sketch);
}

/** One WABA's contact sketches over a day range, in day order (rows locked mid-transaction, '', skipped). */
export async function readDaySketches(pool: Pool, range: DayRange & { wabaId: string }): Promise<DaySketchRow[]> {
  const { rows } = await pool.query<{ day: string; sketch: string }>(
    `SELECT day, sketch FROM contacts_daily WHERE waba_id = $1 AND day >= $2 AND day <= $3 AND sketch <> '' ORDER BY day, phone_number_id`,
    [pgText(range.wabaId), pgText(range.fromDay), pgText(range.toDay)],
  );
  return rows.map((r) => ({ day: String(r.day), wabaId: range.wabaId, sketch: r.sketch }));
}

export async function readDataDays(pool: Pool, wabaId: string): Promise<{ fromDay: string; toDay: string } | null> {
  const { rows } = await pool.query<Row>(dataDaysSql('$1'), [pgText(wabaId)]);
  return dataDaysOf(rows[0]);
}

export async function readAccountEvents(pool: Pool, range: { fromMs: number; toMs: number; wabaId?: string }): Promise<AccountEventRow[]> {
  const byWaba = range.wabaId === undefined ? '' : ' AND waba_id = $3';
  const { rows } = await pool.query<{ at_ms: string; waba_id: string; kind: AccountEventRow['kind']; body: string }>(
    `SELECT at_ms, waba_id, kind, body FROM raw_events WHERE kind IN ('account_update', 'template_category') AND at_ms >= $1 AND at_ms < $2${byWaba} ORDER BY at_ms, seq`,
    [range.fromMs, range.toMs, ...(range.wabaId === undefined ? [] : [pgText(range.wabaId)])],
  );
  return rows.map((r) => ({ atMs: Number(r.at_ms), wabaId: r.waba_id, kind: r.kind, value: JSON.parse(r.body) as unknown }));
}

export async function readPricing(pool: Pool, source: PullSource, range: DayRange): Promise<MetaPricingRow[]> {
  const w = rangeWhere(range, 2);
  const { rows } = await pool.query<Row>(`SELECT * FROM pulled_pricing WHERE source = $1 AND ${w.sql} ORDER BY seq`, [source, ...w.args]);
  return rows.map((r) => ({
    day: String(r.day),
    wabaId: String(r.waba_id),
    phoneNumberId: r.phone_number_id as string | null,
    country: r.country as string | null,
    category: r.category as Category | null,
    pricingType: r.pricing_type as PricingType | null,
    tier: r.tier as string | null,
    volume: Number(r.volume),
    costMicros: r.cost_micros === null ? null : BigInt(String(r.cost_micros)),
    currency: String(r.currency),
  }));
}

export async function readCalls(pool: Pool, source: PullSource, range: DayRange): Promise<MetaCallRow[]> {
  const w = rangeWhere(range, 2);
  const { rows } = await pool.query<Row>(`SELECT * FROM pulled_calls WHERE source = $1 AND ${w.sql} ORDER BY seq`, [source, ...w.args]);
  return rows.map((r) => ({
    day: String(r.day),
    wabaId: String(r.waba_id),
    phoneNumberId: r.phone_number_id as string | null,
    country: r.country as string | null,
    direction: r.direction as Direction | null,
    count: Number(r.count),
    costMicros: r.cost_micros === null ? null : BigInt(String(r.cost_micros)),
    averageDurationSec: numOrNull(r.average_duration_sec),
    currency: String(r.currency),
  }));
}

export async function readCursor(pool: Pool, wabaId: string, source: PullSource): Promise<PullCursor> {
  const { rows } = await pool.query<{ last_complete_day: string | null }>(
    'SELECT last_complete_day FROM pull_cursors WHERE waba_id = $1 AND source = $2',
    [pgText(wabaId), pgText(source)],
  );
  return { lastCompleteDay: rows[0]?.last_complete_day ?? null };
}

/** Throws before anything is written when a row lies outside the replaced days (same check as SQLite). */
export function checkReplacedRows(
  wabaId: string,
  source: PullSource,
  days: string[],
  rows: { pricing?: MetaPricingRow[]; calls?: MetaCallRow[] },
): void {
  const daySet = new Set(days);
  for (const r of [...(rows.pricing ?? []), ...(rows.calls ?? [])]) {
    if (r.wabaId !== wabaId || !daySet.has(r.day))
      throw new Error(`replaceDays(${wabaId}, ${source}): row for ${r.wabaId} on ${r.day} is outside the replaced days`);
  }
}

const micros = (v: bigint | null) => (v === null ? null : v.toString());

/**
 * PullSink.replaceDays inside the caller's transaction. The advisory lock on (source, WABA) makes a
 * second replica's replace of the same days wait and then delete what the first one inserted,
 * instead of both inserting (READ COMMITTED would not let its DELETE see the other's new rows).
 */
export async function replacePulledDays(
  c: PoolClient,
  wabaId: string,
  source: PullSource,
  days: string[],
  rows: { pricing?: MetaPricingRow[]; calls?: MetaCallRow[] },
  cursor: PullCursor,
): Promise<void> {
  await c.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [JSON.stringify(['waspend.replaceDays', source, wabaId])]);
  await c.query('DELETE FROM pulled_pricing WHERE source = $1 AND waba_id = $2 AND day = ANY($3::text[])', [source, wabaId, days]);
  await c.query('DELETE FROM pulled_calls WHERE source = $1 AND waba_id = $2 AND day = ANY($3::text[])', [source, wabaId, days]);
  const pricing = rows.pricing ?? [];
  if (pricing.length > 0) {
    // WITH ORDINALITY keeps the given order in seq, which is the order reads return.
    await c.query(
      `INSERT INTO pulled_pricing (source, waba_id, day, phone_number_id, country, category, pricing_type, tier, volume, cost_micros, currency)
       SELECT $1, $2, day, phone_number_id, country, category, pricing_type, tier, volume, cost_micros, currency
       FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::bigint[], $10::text[], $11::text[])
         WITH ORDINALITY AS u(day, phone_number_id, country, category, pricing_type, tier, volume, cost_micros, currency, n) ORDER BY n`,
      [
        source,
        wabaId,
        pricing.map((r) => r.day),
        pricing.map((r) => r.phoneNumberId),
        pricing.map((r) => r.country),
        pricing.map((r) => r.category),
        pricing.map((r) => r.pricingType),
        pricing.map((r) => r.tier),
        pricing.map((r) => r.volume),
        pricing.map((r) => micros(r.costMicros)),
        pricing.map((r) => r.currency),
      ],
    );
  }
  const calls = rows.calls ?? [];
  if (calls.length > 0) {
    await c.query(
      `INSERT INTO pulled_calls (source, waba_id, day, phone_number_id, country, direction, count, cost_micros, average_duration_sec, currency)
       SELECT $1, $2, day, phone_number_id, country, direction, count, cost_micros, average_duration_sec, currency
       FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::text[], $9::float8[], $10::text[])
         WITH ORDINALITY AS u(day, phone_number_id, country, direction, count, cost_micros, average_duration_sec, currency, n) ORDER BY n`,
      [
        source,
        wabaId,
        calls.map((r) => r.day),
        calls.map((r) => r.phoneNumberId),
        calls.map((r) => r.country),
        calls.map((r) => r.direction),
        calls.map((r) => r.count),
        calls.map((r) => micros(r.costMicros)),
        calls.map((r) => r.averageDurationSec),
        calls.map((r) => r.currency),
      ],
    );
  }
  await c.query(
    // Never backwards (GREATEST skips a NULL): a replica whose run started from an older cursor commits its chunks after another's later ones.
    'INSERT INTO pull_cursors (waba_id, source, last_complete_day) VALUES ($1, $2, $3) ON CONFLICT (waba_id, source) DO UPDATE SET last_complete_day = GREATEST(pull_cursors.last_complete_day, excluded.last_complete_day)',
    [wabaId, source, cursor.lastCompleteDay],
  );
}
