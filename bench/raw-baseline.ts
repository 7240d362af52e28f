/**
 * The "plain GROUP BY over the raw events" each panel query is compared with. It finds the
 * connector's append-only raw event table in the SQLite file (a table with wamid and status
 * columns) and answers each question straight from it, with no rollup.
 */
import Database from 'better-sqlite3';
import { median, round } from './stats';

type RawQuestion = 'delivered_by_day_category' | 'delivered_by_day_country' | 'delivered_by_day_phone' | 'contacts_30d';

const pick = (cols: string[], names: string[]) => names.find((n) => cols.includes(n)) ?? null;

export interface RawBaseline {
  table: string | null;
  reason: string | null;
  time(question: RawQuestion, reps: number): number | null;
  close(): void;
}

export function rawBaseline(file: string, fromMs: number, toMs: number): RawBaseline {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  const tables = (db.prepare(`select name from sqlite_master where type = 'table'`).all() as Array<{ name: string }>).map((t) => t.name);
  let found: { table: string; cols: string[] } | null = null;
  for (const t of tables) {
    const cols = (db.prepare(`select name from pragma_table_info(?)`).all(t) as Array<{ name: string }>).map((c) => c.name);
    if (cols.includes('wamid') && cols.includes('status')) {
      found = { table: t, cols };
      break;
    }
  }
  const fail = (reason: string): RawBaseline => ({ table: found?.table ?? null, reason, time: () => null, close: () => db.close() });
  if (!found) return fail(`no table with wamid and status columns among ${tables.join(', ')}`);
  const { table, cols } = found;
  const ts = pick(cols, ['ts_ms', 'at_ms', 'timestamp_ms', 'event_ms', 'ts', 'at', 'timestamp', 'event_at', 'occurred_at']);
  const category = pick(cols, ['category', 'pricing_category']);
  const country = pick(cols, ['country', 'recipient_country', 'iso2']);
  const phone = pick(cols, ['phone_number_id', 'phone_id', 'phone']);
  const recipient = pick(cols, ['recipient', 'recipient_id', 'contact', 'wa_id']);
  if (!ts) return fail(`raw table ${table} has no recognisable time column (${cols.join(', ')})`);
  const maxTs = Number((db.prepare(`select max(${ts}) as m from ${table}`).get() as { m: number }).m);
  const unit = maxTs > 1e11 ? 1 : 1000;
  const lo = Math.floor(fromMs / unit);
  const hi = Math.floor(toMs / unit);
  const perDay = 86_400_000 / unit;
  const delivered = `status in ('delivered','read') and ${ts} >= ${lo} and ${ts} < ${hi}`;
  const byDim = (dim: string | null) =>
    dim ? `select ${ts} / ${perDay} as day, ${dim}, count(distinct wamid) as n from ${table} where ${delivered} group by 1, 2` : null;
  const sql: Record<RawQuestion, string | null> = {
    delivered_by_day_category: byDim(category),
    delivered_by_day_country: byDim(country),
    delivered_by_day_phone: byDim(phone),
    contacts_30d: recipient
      ? `select count(distinct ${recipient}) from ${table} where ${delivered.replace(String(lo), String(Math.floor((toMs - 30 * 86_400_000) / unit)))}`
      : null,
  };
  const prepared = new Map<string, Database.Statement>();
  return {
    table,
    reason: null,
    time(question, reps) {
      const text = sql[question];
      if (!text) return null;
      let stmt = prepared.get(text);
      if (!stmt) prepared.set(text, (stmt = db.prepare(text)));
      const s = stmt;
      const times: number[] = [];
      for (let i = 0; i < Math.max(1, reps); i++) {
        const t0 = process.hrtime.bigint();
        s.all();
        times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
      return round(median(times), 2);
    },
    close: () => db.close(),
  };
}
