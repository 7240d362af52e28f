/**
 * Design reference, not part of `npm run bench`: how fast SQLite answers a 90-day panel from
 * rollups of different grains, and how fast 90 per-day HyperLogLog sketches merge, independent of
 * the connector's actual schema. Run: `npx tsx bench/rollup-grain.ts` (prints JSON).
 */
import Database from 'better-sqlite3';
import { Hll } from '@core';
import { median, round } from './stats';
import { rng } from './webhook-bodies';

const DAYS = 90,
  WABAS = 2,
  PHONES = 20,
  COUNTRIES = 50,
  CATEGORIES = 7,
  PTYPES = 2;

function time(reps: number, fn: () => unknown): number {
  fn();
  const t: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    t.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return round(median(t), 3);
}

function main(): void {
  const db = new Database(':memory:');
  db.pragma('cache_size = -262144');
  db.exec(`create table fine(day int, waba int, phone int, country int, category int, ptype int, messages int, billable int, cost_micros int,
             primary key(day, waba, phone, country, category, ptype)) without rowid;
           create table by_cat(day int, waba int, category int, ptype int, messages int, billable int, cost_micros int,
             primary key(day, waba, category, ptype)) without rowid;
           create table by_country(day int, waba int, country int, category int, messages int, billable int, cost_micros int,
             primary key(day, waba, country, category)) without rowid;`);
  const rand = rng(1);
  const ins = db.prepare('insert into fine values (?,?,?,?,?,?,?,?,?)');
  const t0 = Date.now();
  db.transaction(() => {
    for (let d = 0; d < DAYS; d++)
      for (let p = 0; p < PHONES; p++)
        for (let c = 0; c < COUNTRIES; c++)
          for (let k = 0; k < CATEGORIES; k++)
            for (let t = 0; t < PTYPES; t++) {
              const n = 1 + Math.floor(rand() * 20);
              ins.run(d, p % WABAS, p, c, k, t, n, t === 0 ? n : 0, n * 12_000);
            }
  })();
  db.exec(`insert into by_cat select day, waba, category, ptype, sum(messages), sum(billable), sum(cost_micros) from fine group by 1,2,3,4;
           insert into by_country select day, waba, country, category, sum(messages), sum(billable), sum(cost_micros) from fine group by 1,2,3,4;`);
  const count = (t: string) => (db.prepare(`select count(*) n from ${t}`).get() as { n: number }).n;
  const q = (sql: string) => {
    const s = db.prepare(sql);
    return () => s.all();
  };
  const result = {
    rows: { fine: count('fine'), byCategory: count('by_cat'), byCountry: count('by_country') },
    buildSeconds: round((Date.now() - t0) / 1000, 1),
    dayByCategoryMs: {
      fromFineRollup: time(
        5,
        q('select day, category, sum(messages), sum(cost_micros) from fine where day between 0 and 89 group by 1, 2'),
      ),
      fromCategoryRollup: time(
        21,
        q('select day, category, sum(messages), sum(cost_micros) from by_cat where day between 0 and 89 group by 1, 2'),
      ),
    },
    dayByCountryMs: {
      fromFineRollup: time(5, q('select day, country, sum(messages) from fine where day between 0 and 89 group by 1, 2')),
      fromCountryRollup: time(21, q('select day, country, sum(messages) from by_country where day between 0 and 89 group by 1, 2')),
    },
    hll: (() => {
      const days: string[] = [];
      for (let d = 0; d < 30; d++) {
        const h = new Hll();
        for (let i = 0; i < 20_000; i++) h.add(`c${Math.floor(rand() * 1e6)}`);
        days.push(h.toBase64());
      }
      const mergeMs = time(21, () => {
        const acc = new Hll();
        for (const b of days) acc.merge(Hll.fromBase64(b));
        return acc.count();
      });
      return { sketches: days.length, base64Bytes: days[0]?.length ?? 0, decodeMergeCountMs: mergeMs };
    })(),
  };
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
}

main();
