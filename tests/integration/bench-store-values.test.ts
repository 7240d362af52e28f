/**
 * The bench store holds what its generator wrote. A small store is built the way `npm run bench`
 * builds it (price files imported, then every planned status, call, inbound message and tier
 * announcement posted to the connector's webhook route, or on SQLite also written by the bulk
 * path before the connector starts), and every dashboard panel's requests
 * are asked of the connector. Each panel's totals are compared with counts computed here, from the
 * generator's output (planStore) and the API's documented day semantics, never from the store.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { localDay, marketOf } from '@core';
import { BENCH_TOKEN, writeBenchConfig } from '../../bench/bench-config';
import { importBenchPrices } from '../../bench/bench-rates';
import { buildStoreViaWebhooks, type BuildResult } from '../../bench/build-store';
import { buildStoreInProcess } from '../../bench/bulk-build';
import { startConnector, type RunningConnector } from '../../bench/connector-process';
import { panelQueries, type PanelQuery } from '../../bench/panel-queries';
import { benchRange } from '../../bench/sections/queries';
import { SCALES } from '../../bench/options';
import { requirePrerequisite } from '../helpers/prerequisites';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { planStore, tierLadder, type BuildPlan } from '../../bench/store-plan';
import { rawBaseline, rawQuestionOf, type RawQuestion } from '../../bench/raw-baseline';
import type { BenchWaba, CallPlan, StatusEvent, TierAnnouncement } from '../../bench/webhook-bodies';
import { rowsOfColumns } from '../helpers/pricing-input-columns';

const ENDSEC = Math.floor(Date.UTC(2026, 10, 20) / 1000);
const PLAN: BuildPlan = { messages: 1_500, days: 90, countries: 10, phones: 4, endSec: ENDSEC };
const SCALE = { ...SCALES.tiny, messages: PLAN.messages, days: PLAN.days, countries: PLAN.countries, phones: PLAN.phones };
const { fromMs, toMs } = benchRange(SCALE, ENDSEC);

// What the generator wrote, unpacked from its own output.
interface Delivered {
  waba: BenchWaba;
  phone: string;
  e: StatusEvent;
}
const delivered: Delivered[] = [];
const calls: CallPlan[] = [];
let statusEvents = 0;
let inbound = 0;
let referrals = 0;
const announcements: TierAnnouncement[] = [];
const contactsByWabaDay: Array<{ waba: BenchWaba; ms: number; contact: string }> = [];
for (const item of planStore(PLAN)) {
  if (item.kind === 'message') {
    statusEvents += item.message.events.length;
    const d = item.message.events.find((e) => e.status === 'delivered');
    if (d) {
      delivered.push({ waba: item.message.waba, phone: item.message.phone, e: d });
      contactsByWabaDay.push({ waba: item.message.waba, ms: d.timestampSec * 1000, contact: d.recipient });
    }
  } else if (item.kind === 'call') calls.push(item.call);
  else if (item.kind === 'inbound') {
    inbound++;
    if (item.inbound.referral) referrals++;
    contactsByWabaDay.push({ waba: item.inbound.waba, ms: item.inbound.atSec * 1000, contact: item.inbound.from });
  } else announcements.push(item.tier);
}

const BILLABLE = (c: string) => c !== 'service' && c !== 'referral_conversion';
const TIERED = new Set(['Brazil', 'India', 'Germany']);

/**
 * Whether an instant falls in a request's range as docs/api.md defines it: epoch-ms bounds cover
 * every WABA-local day overlapping [from, to); day bounds are WABA-local days, both inclusive.
 */
function inRange(ms: number, tz: string, params: URLSearchParams): boolean {
  const from = params.get('from') as string;
  const to = params.get('to') as string;
  const isDay = (v: string) => /^\d{4}-\d{2}-\d{2}$/.test(v);
  const fromDay = isDay(from) ? from : localDay(Number(from), tz);
  const toDay = isDay(to) ? to : localDay(Number(to) - 1, tz);
  const day = localDay(ms, tz);
  return day >= fromDay && day <= toDay;
}

const countBy = <T>(items: readonly T[], key: (t: T) => string, weight: (t: T) => number = () => 1) => {
  const out: Record<string, number> = {};
  for (const t of items) out[key(t)] = (out[key(t)] ?? 0) + weight(t);
  return out;
};

type Row = Record<string, unknown>;
const sum = (rows: Row[], field: string) => rows.reduce((s, r) => s + Number(r[field] ?? 0), 0);
const sumBy = (rows: Row[], dim: string, field: string) =>
  countBy(
    rows,
    (r) => String(r[dim] ?? ''),
    (r) => Number(r[field] ?? 0),
  );

// The bench builds its query store on both engines; the same totals must come out of each. The
// bulk path (the default at medium and full) is checked end to end on SQLite too; that it writes
// the webhook route's very rows, on both engines, is bulk-build-equivalence.test.ts's business.
type Build = 'webhook' | 'bulk';
const engines: Array<[string, jest.Describe, (dir: string) => Promise<{ db: string; drop: () => Promise<void> }>, Build]> = [
  ['sqlite', describe, async (dir) => ({ db: `sqlite:${path.join(dir, 'values.sqlite')}`, drop: async () => undefined }), 'webhook'],
  [
    'sqlite, bulk path',
    describe,
    async (dir) => ({ db: `sqlite:${path.join(dir, 'values.sqlite')}`, drop: async () => undefined }),
    'bulk',
  ],
  [
    'postgres',
    requirePrerequisite('PostgreSQL').describe,
    async () => {
      const tdb: TestDatabase = await createTestDatabase('bench_values');
      return { db: tdb.url, drop: () => tdb.drop() };
    },
    'webhook',
  ],
];

for (const [engine, describeOn, makeDb, buildPath] of engines)
  describeOn(`bench store on ${engine}: every panel answers what the generator wrote`, () => {
    let dir: string;
    let conn: RunningConnector;
    let build: BuildResult;
    let panels: PanelQuery[];
    let drop: () => Promise<void> = async () => undefined;
    let db: string;

    beforeAll(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-values-'));
      const config = writeBenchConfig(dir, PLAN.phones);
      const made = await makeDb(dir);
      drop = made.drop;
      db = made.db;
      await importBenchPrices(db, config, PLAN);
      if (buildPath === 'bulk') build = await buildStoreInProcess(db, config, PLAN);
      conn = await startConnector({ db, config, token: BENCH_TOKEN, extraArgs: ['--as-of', new Date(ENDSEC * 1000).toISOString()] });
      if (buildPath === 'webhook') build = await buildStoreViaWebhooks(conn.url, PLAN);
      panels = panelQueries(fromMs, toMs);
    }, 240_000);

    afterAll(async () => {
      await conn?.stop();
      await drop();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    async function answer(p: string): Promise<{ rows: Row[]; total?: number }> {
      const res = await fetch(`${conn.url}${p}`, { headers: { authorization: `Bearer ${BENCH_TOKEN}` } });
      expect(res.status).toBe(200);
      return (await res.json()) as { rows: Row[]; total?: number };
    }

    it('the builder posted every planned item and the store took them all', async () => {
      expect(build).toMatchObject({
        path: buildPath,
        messages: PLAN.messages,
        events: statusEvents,
        calls: calls.length,
        inbound,
        tierAnnouncements: announcements.length,
      });
      expect(calls.length).toBe(Math.floor(PLAN.messages / 20));
      expect(inbound).toBe(Math.floor(PLAN.messages / 10));
      expect(referrals).toBe(Math.ceil(inbound / 4));
      expect(new Set(calls.map((c) => c.direction))).toEqual(new Set(['user_initiated', 'business_initiated']));
      // One raw event per status, two per call (connect, terminate), one per inbound message and announcement.
      const health = (await (await fetch(`${conn.url}/health`)).json()) as { store: { events: number } };
      expect(health.store.events).toBe(statusEvents + 2 * calls.length + inbound + announcements.length);
    });

    it('lists every panel of every dashboard', () => {
      const dashboards = fs.readdirSync(path.join(__dirname, '..', '..', 'dashboards')).filter((f) => f.endsWith('.json'));
      let targets = 0;
      for (const f of dashboards) {
        const json = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'dashboards', f), 'utf8'));
        const all = (json.panels as Row[]).flatMap((p) => [p, ...((p.panels as Row[] | undefined) ?? [])]);
        targets += all
          .filter((p) => p.type !== 'row' && p.type !== 'text')
          .reduce((s, p) => s + ((p.targets as unknown[] | undefined)?.length ?? 0), 0);
      }
      expect(panels.filter((p) => p.file !== null)).toHaveLength(targets);
    });

    it('message, cost and billed-unit panels: delivered and billable counts per grouping', async () => {
      const checked: string[] = [];
      for (const panel of panels.filter((p) => ['messages', 'cost', 'billing', 'projection'].includes(p.kind))) {
        for (const r of panel.requests) {
          if (!r.path.startsWith('/api/v1/usage?')) continue;
          const params = new URLSearchParams(r.path.split('?')[1]);
          const mine = delivered.filter((d) => inRange(d.e.timestampSec * 1000, d.waba.timezone, params));
          const { rows } = await answer(r.path);
          expect([panel.name, sum(rows, 'messages')]).toEqual([panel.name, mine.length]);
          expect([panel.name, sum(rows, 'billable')]).toEqual([panel.name, mine.filter((d) => BILLABLE(d.e.category)).length]);
          const by = params.get('by') ?? '';
          if (by === 'category') expect(sumBy(rows, 'category', 'messages')).toEqual(countBy(mine, (d) => d.e.category));
          if (by === 'phone') expect(sumBy(rows, 'phoneNumberId', 'messages')).toEqual(countBy(mine, (d) => d.phone));
          if (by === 'country')
            expect(sumBy(rows, 'country', 'messages')).toEqual(countBy(mine, (d) => marketOf(d.e.recipient, '2026-11-01').iso2 ?? ''));
          checked.push(panel.name);
        }
      }
      expect(checked.length).toBeGreaterThanOrEqual(15);
    });

    it('pricing-input requests (what-if panels and the export): units are the delivered messages of their range', async () => {
      let checked = 0;
      for (const panel of panels) {
        for (const r of panel.requests.filter((q) => q.path.startsWith('/api/v1/pricing-input?'))) {
          const params = new URLSearchParams(r.path.split('?')[1]);
          const mine = delivered.filter((d) => inRange(d.e.timestampSec * 1000, d.waba.timezone, params));
          // The what-if panels ask for the compact form (format=columns), the export for the rows.
          const { rows } = rowsOfColumns(await answer(r.path)) as unknown as { rows: Row[] };
          expect([panel.name, sum(rows, 'units')]).toEqual([panel.name, mine.length]);
          expect(mine.length).toBeGreaterThan(0);
          checked++;
        }
      }
      expect(checked).toBe(1 + panels.filter((p) => p.kind === 'what_if').length);
    });

    it('the raw GROUP BY baseline answers the same totals from raw_events', async () => {
      const raw = await rawBaseline(db);
      try {
        const total = async (p: string, field = 'n') =>
          (await raw.answer(rawQuestionOf(p) as RawQuestion)).reduce((s, r) => s + Number(r[field] ?? 0), 0);
        const all = `from=${fromMs}&to=${toMs}`;
        // Delivered messages by UTC day and category: every delivered message once.
        expect(await total(`/api/v1/usage?${all}&interval=day&by=category`)).toBe(delivered.length);
        expect(await total(`/api/v1/usage?${all}&interval=month&by=group`)).toBe(delivered.length);
        // Finished calls and their talk time.
        expect(await total(`/api/v1/calls?${all}&interval=day&by=direction`)).toBe(calls.length);
        expect(await total(`/api/v1/calls?${all}&interval=day`, 'seconds')).toBe(calls.reduce((s, c) => s + c.durationSec, 0));
        // Distinct contacts over the whole range (one bucket: not per WABA, unlike the panel).
        const contacts = new Set(contactsByWabaDay.map((c) => c.contact)).size;
        expect((await raw.answer({ what: 'contacts', bucket: 'none', dims: [], fromMs, toMs })).map((r) => Number(r.n))).toEqual([
          contacts,
        ]);
      } finally {
        await raw.close();
      }
    });

    it('the raw baseline times each distinct question once per run, however many panels ask it', async () => {
      const raw = await rawBaseline(db);
      try {
        const byCategory = rawQuestionOf(`/api/v1/usage?from=${fromMs}&to=${toMs}&interval=day&by=category`) as RawQuestion;
        const byCountry = rawQuestionOf(`/api/v1/usage?from=${fromMs}&to=${toMs}&interval=day&by=country`) as RawQuestion;
        const first = await raw.time(byCategory, 3);
        expect(raw.runs()).toBe(3);
        // Asked again (by an equal question, not the same object): the first timing, no new run.
        expect(await raw.time({ ...byCategory }, 3)).toEqual(first);
        expect(raw.runs()).toBe(3);
        const other = await raw.time(byCountry, 2);
        expect(raw.runs()).toBe(5);
        expect(other.rows).toBe((await raw.answer(byCountry)).length);
        expect(first.rows).toBe((await raw.answer(byCategory)).length);
      } finally {
        await raw.close();
      }
    });

    it('allocation panel: billable units per campaign group, and the totals it splits', async () => {
      const panel = panels.find((p) => p.kind === 'allocation') as PanelQuery;
      const units = await answer(panel.requests.find((r) => r.role === 'units')!.path);
      const totals = await answer(panel.requests.find((r) => r.role === 'totals')!.path);
      const billable = delivered.filter((d) => BILLABLE(d.e.category));
      const perGroup = Object.entries(sumBy(units.rows, 'group', 'billable')).filter(([, n]) => n !== 0);
      expect(Object.fromEntries(perGroup)).toEqual(countBy(billable, (d) => d.e.group ?? ''));
      expect(sum(totals.rows, 'billable')).toBe(billable.length);
      // Every campaign the generator tags with shows up.
      expect(Object.keys(countBy(billable, (d) => d.e.group ?? '')).sort()).toEqual(
        expect.arrayContaining(['black-friday', 'delivery', 'newsletter', 'order-updates', 'otp-login', 'winback']),
      );
    });

    it('reconciliation panels: estimate units are the billable messages', async () => {
      for (const panel of panels.filter((p) => p.kind === 'reconciliation')) {
        const r = panel.requests[0]!;
        const params = new URLSearchParams(r.path.split('?')[1]);
        const { rows } = await answer(r.path);
        expect(rows.length).toBeGreaterThan(0);
        if (params.get('interval') === 'month') continue; // per-month money only: a priced figure, not a count
        const mine = delivered.filter((d) => BILLABLE(d.e.category) && inRange(d.e.timestampSec * 1000, d.waba.timezone, params));
        expect([panel.name, sum(rows, 'estimateUnits')]).toEqual([panel.name, mine.length]);
      }
    });

    it('call panels: calls, talk time, direction and country of every finished call', async () => {
      let checked = 0;
      for (const panel of panels.filter((p) => p.kind === 'calls')) {
        for (const r of panel.requests) {
          const params = new URLSearchParams(r.path.split('?')[1]);
          const mine = calls.filter((c) => inRange(c.startSec * 1000, c.waba.timezone, params));
          const { rows } = await answer(r.path);
          expect([panel.name, r.role, sum(rows, 'calls')]).toEqual([panel.name, r.role, mine.length]);
          expect([panel.name, r.role, sum(rows, 'durationSec')]).toEqual([panel.name, r.role, mine.reduce((s, c) => s + c.durationSec, 0)]);
          const by = params.get('by') ?? '';
          if (by === 'direction') expect(sumBy(rows, 'direction', 'calls')).toEqual(countBy(mine, (c) => c.direction));
          if (by === 'country')
            expect(sumBy(rows, 'country', 'calls')).toEqual(countBy(mine, (c) => marketOf(c.user, '2026-11-01').iso2 ?? ''));
          checked++;
        }
      }
      // Eight call panels; the four stats also ask for the previous period.
      expect(checked).toBe(12);
    });

    it('tier panel: charged utility and authentication units per tiered market this month', async () => {
      const panel = panels.find((p) => p.kind === 'tiers') as PanelQuery;
      const month = new URLSearchParams(panel.requests[0]!.path.split('?')[1]).get('month');
      expect(month).toBe('2026-11');
      const { rows } = await answer(panel.requests[0]!.path);
      const mine = delivered.filter(
        (d) =>
          (d.e.category === 'utility' || d.e.category === 'authentication') &&
          localDay(d.e.timestampSec * 1000, d.waba.timezone).startsWith('2026-11') &&
          TIERED.has(marketOf(d.e.recipient, '2026-11-01').market),
      );
      const got = countBy(
        rows,
        (r) => `${r.market}|${r.category}`,
        (r) => Number(r.units),
      );
      expect(got).toEqual(countBy(mine, (d) => `${marketOf(d.e.recipient, '2026-11-01').market}|${d.e.category}`));
      // The tier in force: the step of the bench's ladder holding the units charged so far; tiers are crossed at this scale.
      const ladder = tierLadder(PLAN);
      for (const r of rows) {
        const step = ladder.find((t) => Number(r.units) >= t.lower && (t.upper === null || Number(r.units) <= t.upper));
        expect([r.market, r.category, r.tierLower, r.tierUpper]).toEqual([r.market, r.category, step?.lower, step?.upper]);
      }
      expect(rows.some((r) => Number(r.tierLower) > 0)).toBe(true);
      // Meta's latest announcement to the portfolio's first WABA (the one whose rows the tiers answer names).
      expect(announcements.length).toBeGreaterThan(0);
      const latest = announcements
        .filter((a) => a.waba.name === 'Bench Retail')
        .sort((a, b) => a.atSec - b.atSec)
        .at(-1);
      expect(new Set(rows.map((r) => r.metaTier))).toEqual(new Set([latest?.tier ?? null]));
    });

    it('unique-contacts panel: recipients and inbound senders per WABA and month, within the sketch error', async () => {
      const panel = panels.find((p) => p.requests[0]!.path.startsWith('/api/v1/contacts?')) as PanelQuery;
      const params = new URLSearchParams(panel.requests[0]!.path.split('?')[1]);
      expect(params.get('interval')).toBe('month');
      const body = (await answer(panel.requests[0]!.path)) as { rows: Array<{ bucket: string; contacts: number }>; total: number };
      // docs: contacts are distinct per WABA (and bucket), WABAs add up; each counted on its WABA-local day.
      const mine = contactsByWabaDay.filter((c) => inRange(c.ms, c.waba.timezone, params));
      const distinct = (items: typeof mine) => new Set(items.map((c) => `${c.waba.id}|${c.contact}`)).size;
      const perMonth = (month: string) => distinct(mine.filter((c) => localDay(c.ms, c.waba.timezone).startsWith(month)));
      // HyperLogLog (docs/api.md: ~1.6 % standard error): within two of them. The data is fixed, so the bound cannot flake.
      const near = (got: number, want: number) =>
        expect([got, want, Math.abs(got - want) <= Math.ceil(want * 0.032)]).toEqual([got, want, true]);
      near(body.total, distinct(mine));
      expect(body.rows.map((r) => r.bucket)).toEqual(['2026-08', '2026-09', '2026-10', '2026-11']);
      for (const r of body.rows) near(r.contacts, perMonth(r.bucket));
    });
  });
