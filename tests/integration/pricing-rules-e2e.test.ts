/**
 * Issue 11 end to end (ingest side): `waspend serve` as a child process on SQLite and PostgreSQL,
 * rate cards through `waspend rates import`, webhooks in Meta's documented status shape posted over
 * HTTP and a pricing-less log sent with `waspend replay`, then `waspend report`, /api/v1/usage and
 * /metrics. Expected figures are worked out by hand below from the invented fixture cards
 * (tests/fixtures/ratecards), never by calling the code under test.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadMetaFixture } from '../fakes/load-meta-fixture';
import { BOTH_STORES } from '../helpers/both-stores';
import { createCliWorkspace, importRateCards, rateCardFixture as fixture, type CliWorkspace } from '../helpers/cli-workspace';
import { runCli, startConnector, type ConnectorProcess } from '../helpers/connector-harness';
import { reportRows } from '../reliability/report-totals';

jest.setTimeout(300_000);

const TOKEN = 'pricing-rules-token-0123456789';
const secs = (iso: string) => String(Date.parse(iso) / 1000);

/** Meta's documented envelope (status_webhook_sent_marketing_pmp.json): its WABA, metadata and status fields. */
const DOC = loadMetaFixture('status_webhook_sent_marketing_pmp.json') as {
  entry: { id: string; changes: { field: string; value: { metadata: Record<string, string>; statuses: Record<string, unknown>[] } }[] }[];
};
const WABA = DOC.entry[0]?.id as string;
const DOC_CHANGE = DOC.entry[0]?.changes[0] as (typeof DOC.entry)[number]['changes'][number];
const DOC_STATUS = DOC_CHANGE.value.statuses[0] as Record<string, unknown>;
const PHONE = DOC_CHANGE.value.metadata.phone_number_id as string;

const BR = '5511987654321';
const IN = '919876543210';

function envelopeOf(value: Record<string, unknown>): string {
  return JSON.stringify({ ...DOC, entry: [{ ...DOC.entry[0], changes: [{ ...DOC_CHANGE, value: { ...DOC_CHANGE.value, ...value } }] }] });
}
/** The documented status with another id, status, time, recipient and pricing/conversation (null = left out). */
function status(id: string, st: string, iso: string, to: string, pricing: object | null, conversation: object | null = null) {
  const out: Record<string, unknown> = { ...DOC_STATUS, id, status: st, timestamp: secs(iso), recipient_id: to };
  delete out.pricing;
  delete out.conversation;
  if (pricing) out.pricing = pricing;
  if (conversation) out.conversation = conversation;
  return out;
}
const statuses = (...list: Record<string, unknown>[]) => envelopeOf({ statuses: list });
const inbound = (id: string, from: string, iso: string, referral = false) =>
  envelopeOf({
    statuses: undefined,
    contacts: [{ profile: { name: 'User' }, wa_id: from }],
    messages: [
      {
        from,
        id,
        timestamp: secs(iso),
        type: 'text',
        text: { body: 'hi' },
        ...(referral ? { referral: { source_url: 'https://fb.me/ad', source_id: 'ad-7', source_type: 'ad', ctwa_clid: 'c1' } } : {}),
      },
    ],
  });

const PMP = (category: string) => ({ billable: true, pricing_model: 'PMP', type: 'regular', category });
const CBP_MARKETING = { billable: true, pricing_model: 'CBP', type: 'regular', category: 'marketing' };
const CONV1 = { id: 'CONV-1', expiration_timestamp: secs('2025-03-11T12:00:00Z'), origin: { type: 'marketing' } };

/** Posted over HTTP: Meta's verdicts, unknown categories among them, and a CBP conversation in reverse order with a retry. */
const POSTED = [
  statuses(
    status('wamid.mkt', 'delivered', '2026-10-05T15:00:00Z', BR, PMP('marketing')),
    status('wamid.mba', 'delivered', '2026-10-05T15:01:00Z', BR, PMP('meta_business_agent')),
    status('wamid.new', 'delivered', '2026-10-05T15:02:00Z', BR, PMP('Quantum Upsell')),
  ),
  statuses(status('wamid.c3', 'delivered', '2025-03-10T20:00:00Z', IN, CBP_MARKETING, CONV1)),
  statuses(status('wamid.c2', 'delivered', '2025-03-10T15:00:00Z', IN, CBP_MARKETING, CONV1)),
  statuses(status('wamid.c1', 'delivered', '2025-03-10T12:00:00Z', IN, CBP_MARKETING, CONV1)),
  statuses(status('wamid.c2', 'delivered', '2025-03-10T15:00:00Z', IN, CBP_MARKETING, CONV1)),
];

/** Replayed with `waspend replay`: a log without any pricing object (an imported history), but one late verdict. */
const REPLAYED = [
  inbound('wamid.in1', '5511912345678', '2026-10-06T12:00:00Z'),
  statuses(status('wamid.r1', 'delivered', '2026-10-06T12:10:00Z', '5511912345678', null)),
  inbound('wamid.ad1', '919811112222', '2026-10-07T12:00:00Z', true),
  statuses(status('wamid.f1', 'delivered', '2026-10-07T12:05:00Z', '919811112222', null)),
  statuses(status('wamid.x1', 'delivered', '2026-10-08T12:00:00Z', '5511955556666', null)),
  statuses(status('wamid.x1', 'sent', '2026-10-08T11:59:58Z', '5511955556666', PMP('utility'))),
];

/**
 * By hand. The WABA's zone is America/Sao_Paulo (UTC-3): every instant above is on the same local day
 * as in UTC. Cards: 2023-06 (per conversation; India marketing 0.0099), 2026-04 (per message;
 * Brazil marketing 0.0625, utility 0.0072, no Service rate).
 * - 2025-03-10: 3 marketing templates in CONV-1 = 3 delivered, 1 conversation x 0.0099.
 * - 2026-10-05: marketing 0.0625; meta_business_agent and quantum_upsell counted, cost unknown.
 * - 2026-10-06: a reply 10 min after the user wrote, no pricing: inferred service inside the customer
 *   service window, charged from 2026-10-01 at Brazil's utility rate (no Service rate) = 0.0072.
 * - 2026-10-07: the first reply 5 min after an ad referral: free entry point, free.
 * - 2026-10-08: inferred first (no pricing on delivered), then Meta's verdict on `sent`: utility 0.0072.
 */
const EXPECTED = [
  { day: '2025-03-10', category: 'marketing', messages: 3, billable: 1, cost: '0.0099' },
  { day: '2026-10-05', category: 'marketing', messages: 1, billable: 1, cost: '0.0625' },
  { day: '2026-10-05', category: 'meta_business_agent', messages: 1, billable: 1, cost: null },
  { day: '2026-10-05', category: 'quantum_upsell', messages: 1, billable: 1, cost: null },
  { day: '2026-10-06', category: 'service', messages: 1, billable: 1, cost: '0.0072' },
  { day: '2026-10-07', category: 'referral_conversion', messages: 1, billable: 0, cost: '0' },
  { day: '2026-10-08', category: 'utility', messages: 1, billable: 1, cost: '0.0072' },
];
/** Delivered statuses sent: 3 + 3 distinct CBP messages + r1, f1, x1. */
const DELIVERED = 9;

for (const engine of BOTH_STORES)
  engine.describe(`issue 11 pricing rules end to end on ${engine.title}`, () => {
    let workspace: CliWorkspace | undefined;
    let dir: string;
    let db: string;
    let config: string;
    let connector: ConnectorProcess | null = null;
    /** The connector's answer to each posted body, and what `waspend replay` printed. */
    const answers: [number, string][] = [];
    let replayOutput = '';

    beforeAll(async () => {
      workspace = await createCliWorkspace(engine, 'pricing-rules', {
        apiToken: TOKEN,
        wabas: [{ id: WABA, name: 'Rules', timezone: 'America/Sao_Paulo', currency: 'USD', portfolio: 'P1' }],
      });
      ({ dir, db, config } = workspace);
      await importRateCards(db, [
        [fixture('usd-conversation-rates-2023-06-invented.csv'), '2023-06-01'],
        [fixture('usd-rates-2026-04-invented.csv'), '2026-04-01'],
      ]);
      connector = await startConnector({ db, config });
      // Posted and replayed here, not in the first test, so that every test passes alone; the first
      // test checks the answers kept here.
      for (const body of POSTED) {
        const res = await fetch(`${connector.url}/webhooks/whatsapp`, {
          method: 'POST',
          body,
          headers: { 'content-type': 'application/json' },
        });
        answers.push([res.status, await res.text()]);
      }
      const file = path.join(dir, 'history.ndjson');
      fs.writeFileSync(file, `${REPLAYED.join('\n')}\n`);
      replayOutput = await runCli(['replay', file, '--url', connector.url, '--concurrency', '3']);
    });

    afterAll(async () => {
      await connector?.stop();
      await workspace?.remove();
    });

    it('answers 200 to every body, posted and replayed', async () => {
      expect(PHONE).toBe('106540352242922');
      expect(answers).toHaveLength(POSTED.length);
      for (const answer of answers) expect(answer).toEqual([200, expect.any(String)]);
      expect(replayOutput).toMatch(new RegExp(`replayed ${REPLAYED.length} of ${REPLAYED.length} webhook bodies`));
    });

    it('reports delivered messages, charged units (one per CBP conversation) and cost, unknown categories included', async () => {
      const rows = reportRows(
        await runCli([
          'report',
          '--from',
          '2025-03-01',
          '--to',
          '2026-10-31',
          '--by',
          'day,category',
          '--format',
          'json',
          '--config',
          config,
          '--db',
          db,
        ]),
      ) as unknown as { day: string; category: string; messages: number; billable: number; cost: string | null }[];
      expect(rows.map((r) => ({ day: r.day, category: r.category, messages: r.messages, billable: r.billable, cost: r.cost }))).toEqual(
        EXPECTED,
      );
      // Nothing lost: every delivered status answered 200 is in a count.
      expect(rows.reduce((n, r) => n + r.messages, 0)).toBe(DELIVERED);
    });

    it('shows the unpriced messages as problems on /api/v1/usage and in the Prometheus counter', async () => {
      const c = connector as ConnectorProcess;
      const res = await fetch(`${c.url}/api/v1/usage?from=2026-10-01&to=2026-10-31&by=category&interval=month&waba=${WABA}`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      const usage = (await res.json()) as {
        rows: { category: string; messages: number; cost: string | null }[];
        problems: { code: string; category?: string; count?: number }[];
      };
      expect(res.status).toBe(200);
      expect(usage.rows.map((r) => [r.category, r.messages, r.cost])).toEqual([
        ['marketing', 1, '0.0625'],
        ['meta_business_agent', 1, null],
        ['quantum_upsell', 1, null],
        ['referral_conversion', 1, '0'],
        ['service', 1, '0.0072'],
        ['utility', 1, '0.0072'],
      ]);
      expect(usage.problems.filter((p) => p.count !== undefined).map((p) => [p.code, p.category, p.count])).toEqual([
        ['unknown_category', 'meta_business_agent', 1],
        ['unknown_category', 'quantum_upsell', 1],
      ]);
      // Hourly buckets count them too: 15:00-15:02Z is 12h in Sao Paulo.
      const hourly = (await (
        await fetch(`${c.url}/api/v1/usage?from=2026-10-05&to=2026-10-05&by=category&interval=hour&waba=${WABA}`, {
          headers: { authorization: `Bearer ${TOKEN}` },
        })
      ).json()) as {
        rows: { bucket: string; category: string; messages: number; cost: string | null }[];
        problems: { code: string; count?: number }[];
      };
      expect(hourly.rows.map((r) => [r.bucket, r.category, r.messages, r.cost])).toEqual([
        ['2026-10-05T12', 'marketing', 1, '0.0625'],
        ['2026-10-05T12', 'meta_business_agent', 1, null],
        ['2026-10-05T12', 'quantum_upsell', 1, null],
      ]);
      expect(hourly.problems.map((p) => [p.code, p.count])).toEqual([
        ['unknown_category', 1],
        ['unknown_category', 1],
      ]);
      const metrics = await (await fetch(`${c.url}/metrics`)).text();
      expect(metrics).toContain('waspend_unpriced_messages_total{category="meta_business_agent"} 1');
      expect(metrics).toContain('waspend_unpriced_messages_total{category="quantum_upsell"} 1');
    });
  });
