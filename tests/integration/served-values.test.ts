/**
 * Value tests for the numbers the connector serves: every figure below is worked out by hand from
 * the fixture in this file (the arithmetic is written next to each expectation), never by calling
 * the pricing or query code. The same fixture runs on SQLite and on PostgreSQL.
 *
 * The fixture is small on purpose, and shaped so that each of these plausible bugs changes a number:
 * - a unit exactly on a tier's upper bound priced at the next tier (units 3 and 5 of the month);
 * - volume tiers restarted at the window start instead of the month start (the window 09-10..09-15);
 * - an epoch `from`/`to` cut in UTC instead of the WABA's zone (Sao Paulo is UTC-3, Kolkata UTC+5:30);
 * - call pulses computed from summed durations, or user-initiated calls given pulses;
 * - reconciliation counting Meta's free messages as charged units;
 * - a message late in the WABA-local evening bucketed on the next (UTC) day.
 *
 * WABA A: America/Sao_Paulo (UTC-3, no DST), BRL, portfolio PF1. WABA B: Asia/Kolkata (UTC+5:30), INR, portfolio PF2.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import type { ConnectorConfig } from '../../src/connector/config';
import type { RunningConnector } from '../../src/connector/runtime/connector';
import { openStore } from '../../src/connector/runtime/open-store';
import { importRateFile } from '../../src/connector/runtime/price-files';
import { BOTH_STORES, type EmptyDatabase } from '../helpers/both-stores';
import { runCli } from '../helpers/connector-harness';
import { startInProcess } from '../helpers/in-process-connector';
import { envelopeWithCalls, envelopeWithStatuses } from '../helpers/webhook-envelopes';
import { postAcknowledged } from '../helpers/post-webhook';

jest.setTimeout(180_000);

const TOKEN = 'values-token-0123456789abcdef';
const AS_OF = Date.parse('2026-10-05T12:00:00Z');
const A = '1001';
const B = '2002';
const A_PHONE_1 = '55110001';
const A_PHONE_2 = '55110002';
const B_PHONE = '91220001';
const BR_1 = '5511987650001';
const BR_2 = '5511987650002';
const BR_3 = '5511987650003';
const IN_1 = '919812340001';

const config: ConnectorConfig = {
  apiToken: TOKEN,
  wabas: [
    { id: A, name: 'Loja A', timezone: 'America/Sao_Paulo', currency: 'BRL', portfolio: 'PF1' },
    { id: B, name: 'Loja B', timezone: 'Asia/Kolkata', currency: 'INR', portfolio: 'PF2' },
  ],
};

// Invented prices, in Meta's rates CSV layout (and our documented tier and call-rate layouts).
const BRL_RATES = `Cost per message in BRL
Market,Currency,Marketing,Utility,Authentication,"Authentication-
International",Service
Brazil,BRL,0.3125,0.0400,0.0350,n/a,n/a
India,BRL,0.0600,0.0070,0.0070,0.1400,n/a
`;
// Brazil utility: units 1..3 of the month at 0.04, 4..5 at 0.03, 6 and up at 0.02.
const BRL_TIERS = `Market,Category,Lower,Upper,Rate
Brazil,utility,0,3,0.0400
Brazil,utility,4,5,0.0300
Brazil,utility,6,MAX,0.0200
`;
// 0.60 BRL a minute = 0.06 a 6-second pulse.
const BRL_CALLS = `Market,Currency,Lower minutes,Upper minutes,Rate per minute
Brazil,BRL,0,,0.6000
`;
const INR_RATES = `Cost per message in INR
Market,Currency,Marketing,Utility,Authentication,"Authentication-
International",Service
India,INR,0.7800,0.1150,0.1150,2.3000,n/a
`;

/** Sao Paulo local time (UTC-3) as epoch seconds. */
const sp = (local: string) => Date.parse(`${local}-03:00`) / 1000;
/** Kolkata local time (UTC+5:30) as epoch seconds. */
const kol = (local: string) => Date.parse(`${local}+05:30`) / 1000;
const PMP = (category: string, type = 'regular') => ({ billable: type === 'regular', pricing_model: 'PMP', type, category });

interface Status {
  id: string;
  status: 'sent' | 'delivered' | 'read' | 'failed';
  at: number;
  to: string;
  pricing?: ReturnType<typeof PMP>;
  /** biz_opaque_callback_data: the campaign / group a message belongs to. */
  group?: string;
}
function statusEnvelope(waba: string, phone: string, statuses: Status[]): object {
  return envelopeWithStatuses(
    { waba, phone, display: `+${phone}` },
    statuses.map((s) => ({
      id: s.id,
      status: s.status,
      timestamp: String(s.at),
      recipient_id: s.to,
      ...(s.pricing ? { pricing: s.pricing } : {}),
      ...(s.group ? { biz_opaque_callback_data: s.group } : {}),
      ...(s.status === 'failed' ? { errors: [{ code: 131049, title: 'Message not delivered' }] } : {}),
    })),
  );
}
function callEnvelope(
  waba: string,
  phone: string,
  call: { id: string; direction: string; start: number; duration: number; other: string },
) {
  const business = `+${phone}`;
  const userInitiated = call.direction === 'USER_INITIATED';
  return envelopeWithCalls({ waba, phone, display: business }, [
    {
      id: call.id,
      from: userInitiated ? call.other : business,
      to: userInitiated ? business : call.other,
      event: 'terminate',
      direction: call.direction,
      timestamp: String(call.start + call.duration),
      status: 'COMPLETED',
      start_time: String(call.start),
      end_time: String(call.start + call.duration),
      duration: call.duration,
    },
  ]);
}

const d = (id: string, at: number, to: string, pricing: ReturnType<typeof PMP>, group?: string): Status => ({
  id,
  status: 'delivered',
  at,
  to,
  pricing,
  ...(group ? { group } : {}),
});

/**
 * WABA A, September 2026 (all Sao Paulo local). Utility to Brazil, month units numbered 1..7:
 *   u1 09-02 10:00 pA1 (unit 1, 0.04)   u2 09-02 11:00 pA1 (unit 2, 0.04)
 *   u3 09-10 12:00 pA2 (unit 3, 0.04: on tier 1's upper bound)   u4 09-10 12:30 pA2 (unit 4, 0.03)
 *   u5 09-15 09:00 pA1 (unit 5, 0.03: on tier 2's upper bound)   u6 09-15 23:30 pA1 (unit 6, 0.02; 09-16 02:30 UTC)
 *   u7 09-20 08:00 pA2 (unit 7, 0.02)
 * plus an August one, ua 08-31 23:30 (09-01 02:30 UTC): unit 1 of August at 0.04, not of September.
 * Marketing: m1 09-10 to Brazil pA1 0.3125; m2 09-15 to India pA2 0.06 (India's row of the BRL card);
 *   m3 09-20 to Brazil pA1 0.3125, delivered twice (a duplicate) and read later.
 * Authentication: a1 09-20 to Brazil pA1 0.035 (no Brazil auth ladder: flat card rate).
 * Service: s1 09-10 to Brazil pA2, Meta's verdict free_customer_service: delivered, not charged.
 * Groups (biz_opaque_callback_data): m1 and m3 'black-friday', u1 'receipts', the rest none.
 * Failed: f1 09-10 marketing to Brazil, only `sent` then `failed`: never delivered, not counted.
 */
function wabaAEnvelopes(): object[] {
  const util = PMP('utility');
  const mkt = PMP('marketing');
  return [
    statusEnvelope(A, A_PHONE_1, [d('ua', sp('2026-08-31T23:30:00'), BR_1, util)]),
    statusEnvelope(A, A_PHONE_1, [
      d('u1', sp('2026-09-02T10:00:00'), BR_1, util, 'receipts'),
      d('u2', sp('2026-09-02T11:00:00'), BR_2, util),
    ]),
    statusEnvelope(A, A_PHONE_2, [d('u3', sp('2026-09-10T12:00:00'), BR_1, util), d('u4', sp('2026-09-10T12:30:00'), BR_3, util)]),
    statusEnvelope(A, A_PHONE_1, [d('u5', sp('2026-09-15T09:00:00'), BR_2, util), d('u6', sp('2026-09-15T23:30:00'), BR_2, util)]),
    statusEnvelope(A, A_PHONE_2, [d('u7', sp('2026-09-20T08:00:00'), BR_3, util)]),
    statusEnvelope(A, A_PHONE_1, [d('m1', sp('2026-09-10T15:00:00'), BR_1, mkt, 'black-friday')]),
    statusEnvelope(A, A_PHONE_2, [d('m2', sp('2026-09-15T10:00:00'), IN_1, mkt)]),
    statusEnvelope(A, A_PHONE_1, [d('m3', sp('2026-09-20T09:00:00'), BR_2, mkt, 'black-friday')]),
    statusEnvelope(A, A_PHONE_1, [d('m3', sp('2026-09-20T09:00:00'), BR_2, mkt, 'black-friday')]),
    statusEnvelope(A, A_PHONE_1, [{ id: 'm3', status: 'read', at: sp('2026-09-20T09:05:00'), to: BR_2 }]),
    statusEnvelope(A, A_PHONE_1, [d('a1', sp('2026-09-20T10:00:00'), BR_1, PMP('authentication'))]),
    statusEnvelope(A, A_PHONE_2, [d('s1', sp('2026-09-10T16:00:00'), BR_3, PMP('service', 'free_customer_service'))]),
    statusEnvelope(A, A_PHONE_1, [
      { id: 'f1', status: 'sent', at: sp('2026-09-10T17:00:00'), to: BR_1, pricing: mkt },
      { id: 'f1', status: 'failed', at: sp('2026-09-10T17:00:05'), to: BR_1 },
    ]),
  ];
}

/**
 * WABA B, Kolkata: b1 marketing to India 09-10 01:30 local (09-09 20:00 UTC) 0.78 INR;
 * b2 utility to India 09-10 09:00 local 0.115 INR (no INR tier table: flat rate).
 */
function wabaBEnvelopes(): object[] {
  return [
    statusEnvelope(B, B_PHONE, [
      d('b1', kol('2026-09-10T01:30:00'), IN_1, PMP('marketing')),
      d('b2', kol('2026-09-10T09:00:00'), IN_1, PMP('utility')),
    ]),
  ];
}

/**
 * Calls of WABA A on its phone pA1 (all business-initiated ones to Brazil):
 *   c1 09-10 14:00, 56 s business-initiated: ceil(56/6) = 10 pulses x 0.06 = 0.60
 *   c2 09-15 14:00, 7 s business-initiated: ceil(7/6) = 2 pulses x 0.06 = 0.12
 *   c3 09-15 15:00, 120 s user-initiated: free, 0 pulses
 * (Pulses from summed durations would give ceil(63/6) = 11 instead of 12.)
 */
function callEnvelopes(): object[] {
  return [
    callEnvelope(A, A_PHONE_1, {
      id: 'wacid.c1',
      direction: 'BUSINESS_INITIATED',
      start: sp('2026-09-10T14:00:00'),
      duration: 56,
      other: BR_1,
    }),
    callEnvelope(A, A_PHONE_1, {
      id: 'wacid.c2',
      direction: 'BUSINESS_INITIATED',
      start: sp('2026-09-15T14:00:00'),
      duration: 7,
      other: BR_2,
    }),
    callEnvelope(A, A_PHONE_1, {
      id: 'wacid.c3',
      direction: 'USER_INITIATED',
      start: sp('2026-09-15T15:00:00'),
      duration: 120,
      other: BR_3,
    }),
  ];
}

/** Decimal string -> micro-units, written here so that no expectation goes through the code under test. */
function micros(decimal: string | null | undefined): number | null {
  if (decimal === null || decimal === undefined) return null;
  const [whole, frac = ''] = decimal.split('.');
  const sign = whole?.startsWith('-') ? -1 : 1;
  return sign * (Math.abs(Number(whole)) * 1_000_000 + Number((frac + '000000').slice(0, 6)));
}
/** Hand figures in micro-units: 0.04 BRL = 40_000. */
const M = (major: number) => Math.round(major * 1_000_000);

type Row = Record<string, unknown> & { bucket?: string; currency?: string; messages?: number; billable?: number; cost?: string | null };

interface Harness {
  url: string;
  get<T = { rows: Row[] }>(pathAndQuery: string): Promise<T>;
  db: string;
  configFile: string;
}

async function seed(db: string): Promise<void> {
  const store = await openStore(db, { timezones: { [A]: 'America/Sao_Paulo', [B]: 'Asia/Kolkata' } });
  try {
    const files = [
      { kind: 'rates' as const, text: BRL_RATES, effectiveFrom: '2026-07-01', fileName: 'brl-rates.csv' },
      { kind: 'tiers' as const, text: BRL_TIERS, effectiveFrom: '2026-07-01', currency: 'BRL', fileName: 'brl-tiers.csv' },
      { kind: 'call_rates' as const, text: BRL_CALLS, effectiveFrom: '2025-08-01', currency: 'BRL', fileName: 'brl-calls.csv' },
      { kind: 'rates' as const, text: INR_RATES, effectiveFrom: '2026-07-01', fileName: 'inr-rates.csv' },
    ];
    for (const f of files) await importRateFile(store, f, Date.parse('2026-09-01T00:00:00Z'));
    // Meta's pricing analytics for WABA A on 09-10: the two utility messages (units 3 and 4), the
    // marketing one and the free service one. Meta charged 3 units; the free one is volume only.
    await store.replaceDays(
      A,
      'meta_pricing',
      ['2026-09-10'],
      {
        pricing: [
          {
            day: '2026-09-10',
            wabaId: A,
            phoneNumberId: A_PHONE_2,
            country: 'BR',
            category: 'utility',
            pricingType: 'regular',
            tier: null,
            volume: 2,
            costMicros: 70_000n,
            currency: 'BRL',
          },
          {
            day: '2026-09-10',
            wabaId: A,
            phoneNumberId: A_PHONE_1,
            country: 'BR',
            category: 'marketing',
            pricingType: 'regular',
            tier: null,
            volume: 1,
            costMicros: 312_500n,
            currency: 'BRL',
          },
          {
            day: '2026-09-10',
            wabaId: A,
            phoneNumberId: A_PHONE_2,
            country: 'BR',
            category: 'service',
            pricingType: 'free_customer_service',
            tier: null,
            volume: 1,
            costMicros: 0n,
            currency: 'BRL',
          },
        ],
      },
      { lastCompleteDay: '2026-09-10' },
    );
  } finally {
    await store.close();
  }
}

for (const engine of BOTH_STORES)
  engine.describe(`served numbers on ${engine.scheme}`, () => {
    let running: RunningConnector;
    let h: Harness;
    let database: EmptyDatabase;
    let dir: string;

    beforeAll(async () => {
      database = await engine.createDatabase('values');
      await seed(database.url);
      running = await startInProcess({
        config,
        db: database.url,
        // "now" for the default tier month and the lists' 400-day look-back: pinned, not the calendar.
        asOfMs: AS_OF,
      });
      for (const body of [...wabaAEnvelopes(), ...wabaBEnvelopes(), ...callEnvelopes()]) await postAcknowledged(running.url, body);
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waspend-values-cfg-'));
      const configFile = path.join(dir, 'waspend.yaml');
      fs.writeFileSync(configFile, stringify(config));
      h = {
        url: running.url,
        db: database.url,
        configFile,
        async get<T>(q: string): Promise<T> {
          const res = await fetch(`${running.url}/api/v1${q}`, { headers: { authorization: `Bearer ${TOKEN}` } });
          const text = await res.text();
          if (res.status !== 200) throw new Error(`GET ${q} answered ${res.status}: ${text}`);
          return JSON.parse(text) as T;
        },
      };
    });
    afterAll(async () => {
      await running?.close();
      await database?.remove();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    /** Rows reduced to the fields a test names, sorted, money as micro-units. */
    const pick = (rows: Row[], keys: string[]) =>
      rows
        .map((r) => Object.fromEntries(keys.map((k) => [k, k === 'cost' || k.endsWith('Cost') ? micros(r[k] as string | null) : r[k]])))
        .sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));

    /** `waspend report --format json` over September (the month every figure here is worked out for), by `by`. */
    const reportRows = async (by: string) =>
      JSON.parse(
        await runCli([
          'report',
          '--from',
          '2026-09-01',
          '--to',
          '2026-09-30',
          '--by',
          by,
          '--format',
          'json',
          '--config',
          h.configFile,
          '--db',
          h.db,
        ]),
      ) as Row[];

    it('usage by category over September: delivered, charged units and cost per currency', async () => {
      const { rows } = await h.get('/usage?from=2026-09-01&to=2026-09-30&interval=month&by=category');
      expect(pick(rows, ['bucket', 'currency', 'category', 'messages', 'billable', 'cost'])).toEqual(
        pick(
          [
            // utility u1..u7: 3 x 0.04 + 2 x 0.03 + 2 x 0.02 = 0.12 + 0.06 + 0.04 = 0.22
            { bucket: '2026-09', currency: 'BRL', category: 'utility', messages: 7, billable: 7, cost: '0.22' },
            // marketing m1 + m2 + m3 (m3 once): 0.3125 + 0.06 + 0.3125 = 0.685
            { bucket: '2026-09', currency: 'BRL', category: 'marketing', messages: 3, billable: 3, cost: '0.685' },
            { bucket: '2026-09', currency: 'BRL', category: 'authentication', messages: 1, billable: 1, cost: '0.035' },
            { bucket: '2026-09', currency: 'BRL', category: 'service', messages: 1, billable: 0, cost: '0' },
            { bucket: '2026-09', currency: 'INR', category: 'marketing', messages: 1, billable: 1, cost: '0.78' },
            { bucket: '2026-09', currency: 'INR', category: 'utility', messages: 1, billable: 1, cost: '0.115' },
          ],
          ['bucket', 'currency', 'category', 'messages', 'billable', 'cost'],
        ),
      );
    });

    it('usage by day for WABA A: tier bounds land on the right day, late-evening messages on their local day', async () => {
      const { rows } = await h.get(`/usage?from=2026-08-31&to=2026-09-30&interval=day&by=category&waba=${A}&category=utility`);
      expect(pick(rows, ['bucket', 'messages', 'billable', 'cost'])).toEqual(
        pick(
          [
            { bucket: '2026-08-31', messages: 1, billable: 1, cost: '0.04' }, // August's unit 1
            { bucket: '2026-09-02', messages: 2, billable: 2, cost: '0.08' }, // units 1, 2 at 0.04
            { bucket: '2026-09-10', messages: 2, billable: 2, cost: '0.07' }, // unit 3 at 0.04 (upper bound), unit 4 at 0.03
            { bucket: '2026-09-15', messages: 2, billable: 2, cost: '0.05' }, // unit 5 at 0.03 (upper bound), unit 6 at 0.02
            { bucket: '2026-09-20', messages: 1, billable: 1, cost: '0.02' }, // unit 7 at 0.02
          ],
          ['bucket', 'messages', 'billable', 'cost'],
        ),
      );
      // Bucket times are the WABA's local midnight: 09-15 00:00 in Sao Paulo is 03:00 UTC.
      expect(rows.find((r) => r.bucket === '2026-09-15')?.time).toBe(Date.parse('2026-09-15T03:00:00Z'));
    });

    it('a window starting mid-month keeps the month’s tier count (09-10..09-15 costs 0.04 + 0.03 + 0.03 + 0.02)', async () => {
      const { rows } = await h.get(`/usage?from=2026-09-10&to=2026-09-15&interval=month&by=category&waba=${A}&category=utility`);
      // Units 3..6 of the month: 0.04 + 0.03 + 0.03 + 0.02 = 0.12 (restarting tiers at 09-10 would give 0.15).
      expect(pick(rows, ['messages', 'billable', 'cost'])).toEqual([{ messages: 4, billable: 4, cost: M(0.12) }]);
    });

    it('epoch ranges are cut at the WABA’s midnight, not UTC’s', async () => {
      // [09-16 01:00 UTC, 09-16 04:00 UTC) is 09-15 22:00 .. 09-16 01:00 in Sao Paulo: local days 09-15 and 09-16.
      const from = Date.parse('2026-09-16T01:00:00Z');
      const to = Date.parse('2026-09-16T04:00:00Z');
      const { rows } = await h.get(`/usage?from=${from}&to=${to}&interval=day&by=category&waba=${A}`);
      // 09-15: u5 + u6 utility (0.03 + 0.02) and m2 marketing to India (0.06); nothing on 09-16.
      expect(pick(rows, ['bucket', 'category', 'messages', 'cost'])).toEqual(
        pick(
          [
            { bucket: '2026-09-15', category: 'utility', messages: 2, cost: '0.05' },
            { bucket: '2026-09-15', category: 'marketing', messages: 1, cost: '0.06' },
          ],
          ['bucket', 'category', 'messages', 'cost'],
        ),
      );
      // Kolkata: b1 at 09-10 01:30 local is 09-09 20:00 UTC; the epoch range [09-09 18:30 UTC, 09-10 18:30 UTC) is exactly local 09-10.
      const kFrom = Date.parse('2026-09-09T18:30:00Z');
      const kTo = Date.parse('2026-09-10T18:30:00Z');
      const k = await h.get(`/usage?from=${kFrom}&to=${kTo}&interval=day&by=category&waba=${B}`);
      expect(pick(k.rows, ['bucket', 'category', 'cost'])).toEqual(
        pick(
          [
            { bucket: '2026-09-10', category: 'marketing', cost: '0.78' },
            { bucket: '2026-09-10', category: 'utility', cost: '0.115' },
          ],
          ['bucket', 'category', 'cost'],
        ),
      );
    });

    it('usage by country and market: India is a market of its own inside the BRL card', async () => {
      const { rows } = await h.get(`/usage?from=2026-09-01&to=2026-09-30&interval=month&by=country,market&waba=${A}`);
      expect(pick(rows, ['country', 'market', 'messages', 'billable', 'cost'])).toEqual(
        pick(
          [
            // Brazil: utility 0.22 + marketing m1, m3 0.625 + auth 0.035 + service 0 = 0.88; 7 + 2 + 1 + 1 = 11 delivered, 10 charged
            { country: 'BR', market: 'Brazil', messages: 11, billable: 10, cost: '0.88' },
            { country: 'IN', market: 'India', messages: 1, billable: 1, cost: '0.06' },
          ],
          ['country', 'market', 'messages', 'billable', 'cost'],
        ),
      );
    });

    it('usage by phone and a phone filter', async () => {
      const { rows } = await h.get(`/usage?from=2026-09-01&to=2026-09-30&interval=month&by=phone&waba=${A}`);
      expect(pick(rows, ['phoneNumberId', 'messages', 'billable', 'cost'])).toEqual(
        pick(
          [
            // pA1: u1, u2 (0.08), u5 (0.03), u6 (0.02), m1, m3 (0.625), a1 (0.035) = 0.79; 7 messages
            { phoneNumberId: A_PHONE_1, messages: 7, billable: 7, cost: '0.79' },
            // pA2: u3 (0.04), u4 (0.03), u7 (0.02), m2 (0.06), s1 (0) = 0.15; 5 messages, 4 charged
            { phoneNumberId: A_PHONE_2, messages: 5, billable: 4, cost: '0.15' },
          ],
          ['phoneNumberId', 'messages', 'billable', 'cost'],
        ),
      );
      const filtered = await h.get(`/usage?from=2026-09-01&to=2026-09-30&interval=month&phone=${A_PHONE_2}&category=utility`);
      // pA2's utility units are the month's units 3, 4 and 7 of the portfolio: 0.04 + 0.03 + 0.02 = 0.09.
      expect(pick(filtered.rows, ['currency', 'messages', 'cost'])).toEqual([{ currency: 'BRL', messages: 3, cost: M(0.09) }]);
    });

    it('usage by pricing type and direction', async () => {
      const byType = await h.get(`/usage?from=2026-09-01&to=2026-09-30&interval=month&by=pricing_type&waba=${A}`);
      expect(pick(byType.rows, ['pricingType', 'messages', 'billable', 'cost'])).toEqual(
        pick(
          [
            { pricingType: 'regular', messages: 11, billable: 11, cost: '0.94' }, // 0.22 + 0.685 + 0.035
            { pricingType: 'free_customer_service', messages: 1, billable: 0, cost: '0' },
          ],
          ['pricingType', 'messages', 'billable', 'cost'],
        ),
      );
      const byDirection = await h.get(`/usage?from=2026-09-01&to=2026-09-30&interval=month&by=direction&waba=${A}`);
      expect(pick(byDirection.rows, ['direction', 'messages', 'cost'])).toEqual(
        pick(
          [
            { direction: 'business_initiated', messages: 11, cost: '0.94' },
            { direction: 'user_initiated', messages: 1, cost: '0' }, // service is the user-initiated side
          ],
          ['direction', 'messages', 'cost'],
        ),
      );
    });

    it('hourly buckets split each day exactly over its hours', async () => {
      const { rows } = await h.get(`/usage?from=2026-09-15&to=2026-09-15&interval=hour&by=category&waba=${A}`);
      expect(pick(rows, ['bucket', 'category', 'messages', 'billable', 'cost'])).toEqual(
        pick(
          [
            // utility 0.05 over u5 (09h) and u6 (23h): one message each, 0.025 each
            { bucket: '2026-09-15T09', category: 'utility', messages: 1, billable: 1, cost: '0.025' },
            { bucket: '2026-09-15T23', category: 'utility', messages: 1, billable: 1, cost: '0.025' },
            { bucket: '2026-09-15T10', category: 'marketing', messages: 1, billable: 1, cost: '0.06' },
          ],
          ['bucket', 'category', 'messages', 'billable', 'cost'],
        ),
      );
    });

    it('calls: pulses per call, user-initiated calls free', async () => {
      const { rows } = await h.get(`/calls?from=2026-09-01&to=2026-09-30&interval=day&by=direction&waba=${A}`);
      expect(pick(rows, ['bucket', 'direction', 'calls', 'durationSec', 'pulses', 'cost'])).toEqual(
        pick(
          [
            { bucket: '2026-09-10', direction: 'business_initiated', calls: 1, durationSec: 56, pulses: 10, cost: '0.6' },
            // c2 alone: 7 s = 2 pulses x 0.06
            { bucket: '2026-09-15', direction: 'business_initiated', calls: 1, durationSec: 7, pulses: 2, cost: '0.12' },
            { bucket: '2026-09-15', direction: 'user_initiated', calls: 1, durationSec: 120, pulses: 0, cost: '0' },
          ],
          ['bucket', 'direction', 'calls', 'durationSec', 'pulses', 'cost'],
        ),
      );
      const month = await h.get(`/calls?from=2026-09-01&to=2026-09-30&interval=month&waba=${A}`);
      // 10 + 2 pulses (not ceil(183 / 6) = 31, not ceil(63 / 6) = 11); 0.60 + 0.12 = 0.72
      expect(pick(month.rows, ['calls', 'durationSec', 'pulses', 'cost'])).toEqual([
        { calls: 3, durationSec: 183, pulses: 12, cost: M(0.72) },
      ]);
    });

    it('reconciliation: Meta’s charged units exclude its free messages', async () => {
      const { rows } = await h.get<{ rows: Row[] }>(`/reconciliation?from=2026-09-10&to=2026-09-10&waba=${A}`);
      // Estimate 09-10: u3, u4 (2 units, 0.07) + m1 (0.3125) = 3 units, 0.3825; s1 is free.
      // Meta: utility 2 + marketing 1 charged = 3 units (the free service message is volume only), 0.07 + 0.3125 = 0.3825.
      expect(pick(rows, ['day', 'currency', 'estimateUnits', 'estimateCost', 'metaUnits', 'metaCost'])).toEqual([
        { day: '2026-09-10', currency: 'BRL', estimateUnits: 3, estimateCost: M(0.3825), metaUnits: 3, metaCost: M(0.3825) },
      ]);
    });

    it('tiers: the month’s charged units and the tier in force', async () => {
      const { rows } = await h.get<{ rows: Row[] }>(`/tiers?month=2026-09&waba=${A}`);
      const brazilUtility = rows.find((r) => r.market === 'Brazil' && r.category === 'utility');
      // 7 charged utility units in September: unit 8 is next, in the 6..MAX tier; no next tier.
      expect(brazilUtility).toMatchObject({ units: 7, tierLower: 6, tierUpper: null, remaining: null });
      const august = await h.get<{ rows: Row[] }>(`/tiers?month=2026-08&waba=${A}`);
      // August has one unit: unit 2 is next, in tier 0..3, with 3 - 1 = 2 units left before 4..5.
      expect(august.rows.find((r) => r.market === 'Brazil' && r.category === 'utility')).toMatchObject({
        units: 1,
        tierLower: 0,
        tierUpper: 3,
        remaining: 2,
      });
    });

    it('unique contacts over a day and a range', async () => {
      const { rows, total } = await h.get<{ rows: { bucket: string; contacts: number }[]; total: number }>(
        `/contacts?from=2026-09-10&to=2026-09-10&interval=day&waba=${A}`,
      );
      // 09-10 delivered to BR_1 (u3, m1), BR_3 (u4, s1); f1 failed (BR_1 anyway). 2 contacts.
      expect(rows.map((r) => [r.bucket, r.contacts])).toEqual([['2026-09-10', 2]]);
      expect(total).toBe(2);
    });

    it('usage by WABA: each WABA in its own currency, never added together', async () => {
      const { rows } = await h.get('/usage?from=2026-09-01&to=2026-09-30&interval=month&by=waba');
      expect(pick(rows, ['wabaId', 'currency', 'messages', 'billable', 'cost'])).toEqual(
        pick(
          [
            // A: 7 utility + 3 marketing + 1 auth + 1 service = 12 delivered, 11 charged; 0.22 + 0.685 + 0.035 = 0.94
            { wabaId: A, currency: 'BRL', messages: 12, billable: 11, cost: '0.94' },
            // B: 0.78 + 0.115 = 0.895
            { wabaId: B, currency: 'INR', messages: 2, billable: 2, cost: '0.895' },
          ],
          ['wabaId', 'currency', 'messages', 'billable', 'cost'],
        ),
      );
      // Without by=waba the two currencies still come back as two rows.
      const all = await h.get('/usage?from=2026-09-01&to=2026-09-30&interval=month');
      expect(pick(all.rows, ['currency', 'messages', 'cost'])).toEqual(
        pick(
          [
            { currency: 'BRL', messages: 12, cost: '0.94' },
            { currency: 'INR', messages: 2, cost: '0.895' },
          ],
          ['currency', 'messages', 'cost'],
        ),
      );
    });

    it('usage filters: country, pricing type, direction and group each narrow to the hand figures', async () => {
      const q = '/usage?from=2026-09-01&to=2026-09-30&interval=month';
      // India: A's m2 (0.06 BRL) and B's b1 + b2 (0.78 + 0.115 = 0.895 INR)
      expect(pick((await h.get(`${q}&country=IN`)).rows, ['currency', 'messages', 'cost'])).toEqual(
        pick(
          [
            { currency: 'BRL', messages: 1, cost: '0.06' },
            { currency: 'INR', messages: 2, cost: '0.895' },
          ],
          ['currency', 'messages', 'cost'],
        ),
      );
      expect(pick((await h.get(`${q}&pricingType=free_customer_service`)).rows, ['currency', 'messages', 'billable', 'cost'])).toEqual([
        { currency: 'BRL', messages: 1, billable: 0, cost: 0 },
      ]);
      expect(pick((await h.get(`${q}&direction=user_initiated`)).rows, ['currency', 'messages', 'cost'])).toEqual([
        { currency: 'BRL', messages: 1, cost: 0 },
      ]);
      // black-friday: m1 + m3 = 2 x 0.3125
      expect(pick((await h.get(`${q}&group=black-friday`)).rows, ['currency', 'messages', 'cost'])).toEqual([
        { currency: 'BRL', messages: 2, cost: M(0.625) },
      ]);
      const byGroup = await h.get(`${q}&by=group&waba=${A}`);
      expect(pick(byGroup.rows, ['group', 'messages', 'billable', 'cost'])).toEqual(
        pick(
          [
            { group: 'black-friday', messages: 2, billable: 2, cost: '0.625' },
            { group: 'receipts', messages: 1, billable: 1, cost: '0.04' }, // u1 is the month's utility unit 1
            // the other 9: u2..u7 (0.04 + 0.04 + 0.03 + 0.03 + 0.02 + 0.02 = 0.18), m2 0.06, a1 0.035, s1 0 = 0.275
            { group: null, messages: 9, billable: 8, cost: '0.275' },
          ],
          ['group', 'messages', 'billable', 'cost'],
        ),
      );
    });

    it('monthly buckets: August and September each start their own tier count', async () => {
      const { rows } = await h.get(`/usage?from=2026-08-01&to=2026-09-30&interval=month&waba=${A}&category=utility`);
      expect(pick(rows, ['bucket', 'messages', 'cost'])).toEqual(
        pick(
          [
            { bucket: '2026-08', messages: 1, cost: '0.04' },
            { bucket: '2026-09', messages: 7, cost: '0.22' },
          ],
          ['bucket', 'messages', 'cost'],
        ),
      );
      // The September bucket starts at 09-01 00:00 in Sao Paulo, 03:00 UTC.
      expect(rows.find((r) => r.bucket === '2026-09')?.time).toBe(Date.parse('2026-09-01T03:00:00Z'));
    });

    it('pricing-input: unpriced units of the window and the units charged before it in the month', async () => {
      const res = await h.get<{ rows: Row[]; priorUnits: Row[] }>(`/pricing-input?from=2026-09-10&to=2026-09-15&waba=${A}&by=category`);
      const units = (category: string, market: string) =>
        res.rows.filter((r) => r.category === category && r.market === market).reduce((a, r) => a + (r.units as number), 0);
      // 09-10: u3, u4; 09-15: u5, u6 -> 4 utility to Brazil; m1 to Brazil, m2 to India; s1 service
      expect([units('utility', 'Brazil'), units('marketing', 'Brazil'), units('marketing', 'India'), units('service', 'Brazil')]).toEqual([
        4, 1, 1, 1,
      ]);
      expect(res.rows.every((r) => r.wabaId === A && r.portfolioId === 'PF1' && r.currency === 'BRL')).toBe(true);
      // u1 and u2 were charged on 09-02, before the window: the ladder starts at unit 3.
      expect(res.priorUnits.find((p) => p.market === 'Brazil' && p.category === 'utility' && p.month === '2026-09')).toMatchObject({
        portfolioId: 'PF1',
        units: 2,
      });
    });

    it('calls by country and phone, and a direction filter', async () => {
      const byCountry = await h.get(`/calls?from=2026-09-01&to=2026-09-30&interval=month&by=country&waba=${A}`);
      // all three calls are with Brazilian numbers: 56 + 7 + 120 = 183 s, 10 + 2 + 0 pulses, 0.72
      expect(pick(byCountry.rows, ['country', 'calls', 'durationSec', 'pulses', 'cost'])).toEqual([
        { country: 'BR', calls: 3, durationSec: 183, pulses: 12, cost: M(0.72) },
      ]);
      const byPhone = await h.get(`/calls?from=2026-09-01&to=2026-09-30&interval=month&by=phone`);
      expect(pick(byPhone.rows, ['phoneNumberId', 'calls', 'pulses'])).toEqual([{ phoneNumberId: A_PHONE_1, calls: 3, pulses: 12 }]);
      const outbound = await h.get(`/calls?from=2026-09-01&to=2026-09-30&interval=month&direction=business_initiated`);
      expect(pick(outbound.rows, ['calls', 'durationSec', 'pulses', 'cost'])).toEqual([
        { calls: 2, durationSec: 63, pulses: 12, cost: M(0.72) },
      ]);
      const inbound = await h.get(`/calls?from=2026-09-01&to=2026-09-30&interval=month&direction=user_initiated`);
      expect(pick(inbound.rows, ['calls', 'durationSec', 'pulses', 'cost'])).toEqual([{ calls: 1, durationSec: 120, pulses: 0, cost: 0 }]);
    });

    it('unique contacts over the month is the distinct count, not the sum of days', async () => {
      const { rows, total } = await h.get<{ rows: { bucket: string; contacts: number }[]; total: number }>(
        `/contacts?from=2026-09-01&to=2026-09-30&interval=month&waba=${A}`,
      );
      // Delivered to BR_1, BR_2, BR_3 and IN_1 in September (BR_1 on 3 days, BR_2 on 3, BR_3 on 2): 4 contacts.
      expect(total).toBe(4);
      expect(rows.map((r) => [r.bucket, r.contacts])).toEqual([['2026-09', 4]]);
    });

    it('lists for template variables hold exactly the values in the store', async () => {
      const list = async (kind: string, waba?: string) =>
        (await h.get<{ items: { value: string }[] }>(`/lists/${kind}${waba ? `?waba=${waba}` : ''}`)).items.map((i) => i.value).sort();
      expect(await list('wabas')).toEqual([A, B].sort());
      expect(await list('phones', A)).toEqual([A_PHONE_1, A_PHONE_2].sort());
      expect(await list('phones', B)).toEqual([B_PHONE]);
      expect(await list('countries')).toEqual(['BR', 'IN']);
      expect(await list('groups')).toEqual(['black-friday', 'receipts']);
      expect(await list('markets', A)).toEqual(['Brazil', 'India']);
      // Categories are offered from Meta's whole list (a panel may filter on one not sent yet): it holds the ones seen.
      expect(await list('categories', A)).toEqual(expect.arrayContaining(['authentication', 'marketing', 'service', 'utility']));
    });

    it('annotations: the imported price files on their effective days', async () => {
      const { items } = await h.get<{ items: { time: number; kind: string; title: string; text: string }[] }>(
        `/annotations?from=2026-06-01&to=2026-09-30&kind=rate_card&waba=${A}`,
      );
      // Only BRL files concern WABA A: the rates card and the tier table, both from 2026-07-01 (00:00 in Sao Paulo = 03:00 UTC).
      expect(items.length).toBeGreaterThan(0);
      expect(new Set(items.map((i) => i.time))).toEqual(new Set([Date.parse('2026-07-01T03:00:00Z')]));
      expect(items.every((i) => `${i.title} ${i.text}`.includes('BRL'))).toBe(true);
    });

    it('waspend report --by category equals the hand figures', async () => {
      const keys = ['currency', 'category', 'messages', 'billable', 'cost'];
      expect(pick(await reportRows('category'), keys)).toEqual(
        pick(
          [
            { currency: 'BRL', category: 'utility', messages: 7, billable: 7, cost: '0.22' },
            { currency: 'BRL', category: 'marketing', messages: 3, billable: 3, cost: '0.685' },
            { currency: 'BRL', category: 'authentication', messages: 1, billable: 1, cost: '0.035' },
            { currency: 'BRL', category: 'service', messages: 1, billable: 0, cost: '0' },
            { currency: 'INR', category: 'marketing', messages: 1, billable: 1, cost: '0.78' },
            { currency: 'INR', category: 'utility', messages: 1, billable: 1, cost: '0.115' },
          ],
          keys,
        ),
      );
    });

    it('waspend report --by country,phone: both columns filled, figures by hand', async () => {
      const keys = ['currency', 'country', 'phone_number_id', 'messages', 'billable', 'cost'];
      expect(pick(await reportRows('country,phone'), keys)).toEqual(
        pick(
          [
            // u1, u2 (0.08), u5 (0.03), u6 (0.02), m1, m3 (0.625), a1 (0.035): 0.79
            { currency: 'BRL', country: 'BR', phone_number_id: A_PHONE_1, messages: 7, billable: 7, cost: '0.79' },
            // u3 (0.04), u4 (0.03), u7 (0.02), s1 (free): 0.09
            { currency: 'BRL', country: 'BR', phone_number_id: A_PHONE_2, messages: 4, billable: 3, cost: '0.09' },
            { currency: 'BRL', country: 'IN', phone_number_id: A_PHONE_2, messages: 1, billable: 1, cost: '0.06' },
            { currency: 'INR', country: 'IN', phone_number_id: B_PHONE, messages: 2, billable: 2, cost: '0.895' },
          ],
          keys,
        ),
      );
    });
  });
