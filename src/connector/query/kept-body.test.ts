/**
 * The /pricing-input body kept while nothing touched its span (kept-body.ts), on both stores, with
 * the priced rollups read and the re-pricer run: asked again, it is the same body with no read of the
 * usage; a webhook in its span (a mark), a rewrite the re-pricer cleaned before any request saw its
 * mark (the stamp), data in a month the span did not reach yet (the span), 15 s, and a store whose
 * priced rollups are not read each make it read again. The answer is compared with the rows by hand:
 * March utility messages to Brazil, one a day, from PA.
 */
import { pricingInputQuery } from '@contract';
import { QUERY_ENGINES, PMP, delivered, fixtureRepricer, openQueryFixture, type QueryFixture } from '../../../tests/helpers/query-fixture';
import { watchedStore } from '../../../tests/helpers/watched-store';
import { KEPT_BODY_MS } from './kept-body';
import { pricingInputBody } from './other-series';
import type { WabaInfo } from './query-context';

jest.setTimeout(60_000);

const W: WabaInfo = { id: 'W1', name: 'One', timezone: 'UTC', currencies: [{ from: '', code: 'USD' }], portfolio: 'P1' };
const BR = '5511987650001';

describe.each(QUERY_ENGINES)('a pricing-input body kept on $name', (engine) => {
  engine.describe(`kept while its span is untouched (${engine.name})`, () => {
    let fx: QueryFixture;
    let clock = 50_000_000;
    let sent = 0;
    let reads = 0;
    let ctx: QueryFixture['ctx'];
    beforeAll(async () => {
      fx = await openQueryFixture(engine, [W], delivered('W1', 'PA', 'm0', '2026-03-10T09:00:00Z', BR, PMP('utility')));
      const counted = watchedStore(fx.store, (method) => {
        if (method === 'usagePricingDaily' || method === 'usageDaily') reads++;
      });
      ctx = { ...fx.ctx, store: counted, readPricedRollups: true };
      jest.spyOn(performance, 'now').mockImplementation(() => clock);
      await repricer().runToCompletion();
    });
    afterAll(async () => {
      jest.restoreAllMocks();
      await fx?.close();
    });
    const repricer = () => fixtureRepricer(fx);
    const send = (iso: string) => fx.store.ingest(delivered('W1', 'PA', `n${++sent}`, iso, BR, PMP('utility')), 0);

    /** The body for March..April as one string, the days of its rows, and whether the usage was read for it. */
    const ask = async (c: QueryFixture['ctx'] = ctx) => {
      clock += 1_000;
      reads = 0;
      let text = '';
      for await (const chunk of pricingInputBody(c, pricingInputQuery.parse({ from: '2026-03-01', to: '2026-04-30' }))) text += chunk;
      const body = JSON.parse(text) as { rows: { day: string; units: number }[] };
      return { days: body.rows.map((r) => `${r.day} ${r.units}`), read: reads > 0 };
    };

    it('gives the kept body again until a mark, a rewrite, new data, 15 s or the settings say otherwise', async () => {
      expect(await ask()).toEqual({ days: ['2026-03-10 1'], read: true });
      expect(await ask()).toEqual({ days: ['2026-03-10 1'], read: false });

      // A webhook in March marks it: read again at once, and not kept while the mark stands.
      await send('2026-03-11T09:00:00Z');
      expect(await ask()).toEqual({ days: ['2026-03-10 1', '2026-03-11 1'], read: true });
      expect(await ask()).toEqual({ days: ['2026-03-10 1', '2026-03-11 1'], read: true });
      await repricer().runToCompletion();
      expect(await ask()).toEqual({ days: ['2026-03-10 1', '2026-03-11 1'], read: true });
      expect(await ask()).toEqual({ days: ['2026-03-10 1', '2026-03-11 1'], read: false });

      // A late message inside the span, cleaned by the re-pricer before any request saw its mark: the stamp moved.
      await send('2026-03-11T10:00:00Z');
      await repricer().runToCompletion();
      expect(await fx.store.pricingDirty()).toEqual([]);
      expect(await ask()).toEqual({ days: ['2026-03-10 1', '2026-03-11 2'], read: true });
      expect((await ask()).read).toBe(false);

      // The first data in April, a month the span (cut to the data) did not reach, even once cleaned.
      await send('2026-04-02T09:00:00Z');
      await repricer().runToCompletion();
      expect(await ask()).toEqual({ days: ['2026-03-10 1', '2026-03-11 2', '2026-04-02 1'], read: true });
      expect((await ask()).read).toBe(false);

      // Kept no longer than 15 s from its making, whatever the evidence says.
      clock += KEPT_BODY_MS - 3_000; // made 1 s before the last request: the next comes 14 s after it, the one after at 15 s
      expect((await ask()).read).toBe(false);
      expect((await ask()).read).toBe(true);

      // Without the priced rollups (their stamp says nothing), never kept.
      const plain = { ...ctx, readPricedRollups: false };
      expect((await ask(plain)).read).toBe(true);
      expect((await ask(plain)).read).toBe(true);
    });
  });
});
