/**
 * The /pricing-input body kept while nothing touched its span (kept-body.ts), on both stores, with
 * the priced rollups read and the re-pricer run: asked again, it is the same body with no read of the
 * usage; a webhook in its span (a mark), a rewrite the re-pricer cleaned before any request saw its
 * mark (the stamp), data in a month the span did not reach yet (the span), 15 s, and a store whose
 * priced rollups are not read each make it read again; another request over the same span has a body
 * of its own, and marks of what the span does not cover (a WABA not configured, calls, the months
 * around it) leave it kept. The answer is compared with the rows by hand: utility messages to Brazil
 * from PA. Then keptBody's bounds (the largest body kept, how many) on a store that never changes.
 */
import { pricingInputQuery } from '@contract';
import {
  BR,
  UTC_WABA as W,
  QUERY_ENGINES,
  PMP,
  delivered,
  fixtureRepricer,
  openQueryFixture,
  terminated,
  type QueryFixture,
} from '../../../tests/helpers/query-fixture';
import { watchedStore } from '../../../tests/helpers/watched-store';
import { KEPT_BODIES, KEPT_BODY_MAX_CHARS, KEPT_BODY_MS, keptBody } from './kept-body';
import { pricingInputBody } from './other-series';
import type { QueryContext } from './query-context';

jest.setTimeout(60_000);

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

    /** The body (March..April unless `params` say otherwise) as one string, the days of its rows, and whether the usage was read for it. */
    const ask = async (c: QueryFixture['ctx'] = ctx, params: Record<string, string> = { from: '2026-03-01', to: '2026-04-30' }) => {
      clock += 1_000;
      reads = 0;
      let text = '';
      for await (const chunk of pricingInputBody(c, pricingInputQuery.parse(params))) text += chunk;
      const body = JSON.parse(text) as { rows: { day: string; units: number; dims: Record<string, string | null> }[] };
      return { days: body.rows.map((r) => `${r.day} ${r.units}${r.dims.country ? ` ${r.dims.country}` : ''}`), read: reads > 0 };
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

    it('keeps a body per request, and through marks of what it does not cover', async () => {
      // 03-11..04-01: the span starts and ends where the request does (the data runs 03-10..04-02).
      const inside = { from: '2026-03-11', to: '2026-04-01' };
      const byCountry = { ...inside, by: 'country' };
      expect(await ask(ctx, inside)).toEqual({ days: ['2026-03-11 2'], read: true });
      expect((await ask(ctx, inside)).read).toBe(false);
      // Another request over the same span has a body of its own.
      expect(await ask(ctx, byCountry)).toEqual({ days: ['2026-03-11 2 BR'], read: true });
      expect(await ask(ctx, byCountry)).toEqual({ days: ['2026-03-11 2 BR'], read: false });
      expect(await ask(ctx, inside)).toEqual({ days: ['2026-03-11 2'], read: false });

      // Marks that touch nothing of the span: a WABA not configured, a call (calls only), and usage in
      // the months before and after it (the data grows both ways; the span, cut to the request, does not).
      await fx.store.ingest(delivered('W9', 'PZ', 'z1', '2026-03-20T09:00:00Z', BR, PMP('utility')), 0);
      await fx.store.ingest(terminated('W1', 'PA', { id: 'c1', iso: '2026-03-21T09:00:00Z', seconds: 60, user: BR }), 0);
      await send('2026-02-20T09:00:00Z');
      await send('2026-05-20T09:00:00Z');
      expect((await fx.store.pricingDirty()).map((m) => `${m.wabaId} ${m.month} ${m.kinds.join(',')}`).sort()).toEqual([
        'W1 2026-02 usage',
        'W1 2026-03 calls',
        'W1 2026-05 usage',
        'W9 2026-03 usage',
      ]);
      expect(await ask(ctx, inside)).toEqual({ days: ['2026-03-11 2'], read: false });
    });
  });
});

/**
 * keptBody's bounds, on a context whose store says nothing ever changed (no marks, one stamp): which
 * bodies are kept is seen by how often each is made.
 */
describe('keptBody: how much is kept', () => {
  const span = { fromDay: '2026-03-01', toDay: '2026-03-31' };
  const quiet = () =>
    ({
      readPricedRollups: true,
      wabas: new Map(),
      store: { pricingDirty: async () => [], pricedUsageStamp: async () => '1:1' },
    }) as unknown as QueryContext;
  const maker = (chunks: readonly string[]) => {
    const made = { count: 0 };
    const make = async function* () {
      made.count++;
      yield* chunks;
    };
    return { made, make };
  };
  const body = async (ctx: QueryContext, key: string, make: () => AsyncGenerator<string>) => {
    let text = '';
    for await (const chunk of keptBody(ctx, key, span, make)) text += chunk;
    return text;
  };

  it('keeps a body of the largest size kept, and gives a larger one in full but makes it again', async () => {
    const ctx = quiet();
    const exact = maker(['a'.repeat(KEPT_BODY_MAX_CHARS - 1), 'b']);
    expect(await body(ctx, 'exact', exact.make)).toHaveLength(KEPT_BODY_MAX_CHARS);
    expect(await body(ctx, 'exact', exact.make)).toHaveLength(KEPT_BODY_MAX_CHARS);
    expect(exact.made.count).toBe(1);
    const over = maker(['a'.repeat(KEPT_BODY_MAX_CHARS), 'b']);
    expect(await body(ctx, 'over', over.make)).toBe(`${'a'.repeat(KEPT_BODY_MAX_CHARS)}b`);
    expect(await body(ctx, 'over', over.make)).toBe(`${'a'.repeat(KEPT_BODY_MAX_CHARS)}b`);
    expect(over.made.count).toBe(2);
  });

  it(`keeps the last ${KEPT_BODIES} bodies made`, async () => {
    const ctx = quiet();
    const keys = Array.from({ length: KEPT_BODIES + 1 }, (_, i) => `k${i}`);
    const makers = new Map(keys.map((k) => [k, maker([k])]));
    for (const k of keys) expect(await body(ctx, k, makers.get(k)!.make)).toBe(k);
    for (const k of keys.slice(1)) expect(await body(ctx, k, makers.get(k)!.make)).toBe(k);
    expect(keys.map((k) => makers.get(k)!.made.count)).toEqual(keys.map(() => 1));
    // The first made went when the fifth came.
    expect(await body(ctx, 'k0', makers.get('k0')!.make)).toBe('k0');
    expect(makers.get('k0')!.made.count).toBe(2);
  });
});
