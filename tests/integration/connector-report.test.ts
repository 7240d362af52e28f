/**
 * The connector end to end: `waspend serve` as a child process on SQLite and on PostgreSQL, price
 * files imported with `waspend rates import`, webhooks in Meta's documented shapes posted over HTTP,
 * and `waspend report` checked to the cent. Expected costs are worked out by hand from the invented
 * fixture rate cards (tests/fixtures/ratecards), not by calling the code under test.
 */
import fs from 'node:fs';
import path from 'node:path';
import { BOTH_STORES } from '../helpers/both-stores';
import { createCliWorkspace, importRateCards, rateCardFixture as fixture, type CliWorkspace } from '../helpers/cli-workspace';
import { runCli, startConnector, type ConnectorProcess } from '../helpers/connector-harness';
import { envelopeWithStatuses } from '../helpers/webhook-envelopes';
import { reportRows, sumDecimals } from '../reliability/report-totals';

jest.setTimeout(180_000);

const TOKEN = 'integration-token-0123456789';
const WABA = '1029384756';
const PHONE = '5550001111';

const secs = (iso: string) => String(Date.parse(iso) / 1000);
const PMP = (category: string, type = 'regular', billable = type === 'regular') => ({ billable, pricing_model: 'PMP', type, category });
const CBP = (category: string) => ({ billable: true, pricing_model: 'CBP', category });

interface Status {
  id: string;
  status: string;
  at: string;
  to: string;
  pricing?: object;
  errors?: object[];
}
function envelope(statuses: Status[]): string {
  return JSON.stringify(
    envelopeWithStatuses(
      { waba: WABA, phone: PHONE, display: '15550001111' },
      statuses.map((s) => ({
        id: s.id,
        status: s.status,
        timestamp: secs(s.at),
        recipient_id: s.to,
        ...(s.pricing
          ? {
              pricing: s.pricing,
              conversation: { id: `conv-${s.id}`, origin: { type: (s.pricing as { category: string }).category } },
            }
          : {}),
        ...(s.errors ? { errors: s.errors } : {}),
      })),
    ),
  );
}

const BR = '5511987654321';
const IN = '919876543210';
const US = '12125550123';

/** Webhook bodies in arrival order: duplicates, out-of-order statuses and a failure included. */
const BODIES: string[] = [
  // m1 marketing to Brazil: sent, delivered (twice, as a retry), read.
  envelope([{ id: 'wamid.m1', status: 'sent', at: '2026-04-10T12:00:00Z', to: BR, pricing: PMP('marketing') }]),
  envelope([{ id: 'wamid.m1', status: 'delivered', at: '2026-04-10T12:00:05Z', to: BR, pricing: PMP('marketing') }]),
  envelope([{ id: 'wamid.m1', status: 'delivered', at: '2026-04-10T12:00:05Z', to: BR, pricing: PMP('marketing') }]),
  envelope([{ id: 'wamid.m1', status: 'read', at: '2026-04-10T12:03:00Z', to: BR, pricing: PMP('marketing') }]),
  // m2 utility to Brazil: read arrives before delivered and sent.
  envelope([{ id: 'wamid.m2', status: 'read', at: '2026-04-11T09:00:09Z', to: BR, pricing: PMP('utility') }]),
  envelope([{ id: 'wamid.m2', status: 'delivered', at: '2026-04-11T09:00:03Z', to: BR, pricing: PMP('utility') }]),
  envelope([{ id: 'wamid.m2', status: 'sent', at: '2026-04-11T09:00:00Z', to: BR, pricing: PMP('utility') }]),
  // m3 marketing to India fails: never delivered, never charged.
  envelope([{ id: 'wamid.m3', status: 'sent', at: '2026-04-12T10:00:00Z', to: IN, pricing: PMP('marketing') }]),
  envelope([
    { id: 'wamid.m3', status: 'failed', at: '2026-04-12T10:00:02Z', to: IN, errors: [{ code: 131026, title: 'Message undeliverable' }] },
  ]),
  // m4 service reply inside the 24h customer service window: delivered, free.
  envelope([
    { id: 'wamid.m4', status: 'delivered', at: '2026-04-12T15:00:00Z', to: BR, pricing: PMP('service', 'free_customer_service', false) },
  ]),
  // m5 utility inside a 72h free entry point window: delivered, free.
  envelope([
    { id: 'wamid.m5', status: 'delivered', at: '2026-04-13T08:00:00Z', to: IN, pricing: PMP('utility', 'free_entry_point', false) },
  ]),
  // m6 marketing to the US delivered 02:30 UTC on May 1st = April 30th in Sao Paulo (UTC-3).
  envelope([{ id: 'wamid.m6', status: 'delivered', at: '2026-05-01T02:30:00Z', to: US, pricing: PMP('marketing') }]),
  // m7 utility delivered 23:30 on 2025-06-30 Sao Paulo time (02:30 UTC July 1st): still per-conversation.
  envelope([{ id: 'wamid.m7', status: 'delivered', at: '2025-07-01T02:30:00Z', to: BR, pricing: CBP('utility') }]),
  // m8 utility delivered 00:30 on 2025-07-01 Sao Paulo time: per-message.
  envelope([{ id: 'wamid.m8', status: 'delivered', at: '2025-07-01T03:30:00Z', to: BR, pricing: PMP('utility') }]),
];

/**
 * By hand from the fixture cards: CBP card 2023-06 (Brazil utility 0.0080 per conversation), the
 * 2026-01 card imported as effective 2025-07-01 (Brazil utility 0.0068), the 2026-04 card (Brazil
 * marketing 0.0625, utility 0.0072; North America marketing 0.0250).
 */
const EXPECTED = [
  { day: '2025-06-30', category: 'utility', messages: 1, billable: 1, cost: '0.008' },
  { day: '2025-07-01', category: 'utility', messages: 1, billable: 1, cost: '0.0068' },
  { day: '2026-04-10', category: 'marketing', messages: 1, billable: 1, cost: '0.0625' },
  { day: '2026-04-11', category: 'utility', messages: 1, billable: 1, cost: '0.0072' },
  { day: '2026-04-12', category: 'service', messages: 1, billable: 0, cost: '0' },
  { day: '2026-04-13', category: 'utility', messages: 1, billable: 0, cost: '0' },
  { day: '2026-04-30', category: 'marketing', messages: 1, billable: 1, cost: '0.025' },
];

async function post(c: ConnectorProcess, body: string): Promise<number> {
  const res = await fetch(`${c.url}/webhooks/whatsapp`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
  await res.arrayBuffer();
  return res.status;
}

async function api<T>(c: ConnectorProcess, p: string): Promise<T> {
  const res = await fetch(`${c.url}/api/v1/${p}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${p}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

// Every test stands alone (`npx jest -t NAME`): the store is filled in beforeAll, not by an earlier test,
// and a test that changes it (the corrected rate card) puts it back.
for (const engine of BOTH_STORES)
  engine.describe(`connector on ${engine.title}`, () => {
    let workspace: CliWorkspace | undefined;
    let dir: string;
    let db: string;
    let config: string;
    let connector: ConnectorProcess | null = null;
    let acknowledged: number[] = [];

    beforeAll(async () => {
      workspace = await createCliWorkspace(engine, 'integration', {
        apiToken: TOKEN,
        wabas: [{ id: WABA, name: 'Integration', timezone: 'America/Sao_Paulo', currency: 'USD', portfolio: 'P1' }],
      });
      ({ dir, db, config } = workspace);
      await importRateCards(db, [
        [fixture('usd-conversation-rates-2023-06-invented.csv'), '2023-06-01'],
        [fixture('usd-rates-2026-01-invented.csv'), '2025-07-01'],
        [fixture('usd-rates-2026-04-invented.csv'), '2026-04-01'],
      ]);
      connector = await startConnector({ db, config });
      acknowledged = [];
      for (const body of BODIES) acknowledged.push(await post(connector, body));
    });

    afterAll(async () => {
      await connector?.stop();
      await workspace?.remove();
    });

    const report = async (extra: string[] = []) =>
      reportRows(
        await runCli([
          'report',
          '--from',
          '2025-06-01',
          '--to',
          '2026-05-31',
          '--by',
          'day,category',
          '--format',
          'json',
          '--config',
          config,
          '--db',
          db,
          ...extra,
        ]),
      );

    it('acknowledges every body, and one acknowledged survives kill -9', async () => {
      expect(acknowledged).toEqual(BODIES.map(() => 200));
      const c = connector as ConnectorProcess;
      await c.kill9();
      connector = await startConnector({ db, config, port: c.port });
      const health = (await (await fetch(`${connector.url}/health`)).json()) as { store: { events: number } };
      // 14 bodies, one of them an exact replay: 13 distinct events.
      expect(health.store.events).toBe(13);
    });

    it('reports delivered messages, charged units and cost to the cent', async () => {
      const rows = await report();
      expect(
        rows.map((r) => ({
          day: (r as never as { day: string }).day,
          category: (r as never as { category: string }).category,
          messages: r.messages,
          billable: r.billable,
          cost: r.cost,
        })),
      ).toEqual(EXPECTED);
      expect(rows.every((r) => (r as never as { currency: string }).currency === 'USD')).toBe(true);
    });

    it('counts a replayed history once', async () => {
      const c = connector as ConnectorProcess;
      for (const body of [...BODIES].reverse()) expect(await post(c, body)).toBe(200);
      const rows = await report();
      expect(sumDecimals(rows.map((r) => r.cost))).toBe(sumDecimals(EXPECTED.map((r) => r.cost)));
      expect(rows.reduce((n, r) => n + r.messages, 0)).toBe(EXPECTED.length);
    });

    it('answers the query API with the same totals as the report, per WABA-local day', async () => {
      const c = connector as ConnectorProcess;
      const usage = await api<{ rows: { bucket: string; category: string; messages: number; billable: number; cost: string }[] }>(
        c,
        `usage?from=2025-06-01&to=2026-05-31&by=category&interval=day&waba=${WABA}`,
      );
      expect(
        usage.rows.map((r) => ({ day: r.bucket, category: r.category, messages: r.messages, billable: r.billable, cost: r.cost })),
      ).toEqual(EXPECTED);
      // by=category is answered from the pricing-grain rollup; with country the fine rollup: same figures.
      const fine = await api<{
        rows: { bucket: string; category: string; country: string | null; messages: number; billable: number; cost: string }[];
      }>(c, `usage?from=2025-06-01&to=2026-05-31&by=category,country&interval=day&waba=${WABA}`);
      expect(
        fine.rows.map((r) => ({ day: r.bucket, category: r.category, messages: r.messages, billable: r.billable, cost: r.cost })),
      ).toEqual(EXPECTED);
      expect(fine.rows.map((r) => r.country)).toEqual(['BR', 'BR', 'BR', 'BR', 'BR', 'IN', 'US']);
      const month = await api<{ rows: { bucket: string; cost: string }[] }>(c, 'usage?from=2026-04-01&to=2026-04-30&interval=month');
      expect(month.rows).toEqual([expect.objectContaining({ bucket: '2026-04', cost: '0.0947' })]);
    });

    it('gives unpriced pricing input at the pricing grain plus the dimensions asked for, and the units charged earlier in the month', async () => {
      const c = connector as ConnectorProcess;
      type Input = {
        rows: { day: string; market: string; category: string; pricingType: string; units: number; dims: Record<string, string | null> }[];
        priorUnits: unknown[];
      };
      const coarse = await api<Input>(c, `pricing-input?from=2026-04-11&to=2026-04-30&by=category&waba=${WABA}`);
      expect(coarse.rows.map((r) => [r.day, r.market, r.category, r.pricingType, r.units])).toEqual([
        ['2026-04-11', 'Brazil', 'utility', 'regular', 1],
        ['2026-04-12', 'Brazil', 'service', 'free_customer_service', 1],
        ['2026-04-13', 'India', 'utility', 'free_entry_point', 1],
        ['2026-04-30', 'North America', 'marketing', 'regular', 1],
      ]);
      expect(coarse.rows[0]?.dims).toEqual({ direction: 'business_initiated' });
      // m1 (marketing to Brazil on 04-10) was charged before the window: it sets the tier start.
      expect(coarse.priorUnits).toEqual([{ portfolioId: 'P1', market: 'Brazil', category: 'marketing', month: '2026-04', units: 1 }]);
      const byCountry = await api<Input>(c, `pricing-input?from=2026-04-11&to=2026-04-30&by=category,country&waba=${WABA}`);
      expect(byCountry.rows.map((r) => r.dims.country)).toEqual(['BR', 'BR', 'IN', 'US']);
    });

    it('answers hourly buckets on the WABA-local clock that add up to the days', async () => {
      const c = connector as ConnectorProcess;
      const hourly = await api<{
        rows: { bucket: string; time: number; category: string; messages: number; billable: number; cost: string }[];
      }>(c, `usage?from=2026-04-10&to=2026-04-13&by=category&interval=hour&waba=${WABA}`);
      // Delivery instants from BODIES in Sao Paulo time (UTC-3): 12:00:05Z -> 09h, 09:00:03Z -> 06h, 15:00Z -> 12h, 08:00Z -> 05h.
      expect(
        hourly.rows.map((r) => ({ bucket: r.bucket, category: r.category, messages: r.messages, billable: r.billable, cost: r.cost })),
      ).toEqual([
        { bucket: '2026-04-10T09', category: 'marketing', messages: 1, billable: 1, cost: '0.0625' },
        { bucket: '2026-04-11T06', category: 'utility', messages: 1, billable: 1, cost: '0.0072' },
        { bucket: '2026-04-12T12', category: 'service', messages: 1, billable: 0, cost: '0' },
        { bucket: '2026-04-13T05', category: 'utility', messages: 1, billable: 0, cost: '0' },
      ]);
      expect(hourly.rows[0]?.time).toBe(Date.parse('2026-04-10T12:00:00Z'));
      const meta = await fetch(`${c.url}/api/v1/usage?from=2026-04-10&to=2026-04-13&interval=hour&source=meta`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(meta.status).toBe(400);
      const long = await fetch(`${c.url}/api/v1/usage?from=2026-01-01&to=2026-04-13&interval=hour`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(long.status).toBe(400);
      expect(await long.json()).toMatchObject({ field: 'interval' });
    });

    it('re-prices history when a rate card is imported later', async () => {
      // A corrected April card: Brazil marketing 0.0700 instead of 0.0625.
      const text = fs.readFileSync(fixture('usd-rates-2026-04-invented.csv'), 'utf8').replace('Brazil,USD,0.0625', 'Brazil,USD,0.0700');
      const file = path.join(dir, 'usd-rates-2026-04-corrected.csv');
      fs.writeFileSync(file, text);
      await runCli(['rates', 'import', file, '--effective', '2026-04-01', '--db', db]);
      try {
        const rows = await report(['--source', 'estimate']);
        expect(rows.find((r) => (r as never as { day: string }).day === '2026-04-10')?.cost).toBe('0.07');
      } finally {
        // The card as it was, so the tests after this one see the figures they were written for.
        await runCli(['rates', 'import', fixture('usd-rates-2026-04-invented.csv'), '--effective', '2026-04-01', '--db', db]);
      }
      expect((await report()).find((r) => (r as never as { day: string }).day === '2026-04-10')?.cost).toBe('0.0625');
    });

    it('rejects a malformed webhook with 400 naming the field, storing nothing', async () => {
      const c = connector as ConnectorProcess;
      const bad = envelope([
        { id: 'wamid.bad', status: 'delivered', at: '2026-04-20T10:00:00Z', to: BR, pricing: PMP('marketing') },
      ]).replace(/"timestamp":"\d+"/, '"timestamp":"soon"');
      const res = await fetch(`${c.url}/webhooks/whatsapp`, { method: 'POST', body: bad, headers: { 'content-type': 'application/json' } });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ field: 'entry[0].changes[0].value.statuses[0].timestamp' });
      const health = (await (await fetch(`${c.url}/health`)).json()) as { store: { events: number } };
      expect(health.store.events).toBe(13);
    });
  });
