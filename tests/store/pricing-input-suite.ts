/**
 * /pricing-input's body streamed (query/other-series.ts, `pricingInputBody`): read from the store a day
 * at a time and written a day's rows per chunk, it must be the bytes the whole response gives, and its
 * rows the ones a single read of the whole span gives, in that order. Run from sqlite.test.ts and
 * postgres.test.ts on the pinned demo store. Not a test file itself.
 */
import { DEMO_WABAS, seedDemo } from '../../src/connector/demo';
import { pricingInputQuery } from '../../src/contract';
import { pricingInput, pricingInputBody } from '../../src/connector/query/other-series';
import type { QueryContext } from '../../src/connector/query/query-context';
import { demoConfig } from '../../src/connector/runtime/demo-config';
import { importDemoRateFile, loadPriceBook } from '../../src/connector/runtime/price-files';
import { wabaInfoOf } from '../../src/connector/runtime/waba-info';
import { createEnvelopeIngest, type FineUsageColumn, type UsageDailyRow } from '../../src/connector/store';
import { DEMO_AS_OF_MS } from '../helpers/demo-clock';
import { rowsOfColumns } from '../helpers/pricing-input-columns';
import type { StoreEngine } from './store-engine';

/**
 * The queries the body is checked on: 4 groupings × 4 filters (none, a country, a category, one WABA)
 * × the ranges given. The HTTP route's test (tests/integration/pricing-input-stream.test.ts) sends them too.
 */
export function pricingInputQueries(waba: string, ranges: readonly (readonly [string, string])[]): Record<string, string>[] {
  const queries: Record<string, string>[] = [];
  for (const by of ['', 'category', 'country', 'phone,country,group'])
    for (const f of [{}, { country: 'BR' }, { category: 'marketing' }, { waba }] as Record<string, string>[])
      for (const [from, to] of ranges) queries.push({ from, to, ...(by ? { by } : {}), ...f });
  return queries;
}

export function describePricingInputBehaviour(engine: StoreEngine): void {
  describe(`${engine.name}: /pricing-input streamed`, () => {
    it('streams a day of rows per chunk, the same bytes as the whole response, rows in the order of one whole-span read', async () => {
      const wabas = new Map(demoConfig('pricing-input-token-0123456789').wabas.map((w) => [w.id, wabaInfoOf(w)]));
      const timezones = Object.fromEntries(DEMO_WABAS.map((w) => [w.id, w.timezone]));
      const store = await engine.open({ timezones });
      try {
        await seedDemo({
          seed: 'pricing-input',
          asOfMs: DEMO_AS_OF_MS,
          days: 50,
          scale: 0.02,
          ingest: createEnvelopeIngest(store, () => DEMO_AS_OF_MS),
          sink: store,
          importRates: (f) => importDemoRateFile(store, f),
        });
        const book = (await loadPriceBook(store)).book;
        const ctx: QueryContext = { store, wabas, priceBook: () => book, generation: () => 0, now: () => DEMO_AS_OF_MS };
        const body = async (params: Record<string, string>) => {
          const chunks: string[] = [];
          for await (const c of pricingInputBody(ctx, pricingInputQuery.parse(params))) chunks.push(c);
          return chunks;
        };
        const waba = [...wabas.keys()][0] as string;
        const queries = pricingInputQueries(waba, [
          ['2026-09-20', '2026-11-15'],
          ['2026-10-10', '2026-10-20'],
          ['2030-01-01', '2030-01-31'],
        ]);
        let compacted = 0;
        for (const params of queries) {
          const chunks = await body(params);
          expect({ params, body: chunks.join('') }).toEqual({
            params,
            body: JSON.stringify(await pricingInput(ctx, pricingInputQuery.parse(params))),
          });
          // One chunk per day with rows, plus the closing one (priorUnits): never two days in a chunk.
          for (const c of chunks.slice(0, -1)) expect(new Set([...c.matchAll(/"day":"([0-9-]+)"/g)].map((m) => m[1])).size).toBe(1);
          // The compact form: the same rows and prior units, in the same chunks, each text once in `values`.
          const compact = await body({ ...params, format: 'columns' });
          const decoded = rowsOfColumns(compact.join(''));
          expect({ params, rows: decoded.rows, priorUnits: decoded.priorUnits }).toEqual({ params, ...JSON.parse(chunks.join('')) });
          expect(compact.length).toBe(chunks.length);
          expect(new Set(decoded.values).size).toBe(decoded.values.length);
          if (decoded.rows.length > 0) compacted++;
        }
        // 2 of the 3 ranges hold data: compact bodies with rows, not only empty ones, were compared.
        expect(compacted).toBeGreaterThanOrEqual(20);
        const empty = await body({ from: '2030-01-01', to: '2030-01-31' });
        expect(empty.join('')).toBe('{"rows":[],"priorUnits":[]}');
        expect((await body({ from: '2030-01-01', to: '2030-01-31', format: 'columns' })).join('')).toBe(
          '{"columns":["day","time","wabaId","portfolioId","currency","market","category","pricingType","pricingModel","units","dims.direction"],"rows":[],"values":[],"priorUnits":[]}',
        );

        // Split by phone, country and group nothing is grouped: the rows are the fine rollup's rows of the
        // range, one by one, in the order one read of the whole range gives them.
        const wide = await body({ from: '2026-09-20', to: '2026-11-15', by: 'phone,country,group', waba });
        expect(wide.length).toBeGreaterThan(30);
        const served = (
          JSON.parse(wide.join('')) as { rows: { day: string; wabaId: string; units: number; dims: Record<string, string | null> }[] }
        ).rows;
        const range = { fromDay: '2026-09-20', toDay: '2026-11-15', wabaId: waba };
        const whole = (await store.usageDaily(range)).filter((r) => r.units > 0 || r.messages > 0);
        expect(served.map((r) => [r.day, r.dims.phone, r.dims.country, r.dims.group, r.units])).toEqual(
          whole.map((r) => [r.day, r.phoneNumberId, r.country, r.group, r.units]),
        );

        // The store sums the fine rollup to the columns a query keeps (`keep`): the rows of grouping the whole
        // read here, the columns summed away null, in day, WABA, phone, country, category, pricing type, group,
        // market and model order, for every subset of the three columns and every WABA.
        const all = await store.usageDaily({ fromDay: '2026-09-20', toDay: '2026-11-15' });
        const SUBSETS: FineUsageColumn[][] = [
          [],
          ['phone'],
          ['country'],
          ['group'],
          ['phone', 'country'],
          ['country', 'group'],
          ['phone', 'country', 'group'],
        ];
        for (const keep of SUBSETS) {
          const grouped = new Map<string, UsageDailyRow>();
          for (const r of all) {
            const row: UsageDailyRow = {
              ...r,
              phoneNumberId: keep.includes('phone') ? r.phoneNumberId : null,
              country: keep.includes('country') ? r.country : null,
              group: keep.includes('group') ? r.group : null,
            };
            const k = JSON.stringify([
              row.day,
              row.wabaId,
              row.phoneNumberId,
              row.country,
              row.market,
              row.category,
              row.pricingType,
              row.pricingModel,
              row.group,
            ]);
            const cur = grouped.get(k);
            if (cur) {
              cur.messages += r.messages;
              cur.units += r.units;
            } else grouped.set(k, { ...row });
          }
          const order = (r: UsageDailyRow) =>
            [r.day, r.wabaId, r.phoneNumberId, r.country, r.category, r.pricingType, r.group, r.market, r.pricingModel].map((v) => v ?? '');
          const byOrder = (a: UsageDailyRow, b: UsageDailyRow) => {
            const [x, y] = [order(a), order(b)];
            for (let i = 0; i < x.length; i += 1) if (x[i] !== y[i]) return (x[i] as string) < (y[i] as string) ? -1 : 1;
            return 0;
          };
          const expected = [...grouped.values()].sort(byOrder);
          expect(keep.length === 3 || expected.length < all.length).toBe(true);
          expect({ keep, rows: await store.usageDaily({ fromDay: '2026-09-20', toDay: '2026-11-15', keep }) }).toEqual({
            keep,
            rows: expected,
          });
          expect(await store.usageDaily({ fromDay: '2026-09-20', toDay: '2026-11-15', wabaId: waba, keep })).toEqual(
            expected.filter((r) => r.wabaId === waba),
          );
        }
      } finally {
        await store.close();
      }
    }, 300_000);
  });
}
