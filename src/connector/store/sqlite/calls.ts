import type Database from 'better-sqlite3';
import type { CallEvent } from '../../ingest';
import { CALL_KEY_COLUMNS, callKeyOf, callKeyValues, foldCall, type CallState } from '../call-state';
import type { CallsDailyRow, DayRange } from '../store';

interface CallRow {
  call_id: string;
  waba_id: string;
  phone_number_id: string | null;
  direction: string | null;
  user_number: string | null;
  connected_at_ms: number | null;
  start_ms: number | null;
  terminated_at_ms: number | null;
  duration_sec: number | null;
  counted_key: string | null;
}

const toState = (r: CallRow): CallState => ({
  callId: r.call_id,
  wabaId: r.waba_id,
  phoneNumberId: r.phone_number_id,
  direction: r.direction,
  userNumber: r.user_number,
  connectedAtMs: r.connected_at_ms,
  startMs: r.start_ms,
  terminatedAtMs: r.terminated_at_ms,
  durationSec: r.duration_sec,
});

const cols = CALL_KEY_COLUMNS.join(', ');
const orNull = (v: unknown) => (v === '' ? null : String(v));

/**
 * The terminated calls counted on the days `?` to `?` (and of WABA `?` when `byWaba`), in start
 * order. The day is read with the expression migration 018 indexes, so the read seeks to the range.
 */
export const finishedCallsSql = (byWaba: boolean) =>
  `SELECT call_id, start_ms, connected_at_ms, terminated_at_ms, duration_sec, counted_key FROM calls
  WHERE counted_key IS NOT NULL AND json_extract(counted_key, '$[0]') BETWEEN ? AND ?${byWaba ? ' AND waba_id = ?' : ''} ORDER BY start_ms, call_id`;

/** Calls folded per call id and rolled up per WABA-local day; runs inside the store's ingest transaction. */
export class SqliteCallRollup {
  private readonly get;
  private readonly put;
  private readonly add;
  private readonly dropEmpty;

  constructor(private readonly db: Database.Database) {
    this.get = db.prepare('SELECT * FROM calls WHERE call_id = ?');
    this.put =
      db.prepare(`INSERT INTO calls (call_id, waba_id, phone_number_id, direction, user_number, connected_at_ms, start_ms, terminated_at_ms, duration_sec, counted_key)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (call_id) DO UPDATE SET phone_number_id = excluded.phone_number_id, direction = excluded.direction,
      user_number = excluded.user_number, connected_at_ms = excluded.connected_at_ms, start_ms = excluded.start_ms, terminated_at_ms = excluded.terminated_at_ms,
      duration_sec = excluded.duration_sec, counted_key = excluded.counted_key`);
    this.add = db.prepare(`INSERT INTO calls_daily (${cols}, calls, connected_calls, duration_sec) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (${cols}) DO UPDATE SET calls = calls + excluded.calls, connected_calls = connected_calls + excluded.connected_calls, duration_sec = duration_sec + excluded.duration_sec`);
    this.dropEmpty = db.prepare(`DELETE FROM calls_daily WHERE ${CALL_KEY_COLUMNS.map((c) => `${c} = ?`).join(' AND ')} AND calls <= 0`);
  }

  private addTo(keyJson: string, sign: 1 | -1, duration: number): void {
    const key = JSON.parse(keyJson) as string[];
    this.add.run(...key, sign, duration > 0 ? sign : 0, sign * duration);
    if (sign < 0) this.dropEmpty.run(...key);
  }

  /**
   * Folds the event into its call and moves the call's contribution; returns the WABA and day of the
   * keys it was counted under before and after (none while it has not terminated), whose months the
   * re-pricer owes a pricing of their calls.
   */
  apply(e: CallEvent, timeZone: string): [string, string][] {
    const row = this.get.get(e.callId) as CallRow | undefined;
    const next = foldCall(row ? toState(row) : null, e);
    const key = callKeyOf(next, timeZone);
    const keyText = key ? JSON.stringify(callKeyValues(key)) : null;
    // A late connect can move a call to another day: the old contribution is removed whole, then re-added.
    if (row?.counted_key) this.addTo(row.counted_key, -1, row.duration_sec ?? 0);
    if (keyText) this.addTo(keyText, 1, next.durationSec ?? 0);
    const s = next;
    this.put.run(
      s.callId,
      s.wabaId,
      s.phoneNumberId,
      s.direction,
      s.userNumber,
      s.connectedAtMs,
      s.startMs,
      s.terminatedAtMs,
      s.durationSec,
      keyText,
    );
    const touched: [string, string][] = [];
    if (row?.counted_key) {
      const [day, wabaId] = JSON.parse(row.counted_key) as [string, string];
      touched.push([wabaId, day]);
    }
    if (key) touched.push([key.wabaId, key.day]);
    return touched;
  }

  read(range: DayRange): CallsDailyRow[] {
    const args = [range.fromDay, range.toDay, ...(range.wabaId === undefined ? [] : [range.wabaId])];
    const rows = this.db
      .prepare(
        `SELECT * FROM calls_daily WHERE day >= ? AND day <= ?${range.wabaId === undefined ? '' : ' AND waba_id = ?'} ORDER BY ${cols}`,
      )
      .all(...args) as Record<string, string | number>[];
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
}
