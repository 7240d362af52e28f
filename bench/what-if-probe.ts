/**
 * A short probe of the what-if transform alone (bench/plugin-query.ts whatIfQuery), without the rest
 * of `npm run bench`: `node bin/what-if-probe.mjs [days] [reps]`. The shape is the query layer's
 * (2 WABAs x the 32 markets of the full scale's 50 countries x 5 categories per day); 90 days is
 * the full shape (28,800 rows). Prints one JSON line; progress nowhere.
 */
import { marketOf } from '@core';
import { whatIfQuery } from './plugin-query';
import { benchPriceBook, FIRST_DAY } from './sections/query-layer';
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
  const result = await whatIfQuery({ days, markets, wabas: 2 }, benchPriceBook(), reps);
  console.log(JSON.stringify({ days, markets: markets.length, reps, ...result }));
  return 0;
}
