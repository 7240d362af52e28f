/**
 * A short probe of the what-if transform alone, without the rest of `npm run bench`:
 * `node bin/what-if-probe.mjs [days] [reps]`. The shape is the query layer's (2 WABAs x the 32
 * markets of the full scale's 50 countries x 5 categories per day); 90 days is the full shape
 * (28,800 rows). Prints one JSON line: `whatIf` is bench/plugin-query.ts's whatIfQuery (runQuery end
 * to end), `core` is core's priceScenario alone on the same rows and the same scenario (both pricings),
 * with its median CPU time besides the wall clock.
 */
import { marketOf, priceScenario, type Scenario, type UsageRow } from '@core';
import { whatIfQuery, whatIfRows } from './plugin-query';
import { benchPriceBook, FIRST_DAY } from './sections/query-layer';
import { median, percentile, round, timeReps } from './stats';
import { CALLING_CODES } from './webhook-bodies';

export async function main(args: string[]): Promise<number> {
  const days = Number(args[0] ?? 90);
  const reps = Number(args[1] ?? 7);
  const countries = 50;
  const markets = [
    ...new Set(
      Array.from({ length: countries }, (_, c) => marketOf(`${CALLING_CODES[c % CALLING_CODES.length]}912345678`, FIRST_DAY).market),
    ),
  ];
  const book = benchPriceBook();
  const shape = { days, markets, wabas: 2 };
  const rows = whatIfRows(shape) as UsageRow[];
  const card = book.rateCards[0];
  if (!card) throw new Error('the bench price book has no rate card');
  // The scenario whatIfQuery types in: next quarter's card, the service rule from the start, an override, 30 % moved.
  const scenario: Scenario = {
    name: 'probe',
    priceFiles: [{ name: 'usd-next.csv', entry: { ...card, effectiveFrom: '2027-01-01' } }],
    rules: [{ rule: '2026-10-01', from: 'start' }],
    overrides: [{ market: 'India', category: 'marketing', percent: 10 }],
    moveService: { share: 30, to: 'utility' },
  };
  // CPU time besides the wall clock: on a shared, loaded machine the wall clock mostly measures the wait.
  const cpu: number[] = [];
  const times = await timeReps(reps, () => {
    const c0 = process.cpuUsage();
    priceScenario(rows, [], book, scenario);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  });
  const core = { medianMs: round(median(times)), p95Ms: round(percentile(times, 95)), cpuMedianMs: round(median(cpu.slice(1))) };
  const whatIf = await whatIfQuery(shape, book, reps);
  console.log(JSON.stringify({ days, markets: markets.length, reps, rows: rows.length, core, whatIf }));
  return 0;
}
