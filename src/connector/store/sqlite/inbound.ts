import type Database from 'better-sqlite3';
import { InputError, localDay, marketOf } from '@core';
import type { InboundEvent } from '../../ingest';
import type { DayRange, InboundDailyRow } from '../store';

function countryOf(from: string, day: string): string {
  try {
    return marketOf(from, day, 'messages[].from').iso2 ?? '';
  } catch (err) {
    // Not a phone number (business-scoped user id): kept, country unknown.
    if (err instanceof InputError) return '';
    throw err;
  }
}

const orNull = (v: unknown) => (v === '' ? null : String(v));

/** Inbound messages (and ad referrals) per WABA-local day; the raw event's dedupe key guarantees one count per message. */
export class SqliteInboundRollup {
  private readonly add;

  constructor(private readonly db: Database.Database) {
    this.add =
      db.prepare(`INSERT INTO inbound_daily (day, waba_id, phone_number_id, country, referral_source_id, messages) VALUES (?, ?, ?, ?, ?, 1)
      ON CONFLICT (day, waba_id, phone_number_id, country, referral_source_id) DO UPDATE SET messages = messages + 1`);
  }

  apply(e: InboundEvent, timeZone: string): string {
    const day = localDay(e.atMs, timeZone);
    this.add.run(day, e.wabaId, e.phoneNumberId ?? '', countryOf(e.from, day), e.referralSourceId ?? '');
    return day;
  }

  read(range: DayRange): InboundDailyRow[] {
    const byWaba = range.wabaId === undefined ? '' : ' AND waba_id = ?';
    const rows = this.db
      .prepare(
        `SELECT * FROM inbound_daily WHERE day >= ? AND day <= ?${byWaba} ORDER BY day, waba_id, phone_number_id, country, referral_source_id`,
      )
      .all(range.fromDay, range.toDay, ...(range.wabaId === undefined ? [] : [range.wabaId])) as Record<string, string | number>[];
    return rows.map((r) => ({
      day: String(r.day),
      wabaId: String(r.waba_id),
      phoneNumberId: orNull(r.phone_number_id),
      country: orNull(r.country),
      referralSourceId: orNull(r.referral_source_id),
      messages: Number(r.messages),
    }));
  }
}
