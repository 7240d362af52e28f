import type Database from 'better-sqlite3';
import { Hll } from '@core';
import type { DayRange, DaySketchRow } from '../store';
import { sketchOfText, textOfSketch } from '../sketch-text';

/**
 * Collects contacts during one ingest transaction and folds them into the day sketches once at the
 * end, so a group commit rewrites each touched sketch once rather than once per event.
 */
export class SqliteContactSketches {
  private pending = new Map<string, { day: string; wabaId: string; phoneNumberId: string; contacts: Set<string> }>();
  private readonly get;
  private readonly put;

  constructor(private readonly db: Database.Database) {
    this.get = db.prepare('SELECT sketch FROM contacts_daily WHERE day = ? AND waba_id = ? AND phone_number_id = ?');
    this.put = db.prepare(
      'INSERT INTO contacts_daily (day, waba_id, phone_number_id, sketch) VALUES (?, ?, ?, ?) ON CONFLICT (day, waba_id, phone_number_id) DO UPDATE SET sketch = excluded.sketch',
    );
  }

  note(day: string, wabaId: string, phoneNumberId: string | null, contact: string): void {
    const key = JSON.stringify([day, wabaId, phoneNumberId ?? '']);
    let entry = this.pending.get(key);
    if (!entry) {
      entry = { day, wabaId, phoneNumberId: phoneNumberId ?? '', contacts: new Set() };
      this.pending.set(key, entry);
    }
    entry.contacts.add(contact);
  }

  /** Writes the pending contacts; call inside the ingest transaction, before it commits. */
  flush(): void {
    const pending = this.pending;
    this.pending = new Map();
    for (const e of pending.values()) {
      const row = this.get.get(e.day, e.wabaId, e.phoneNumberId) as { sketch: string } | undefined;
      const hll = row ? sketchOfText(row.sketch) : new Hll();
      for (const c of e.contacts) hll.add(c);
      this.put.run(e.day, e.wabaId, e.phoneNumberId, textOfSketch(hll));
    }
  }

  /** Forgets contacts of a transaction that rolled back. */
  discard(): void {
    this.pending = new Map();
  }

  uniqueContacts(range: DayRange): number {
    const byWaba = range.wabaId === undefined ? '' : ' AND waba_id = ?';
    const rows = this.db
      .prepare(`SELECT sketch FROM contacts_daily WHERE day >= ? AND day <= ?${byWaba}`)
      .all(range.fromDay, range.toDay, ...(range.wabaId === undefined ? [] : [range.wabaId])) as { sketch: string }[];
    if (rows.length === 0) return 0;
    return Hll.union(rows.map((r) => sketchOfText(r.sketch))).count();
  }

  daySketches(range: DayRange & { wabaId: string }): DaySketchRow[] {
    const rows = this.db
      .prepare('SELECT day, sketch FROM contacts_daily WHERE waba_id = ? AND day >= ? AND day <= ? ORDER BY day, phone_number_id')
      .all(range.wabaId, range.fromDay, range.toDay) as { day: string; sketch: string }[];
    return rows.map((r) => ({ day: r.day, wabaId: range.wabaId, sketch: r.sketch }));
  }
}
