/**
 * Scheduled finance reports end to end (issue 14): connectors started in-process on a fixture store
 * whose figures are known by hand, a local SMTP server (smtp-server) and a local webhook receiver,
 * and the report scheduler driven by a fake clock (no sleeps: each step awaits a tick).
 * - the mailed CSV equals `waspend report` (run as a child process) for the same range, and both
 *   equal the rows worked out by hand from the invented 2026-04 card;
 * - two connector replicas on one store send exactly one mail (SQLite file; PostgreSQL too);
 * - a rejecting SMTP server is retried with backoff and shows on /health and /metrics, secrets never;
 * - a webhook receiver gets the summary and the CSV;
 * - the report is built in the query worker: a webhook is committed while the worker is held inside the
 *   build, and a worker crash during a build fails that attempt, which the retry then sends.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import pino from 'pino';
import { SMTPServer } from 'smtp-server';
import { healthResponse } from '@contract';
import { parseConfig } from '../../src/connector/config';
import { startConnector, type RunningConnector } from '../../src/connector/runtime/connector';
import { openStore } from '../../src/connector/runtime/open-store';
import { importRateFile } from '../../src/connector/runtime/price-files';
import { createEnvelopeIngest } from '../../src/connector/store';
import type { PullClock } from '../../src/connector/pull';
import { GATE_CRASH, GATE_HOLD, GATE_RUN } from '../../src/connector/runtime/query-worker';
import { REPO_ROOT, runCli } from '../helpers/connector-harness';
import { requirePrerequisite } from '../helpers/prerequisites';
import { makeTempDir } from '../helpers/reliability-config';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { envelopeWithStatuses } from '../helpers/webhook-envelopes';
import { postAcknowledged } from '../helpers/post-webhook';

jest.setTimeout(120_000);

const WABA = '1029384756';
const PHONE = '5550001111';
const BR = '5511987654321';
const US = '12125550123';
const SMTP_USER = 'reports-user';
const SMTP_PASSWORD = 'smtp-pw-7c1f0e9d';
const HOOK_SECRET = 'T0SECRET/B0SECRET/hooktoken9f8e7d';

const secs = (iso: string) => String(Date.parse(iso) / 1000);
const PMP = (category: string, type = 'regular', billable = type === 'regular') => ({ billable, pricing_model: 'PMP', type, category });

const delivered = (id: string, at: string, to: string, pricing: object) =>
  envelopeWithStatuses({ waba: WABA, phone: PHONE, display: '15550001111' }, [
    { id, status: 'delivered', timestamp: secs(at), recipient_id: to, pricing },
  ]);

/** WABA-local days are Sao Paulo's (UTC-3). Costs by hand from tests/fixtures/ratecards/usd-rates-2026-04-invented.csv. */
const ENVELOPES = [
  delivered('wamid.a1', '2026-04-10T12:00:05Z', BR, PMP('marketing')), // 04-10 Brazil marketing 0.0625
  delivered('wamid.a2', '2026-04-10T15:00:00Z', BR, PMP('marketing')), // 04-10 Brazil marketing 0.0625
  delivered('wamid.a3', '2026-04-11T09:00:03Z', BR, PMP('utility')), // 04-11 Brazil utility 0.0072
  delivered('wamid.a4', '2026-04-12T15:00:00Z', BR, PMP('service', 'free_customer_service', false)), // 04-12 free
  delivered('wamid.a5', '2026-05-01T02:30:00Z', US, PMP('marketing')), // 23:30 on 04-30 in Sao Paulo: North America 0.025
  delivered('wamid.a6', '2026-05-01T12:00:00Z', BR, PMP('marketing')), // May: outside April
  delivered('wamid.a1', '2026-04-10T12:00:05Z', BR, PMP('marketing')), // a duplicate webhook: counted once
];

/** `waspend report --from 2026-04-01 --to 2026-04-30 --by day,category`, written by hand. */
const APRIL_BY_DAY_CATEGORY = [
  'day,waba,phone_number_id,country,market,category,pricing_type,messages,billable,cost,currency',
  '2026-04-10,,,,,marketing,,2,2,0.125,USD',
  '2026-04-11,,,,,utility,,1,1,0.0072,USD',
  '2026-04-12,,,,,service,,1,0,0,USD',
  '2026-04-30,,,,,marketing,,1,1,0.025,USD',
];
const APRIL_SUMMARY = [
  'waspend report "finance-monthly": 2026-04-01 to 2026-04-30 (last_month, by day,category, estimate)',
  '4 rows; 5 delivered messages, 4 charged units; cost USD 0.1572', // 0.125 + 0.0072 + 0 + 0.025
].join('\n');

/** 07:00 in Sao Paulo on May 1st. */
const MAY_FIRE = Date.UTC(2026, 4, 1, 10, 0);
const JUNE_FIRE = Date.UTC(2026, 5, 1, 10, 0);

const silent = () => pino({ level: 'silent' });

/** Resolves once `count` requests have reached the query worker's test gate (it is blocked inside the last one). */
async function reached(gate: Int32Array, count: number): Promise<void> {
  const waitAsync = (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number): { async: boolean; value: unknown } })
    .waitAsync;
  for (let seen = Atomics.load(gate, 1); seen < count; seen = Atomics.load(gate, 1)) {
    const w = waitAsync(gate, 1, seen);
    if (w.async) await w.value;
  }
}

function setGate(gate: Int32Array, mode: number): void {
  Atomics.store(gate, 0, mode);
  Atomics.notify(gate, 0);
}

/** Every line the connector logs, to check that no secret is among them. */
const logLines: string[] = [];
const capturingLogger = () => pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) });

class FakeClock implements PullClock {
  constructor(public ms: number) {}
  now = () => this.ms;
  // The background loop waits here until the connector closes; tests move time and await tick() instead.
  sleep = (_ms: number, signal?: AbortSignal) =>
    new Promise<void>((_resolve, reject) => signal?.addEventListener('abort', () => reject(new Error('aborted')), { once: true }));
}

interface Mail {
  envelopeTo: string[];
  parsed: ParsedMail;
  /** Whether the mail came over TLS (STARTTLS or implicit). */
  secure: boolean;
}

/**
 * A local SMTP server with AUTH; while `reject(true)` it refuses every recipient with 550.
 * Plain by default; with `tls` it offers STARTTLS (or speaks TLS from the first byte when `secure`)
 * with that key and certificate, and refuses AUTH before TLS.
 */
async function startSmtp(tls?: { secure: boolean; key: string; cert: string }): Promise<{
  port: number;
  mails: Mail[];
  rcptAttempts: () => number;
  authAttempts: () => number;
  reject: (on: boolean) => void;
  close(): Promise<void>;
}> {
  const mails: Mail[] = [];
  let rejecting = false;
  let attempts = 0;
  let auths = 0;
  const server = new SMTPServer({
    authOptional: false,
    ...(tls
      ? { secure: tls.secure, key: tls.key, cert: tls.cert, allowInsecureAuth: false }
      : { allowInsecureAuth: true, disabledCommands: ['STARTTLS'] }),
    logger: false,
    onAuth(auth, _session, cb) {
      auths++;
      if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD) return cb(null, { user: auth.username });
      return cb(new Error('bad credentials'));
    },
    onRcptTo(_address, _session, cb) {
      attempts++;
      if (rejecting) return cb(Object.assign(new Error('mailbox unavailable, try later'), { responseCode: 550 }));
      return cb();
    },
    onData(stream, session, cb) {
      const to = (session.envelope.rcptTo ?? []).map((r) => r.address);
      simpleParser(stream).then(
        (parsed) => {
          mails.push({ envelopeTo: to, parsed, secure: session.secure });
          cb();
        },
        (err: Error) => cb(err),
      );
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    mails,
    rcptAttempts: () => attempts,
    authAttempts: () => auths,
    reject: (on) => (rejecting = on),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function loadFixture(db: string): Promise<void> {
  const store = await openStore(db, { timezones: { [WABA]: 'America/Sao_Paulo' } });
  try {
    const text = fs.readFileSync(path.join(REPO_ROOT, 'tests', 'fixtures', 'ratecards', 'usd-rates-2026-04-invented.csv'), 'utf8');
    await importRateFile(store, { kind: 'rates', text, effectiveFrom: '2026-04-01', fileName: 'usd-rates-2026-04-invented.csv' }, 0);
    const ingest = createEnvelopeIngest(store, () => Date.UTC(2026, 4, 1, 13));
    for (const e of ENVELOPES) await ingest.ingest(e);
  } finally {
    await store.close();
  }
}

const configYaml = (reports: string) => `
apiToken: report-delivery-token-0123456789
wabas:
  - { id: "${WABA}", name: Reports, timezone: America/Sao_Paulo, currency: USD, portfolio: P1 }
reports:
${reports}`;

const MONTHLY = `
  finance-monthly:
    schedule: { cron: "0 7 1 * *", timezone: America/Sao_Paulo }
    report: { by: "day,category", range: last_month }
    format: csv
    recipients: [finance@example.test, cfo@example.test]
    smtp: { from: "waspend <reports@example.test>" }
    retry: { maxAttempts: 4, baseDelayMs: 60000, maxDelayMs: 600000 }
`;

async function health(c: RunningConnector) {
  const res = await fetch(`${c.url}/health`);
  const text = await res.text();
  return { status: res.status, text, body: healthResponse.parse(JSON.parse(text)) };
}

async function metrics(c: RunningConnector): Promise<string> {
  return (await fetch(`${c.url}/metrics`)).text();
}

const metricValue = (text: string, name: string, report: string): number | null => {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{report="${report}"}`));
  return line === undefined ? null : Number(line.split(' ').pop());
};

describe('scheduled report delivery', () => {
  let dir: string;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  const running: RunningConnector[] = [];
  let sqliteFiles = 0;

  beforeAll(() => {
    dir = makeTempDir('report-delivery');
  });
  beforeEach(async () => {
    smtp = await startSmtp();
  });
  afterEach(async () => {
    for (const c of running.splice(0)) await c.close();
    await smtp.close();
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const smtpEnv = () => ({
    WASPEND_SMTP_HOST: '127.0.0.1',
    WASPEND_SMTP_PORT: String(smtp.port),
    WASPEND_SMTP_TLS: 'none',
    WASPEND_SMTP_USER: SMTP_USER,
    WASPEND_SMTP_PASSWORD: SMTP_PASSWORD,
  });

  async function freshSqlite(): Promise<string> {
    const db = `sqlite:${path.join(dir, `r${++sqliteFiles}.sqlite`)}`;
    await loadFixture(db);
    return db;
  }

  async function start(
    db: string,
    yaml: string,
    clock: FakeClock,
    env: NodeJS.ProcessEnv = smtpEnv(),
    extra: { queryWorkerGate?: SharedArrayBuffer } = {},
  ): Promise<RunningConnector> {
    const c = await startConnector({
      config: parseConfig(yaml, {}),
      db,
      host: '127.0.0.1',
      port: 0,
      pulls: false,
      logger: capturingLogger(),
      reportClock: clock,
      env,
      ...extra,
    });
    running.push(c);
    // The loop's first tick runs at start; wait for it so the next tick is the test's own.
    await c.reports!.tick();
    return c;
  }

  it('mails the CSV of last month at the cron time; the attachment equals `waspend report` for the same range', async () => {
    const db = await freshSqlite();
    const clock = new FakeClock(MAY_FIRE - 60_000);
    const c = await start(db, configYaml(MONTHLY), clock);
    expect(smtp.mails.length).toBe(0);
    expect((await health(c)).body.reports).toEqual([
      {
        name: 'finance-monthly',
        delivery: 'smtp',
        status: 'idle',
        lastRunAt: null,
        lastSuccessAt: null,
        lastPeriod: null,
        nextRunAt: MAY_FIRE,
        lastError: null,
      },
    ]);

    clock.ms = MAY_FIRE;
    await c.reports!.tick();
    expect(smtp.mails.length).toBe(1);
    const mail = smtp.mails[0]!;
    expect(mail.envelopeTo).toEqual(['finance@example.test', 'cfo@example.test']);
    expect(mail.parsed.subject).toBe('waspend report finance-monthly: 2026-04-01 to 2026-04-30');
    expect(mail.parsed.from?.value).toEqual([{ address: 'reports@example.test', name: 'waspend' }]);
    expect(mail.parsed.text).toContain(APRIL_SUMMARY);
    expect(mail.parsed.attachments).toHaveLength(1);
    const attachment = mail.parsed.attachments[0]!;
    expect(attachment.filename).toBe('finance-monthly_2026-04-01_2026-04-30.csv');
    expect(attachment.contentType).toBe('text/csv');
    const csv = attachment.content.toString('utf8');
    // RFC 4180: CRLF line ends; the same bytes as the report otherwise.
    expect(csv).toBe(APRIL_BY_DAY_CATEGORY.map((l) => `${l}\r\n`).join(''));

    const configFile = path.join(dir, 'monthly.yaml');
    fs.writeFileSync(configFile, configYaml(MONTHLY));
    const printed = await runCli(
      ['report', '--from', '2026-04-01', '--to', '2026-04-30', '--by', 'day,category', '--config', configFile, '--db', db],
      smtpEnv(),
    );
    expect(printed).toBe(APRIL_BY_DAY_CATEGORY.map((l) => `${l}\n`).join(''));
    expect(csv).toBe(printed.replace(/\n/g, '\r\n'));

    // Later ticks in the same period send nothing more; /health and /metrics show the delivery.
    clock.ms = MAY_FIRE + 3_600_000;
    await c.reports!.tick();
    expect(smtp.mails.length).toBe(1);
    const h = await health(c);
    expect(h.body.status).toBe('ok');
    expect(h.body.reports).toEqual([
      {
        name: 'finance-monthly',
        delivery: 'smtp',
        status: 'ok',
        lastRunAt: MAY_FIRE,
        lastSuccessAt: MAY_FIRE,
        lastPeriod: '2026-04-01..2026-04-30',
        nextRunAt: JUNE_FIRE,
        lastError: null,
      },
    ]);
    const m = await metrics(c);
    expect(metricValue(m, 'waspend_report_last_success_timestamp_seconds', 'finance-monthly')).toBe(MAY_FIRE / 1000);
    expect(metricValue(m, 'waspend_report_next_run_timestamp_seconds', 'finance-monthly')).toBe(JUNE_FIRE / 1000);
    expect(metricValue(m, 'waspend_report_deliveries_total', 'finance-monthly')).toBe(1);
    expect(metricValue(m, 'waspend_report_failures_total', 'finance-monthly')).toBe(0);
  });

  const twoReplicas = async (db: string) => {
    const clock = new FakeClock(MAY_FIRE - 60_000);
    const a = await start(db, configYaml(MONTHLY), clock);
    const b = await start(db, configYaml(MONTHLY), clock);
    clock.ms = MAY_FIRE;
    await Promise.all([a.reports!.tick(), b.reports!.tick()]);
    clock.ms = MAY_FIRE + 10 * 60_000;
    await Promise.all([b.reports!.tick(), a.reports!.tick()]);
    expect(smtp.mails.length).toBe(1);
    expect(smtp.mails[0]!.parsed.attachments[0]!.content.toString('utf8')).toBe(APRIL_BY_DAY_CATEGORY.map((l) => `${l}\r\n`).join(''));
    // Both replicas report the same delivery, whichever sent it.
    for (const c of [a, b])
      expect((await health(c)).body.reports?.[0]).toMatchObject({
        status: 'ok',
        lastSuccessAt: MAY_FIRE,
        lastPeriod: '2026-04-01..2026-04-30',
      });
    const sent = [a, b].map(async (c) => metricValue(await metrics(c), 'waspend_report_deliveries_total', 'finance-monthly'));
    expect((await Promise.all(sent)).sort()).toEqual([0, 1]);
  };

  it('two connector replicas on one SQLite store send exactly one mail', async () => {
    await twoReplicas(await freshSqlite());
  });

  let pg: TestDatabase | null = null;
  afterAll(async () => {
    await pg?.drop();
  });
  requirePrerequisite('PostgreSQL').it('two connector replicas on one PostgreSQL store send exactly one mail', async () => {
    pg = await createTestDatabase('waspend_report_delivery');
    await loadFixture(pg.url);
    await twoReplicas(pg.url);
  });

  it('retries a rejecting SMTP server with backoff, shows the failure on /health and /metrics without secrets, then delivers once', async () => {
    const db = await freshSqlite();
    const clock = new FakeClock(MAY_FIRE - 60_000);
    const c = await start(db, configYaml(MONTHLY), clock);
    smtp.reject(true);
    clock.ms = MAY_FIRE;
    await c.reports!.tick();
    expect(smtp.mails.length).toBe(0);
    expect(smtp.rcptAttempts()).toBeGreaterThanOrEqual(1);
    const afterFirst = smtp.rcptAttempts();

    let h = await health(c);
    expect(h.body.status).toBe('degraded');
    expect(h.body.reports?.[0]).toMatchObject({ status: 'failing', lastRunAt: MAY_FIRE, lastSuccessAt: null, lastPeriod: null });
    expect(h.body.reports?.[0]?.lastError).toMatch(/^2026-04-01\.\.2026-04-30: .*550/);
    expect(h.text).not.toContain(SMTP_PASSWORD);
    let m = await metrics(c);
    expect(metricValue(m, 'waspend_report_failures_total', 'finance-monthly')).toBe(1);
    expect(metricValue(m, 'waspend_report_failing', 'finance-monthly')).toBe(1);
    expect(m).not.toContain(SMTP_PASSWORD);

    // First backoff: between 30 s and 60 s (half to all of baseDelayMs). Not before 30 s...
    clock.ms = MAY_FIRE + 29_000;
    await c.reports!.tick();
    expect(smtp.rcptAttempts()).toBe(afterFirst);
    // ...and by 60 s it is retried (and refused again).
    clock.ms = MAY_FIRE + 60_000;
    await c.reports!.tick();
    expect(smtp.rcptAttempts()).toBeGreaterThan(afterFirst);
    expect(smtp.mails.length).toBe(0);
    expect(metricValue(await metrics(c), 'waspend_report_failures_total', 'finance-monthly')).toBe(2);

    // Second backoff is at most 120 s; the server now accepts.
    smtp.reject(false);
    clock.ms = MAY_FIRE + 60_000 + 120_000;
    await c.reports!.tick();
    expect(smtp.mails.length).toBe(1);
    clock.ms = MAY_FIRE + 3_600_000;
    await c.reports!.tick();
    expect(smtp.mails.length).toBe(1);

    h = await health(c);
    expect(h.body.status).toBe('ok');
    expect(h.body.reports?.[0]).toMatchObject({ status: 'ok', lastSuccessAt: MAY_FIRE + 180_000, lastPeriod: '2026-04-01..2026-04-30' });
    // The last error stays visible for the record, its period named.
    expect(h.body.reports?.[0]?.lastError).toMatch(/^2026-04-01\.\.2026-04-30: .*550/);
    m = await metrics(c);
    expect(metricValue(m, 'waspend_report_failures_total', 'finance-monthly')).toBe(2);
    expect(metricValue(m, 'waspend_report_deliveries_total', 'finance-monthly')).toBe(1);
    // The log tells what failed and what was delivered, never the password.
    const logged = logLines.join('');
    expect(logged).toContain('report delivery failed');
    expect(logged).toContain('report delivered');
    expect(logged).not.toContain(SMTP_PASSWORD);
    expect(metricValue(m, 'waspend_report_failing', 'finance-monthly')).toBe(0);
    expect(metricValue(m, 'waspend_report_last_success_timestamp_seconds', 'finance-monthly')).toBe((MAY_FIRE + 180_000) / 1000);
  });

  // The report is built in the query worker (docs/performance.md, "Queries off the HTTP thread"); the
  // test-only gate blocks the worker (Atomics.wait) when the build request reaches it.
  it('acknowledges and commits a webhook while the query worker is held inside the report build; the report then counts it', async () => {
    const gate = new Int32Array(new SharedArrayBuffer(16));
    const clock = new FakeClock(MAY_FIRE - 60_000);
    const c = await start(await freshSqlite(), configYaml(MONTHLY), clock, smtpEnv(), {
      queryWorkerGate: gate.buffer as SharedArrayBuffer,
    });
    expect(c.queryWorker).not.toBeNull();
    setGate(gate, GATE_HOLD);
    clock.ms = MAY_FIRE;
    let fired = false;
    const firing = c.reports!.tick().then(() => (fired = true));
    // A report built in this thread would end the tick without touching the gate.
    await Promise.race([reached(gate, 1), firing]);
    expect(fired).toBe(false);
    // 12:00 on 04-20 in Sao Paulo, marketing to Brazil: 0.0625 by the invented card.
    await postAcknowledged(c.url, delivered('wamid.held-1', '2026-04-20T15:00:00Z', BR, PMP('marketing')));
    expect(await c.store.messageVerdict('wamid.held-1')).toMatchObject({ category: 'marketing' });
    expect(fired).toBe(false);
    expect(smtp.mails).toHaveLength(0);

    setGate(gate, GATE_RUN);
    await firing;
    expect(smtp.mails).toHaveLength(1);
    const mail = smtp.mails[0]!.parsed;
    const withHeld = [...APRIL_BY_DAY_CATEGORY.slice(0, 4), '2026-04-20,,,,,marketing,,1,1,0.0625,USD', APRIL_BY_DAY_CATEGORY[4]!];
    expect(mail.attachments[0]!.content.toString('utf8')).toBe(withHeld.map((l) => `${l}\r\n`).join(''));
    // 0.1572 + 0.0625
    expect(mail.text).toContain('5 rows; 6 delivered messages, 5 charged units; cost USD 0.2197');
  });

  it('a query worker crash during the report build fails that attempt with a clear error; the retry sends it', async () => {
    const gate = new Int32Array(new SharedArrayBuffer(16));
    const clock = new FakeClock(MAY_FIRE - 60_000);
    const c = await start(await freshSqlite(), configYaml(MONTHLY), clock, smtpEnv(), {
      queryWorkerGate: gate.buffer as SharedArrayBuffer,
    });
    setGate(gate, GATE_HOLD);
    clock.ms = MAY_FIRE;
    let fired = false;
    const firing = c.reports!.tick().then(() => (fired = true));
    await Promise.race([reached(gate, 1), firing]);
    expect(fired).toBe(false);
    setGate(gate, GATE_CRASH);
    // The tick ends: the attempt failed rather than waiting for the worker.
    await firing;
    setGate(gate, GATE_RUN);
    expect(smtp.mails).toHaveLength(0);
    const failed = await health(c);
    expect(failed.body.reports?.[0]).toMatchObject({
      status: 'failing',
      lastRunAt: MAY_FIRE,
      lastSuccessAt: null,
      lastError:
        '2026-04-01..2026-04-30: the query worker stopped while building the report (query worker crashed (test gate)); this attempt failed and is retried',
    });
    expect(failed.body.queryWorker).toMatchObject({ restarts: 1, lastError: 'query worker crashed (test gate)' });
    expect(metricValue(await metrics(c), 'waspend_report_failures_total', 'finance-monthly')).toBe(1);

    // The first backoff is at most 60 s (half to all of baseDelayMs); the restarted worker builds it.
    clock.ms = MAY_FIRE + 60_000;
    await c.reports!.tick();
    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0]!.parsed.attachments[0]!.content.toString('utf8')).toBe(APRIL_BY_DAY_CATEGORY.map((l) => `${l}\r\n`).join(''));
    const h = await health(c);
    expect(h.body.reports?.[0]).toMatchObject({ status: 'ok', lastSuccessAt: MAY_FIRE + 60_000, lastPeriod: '2026-04-01..2026-04-30' });
    expect(h.body.queryWorker).toMatchObject({ status: 'ok', restarts: 1 });
    expect(metricValue(await metrics(c), 'waspend_report_deliveries_total', 'finance-monthly')).toBe(1);
  });

  it('stops after maxAttempts: the period stays failed, no further attempts, /health keeps showing it', async () => {
    const db = await freshSqlite();
    const clock = new FakeClock(MAY_FIRE - 60_000);
    const c = await start(db, configYaml(MONTHLY.replace('maxAttempts: 4', 'maxAttempts: 2')), clock);
    smtp.reject(true);
    clock.ms = MAY_FIRE;
    await c.reports!.tick();
    clock.ms = MAY_FIRE + 60_000; // the first backoff is at most 60 s
    await c.reports!.tick();
    const attempts = smtp.rcptAttempts();
    expect(metricValue(await metrics(c), 'waspend_report_failures_total', 'finance-monthly')).toBe(2);
    smtp.reject(false);
    for (const later of [10 * 60_000, 3_600_000, 86_400_000]) {
      clock.ms = MAY_FIRE + later;
      await c.reports!.tick();
    }
    expect(smtp.rcptAttempts()).toBe(attempts);
    expect(smtp.mails.length).toBe(0);
    expect(metricValue(await metrics(c), 'waspend_report_failures_total', 'finance-monthly')).toBe(2);
    expect((await health(c)).body.reports?.[0]).toMatchObject({ status: 'failing', lastSuccessAt: null, nextRunAt: JUNE_FIRE });
  });

  it('a firing missed while no replica ran is caught up once at the next start', async () => {
    const db = await freshSqlite();
    const first = await start(db, configYaml(MONTHLY), new FakeClock(MAY_FIRE - 3_600_000));
    await first.close();
    running.splice(running.indexOf(first), 1);
    expect(smtp.mails.length).toBe(0);
    // Back up five hours after the 07:00 firing: the stored next run (May 1st 10:00 UTC) has passed.
    const clock = new FakeClock(MAY_FIRE + 5 * 3_600_000);
    const second = await start(db, configYaml(MONTHLY), clock);
    expect(smtp.mails.length).toBe(1);
    expect(smtp.mails[0]!.parsed.attachments[0]!.filename).toBe('finance-monthly_2026-04-01_2026-04-30.csv');
    clock.ms += 3_600_000;
    await second.reports!.tick();
    const third = await start(db, configYaml(MONTHLY), clock);
    await third.reports!.tick();
    expect(smtp.mails.length).toBe(1);
    expect((await health(third)).body.reports?.[0]).toMatchObject({
      status: 'ok',
      lastPeriod: '2026-04-01..2026-04-30',
      nextRunAt: JUNE_FIRE,
    });
  });

  it("after a three-day outage a daily report mails each missed day once, with that day's CSV, from two replicas", async () => {
    const db = await freshSqlite();
    const DAILY = `
  finance-daily:
    schedule: { cron: "0 8 * * *", timezone: America/Sao_Paulo }
    report: { by: category, range: last_1_days }
    recipients: [finance@example.test]
    smtp: { from: "waspend <reports@example.test>" }
`;
    const local8 = (day: number) => Date.UTC(2026, 3, day, 11, 0); // 08:00 in Sao Paulo
    // Last up at 07:00 on 04-11 (next firing 04-11 08:00 stored); back at 09:00 on 04-13.
    const first = await start(db, configYaml(DAILY), new FakeClock(local8(11) - 3_600_000));
    await first.close();
    running.splice(running.indexOf(first), 1);
    const clock = new FakeClock(local8(13) + 3_600_000);
    // Two replicas come back together; between them the three missed days are mailed once each.
    await Promise.all([start(db, configYaml(DAILY), clock), start(db, configYaml(DAILY), clock)]);
    const header = 'day,waba,phone_number_id,country,market,category,pricing_type,messages,billable,cost,currency';
    // The two replicas share the days (the lease gives each day to one) and build in parallel, each in
    // its own query worker, so their mails may arrive in either order: each day once is what holds.
    // One replica's own catch-up goes oldest first (report-scheduler.test.ts).
    const mails = smtp.mails.map((m) => [m.parsed.subject, m.parsed.attachments[0]!.content.toString('utf8')] as const);
    // A mail without a subject sorts first and then fails the comparison below.
    expect([...mails].sort(([a], [b]) => (a ?? '').localeCompare(b ?? ''))).toEqual([
      // 04-10: wamid.a1 and a2, Brazil marketing 0.0625 each (the duplicate a1 counted once).
      ['waspend report finance-daily: 2026-04-10 to 2026-04-10', `${header}\r\n,,,,,marketing,,2,2,0.125,USD\r\n`],
      // 04-11: wamid.a3, Brazil utility 0.0072.
      ['waspend report finance-daily: 2026-04-11 to 2026-04-11', `${header}\r\n,,,,,utility,,1,1,0.0072,USD\r\n`],
      // 04-12: wamid.a4, a free service reply.
      ['waspend report finance-daily: 2026-04-12 to 2026-04-12', `${header}\r\n,,,,,service,,1,0,0,USD\r\n`],
    ]);
  });

  it('month_to_date covers complete days only: the 1st of the month to yesterday; on the 1st the whole previous month', async () => {
    const MTD = `
  finance-mtd:
    schedule: { cron: "0 13 * * *", timezone: America/Sao_Paulo }
    report: { by: "day,category", range: month_to_date }
    recipients: [finance@example.test]
    smtp: { from: "waspend <reports@example.test>" }
`;
    // 13:00 on 04-12 in Sao Paulo: wamid.a4 (12:00 that day) is in the store but 04-12 is not complete.
    const april12 = Date.UTC(2026, 3, 12, 16, 0);
    let clock = new FakeClock(april12 - 1000);
    let c = await start(await freshSqlite(), configYaml(MTD), clock);
    clock.ms = april12;
    await c.reports!.tick();
    expect(smtp.mails).toHaveLength(1);
    let mail = smtp.mails[0]!.parsed;
    expect(mail.subject).toBe('waspend report finance-mtd: 2026-04-01 to 2026-04-11');
    expect(mail.attachments[0]!.content.toString('utf8')).toBe(
      [
        'day,waba,phone_number_id,country,market,category,pricing_type,messages,billable,cost,currency',
        '2026-04-10,,,,,marketing,,2,2,0.125,USD',
        '2026-04-11,,,,,utility,,1,1,0.0072,USD',
      ]
        .map((l) => `${l}\r\n`)
        .join(''),
    );
    expect(mail.text).toContain(
      'waspend report "finance-mtd": 2026-04-01 to 2026-04-11 (month_to_date, by day,category, estimate)\n' +
        '2 rows; 3 delivered messages, 3 charged units; cost USD 0.1322', // 0.125 + 0.0072
    );

    // 13:00 on 05-01: wamid.a6 (09:00 that day) is left out; the report is April's final figure.
    const may1 = Date.UTC(2026, 4, 1, 16, 0);
    clock = new FakeClock(may1 - 1000);
    c = await start(await freshSqlite(), configYaml(MTD), clock);
    clock.ms = may1;
    await c.reports!.tick();
    expect(smtp.mails).toHaveLength(2);
    mail = smtp.mails[1]!.parsed;
    expect(mail.subject).toBe('waspend report finance-mtd: 2026-04-01 to 2026-04-30');
    expect(mail.attachments[0]!.content.toString('utf8')).toBe(APRIL_BY_DAY_CATEGORY.map((l) => `${l}\r\n`).join(''));
    expect(mail.text).toContain('4 rows; 5 delivered messages, 4 charged units; cost USD 0.1572');
  });

  it('posts the summary and the CSV to a webhook; a failing receiver is retried and its URL never shown', async () => {
    const bodies: unknown[] = [];
    let failNext = 1;
    const receiver = http.createServer((req, res) => {
      let text = '';
      req.on('data', (d: Buffer) => (text += d.toString()));
      req.on('end', () => {
        if (req.url !== `/services/${HOOK_SECRET}` || req.headers['content-type'] !== 'application/json') {
          res.writeHead(404).end();
          return;
        }
        if (failNext-- > 0) {
          res.writeHead(503).end('busy');
          return;
        }
        bodies.push(JSON.parse(text));
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/services/${HOOK_SECRET}`;
      const yaml = configYaml(`
  ops-weekly:
    schedule: { cron: "0 9 * * *", timezone: America/Sao_Paulo }
    report: { by: [category], range: last_7_days }
    webhook: { url: "${url}" }
    retry: { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 1000 }
`);
      const fire = Date.UTC(2026, 3, 14, 12, 0); // 09:00 on 04-14 in Sao Paulo: the 7 days 04-07..04-13
      const clock = new FakeClock(fire - 1000);
      // No WASPEND_SMTP_* needed when no report is mailed.
      const c = await start(await freshSqlite(), yaml, clock, {});
      clock.ms = fire;
      await c.reports!.tick();
      expect(bodies).toHaveLength(0);
      const h = await health(c);
      expect(h.body.reports?.[0]).toMatchObject({
        name: 'ops-weekly',
        delivery: 'webhook',
        status: 'failing',
        lastError: '2026-04-07..2026-04-13: webhook answered 503: busy',
      });
      expect(h.text).not.toContain(HOOK_SECRET);
      expect(await metrics(c)).not.toContain(HOOK_SECRET);
      expect(logLines.join('')).toContain('webhook answered 503');
      expect(logLines.join('')).not.toContain(HOOK_SECRET);

      clock.ms = fire + 1000;
      await c.reports!.tick();
      expect(bodies).toHaveLength(1);
      const csv = [
        'day,waba,phone_number_id,country,market,category,pricing_type,messages,billable,cost,currency',
        ',,,,,marketing,,2,2,0.125,USD',
        ',,,,,service,,1,0,0,USD',
        ',,,,,utility,,1,1,0.0072,USD',
      ]
        .map((l) => `${l}\r\n`)
        .join('');
      const summary =
        'waspend report "ops-weekly": 2026-04-07 to 2026-04-13 (last_7_days, by category, estimate)\n' +
        '3 rows; 4 delivered messages, 3 charged units; cost USD 0.1322'; // 0.125 + 0 + 0.0072
      expect(bodies[0]).toEqual({
        text: `${summary}\n\`\`\`\n${csv}\`\`\``,
        waspend: {
          report: 'ops-weekly',
          from: '2026-04-07',
          to: '2026-04-13',
          rows: 3,
          filename: 'ops-weekly_2026-04-07_2026-04-13.csv',
          contentType: 'text/csv; charset=utf-8',
          csv,
        },
      });
      expect((await health(c)).body.reports?.[0]).toMatchObject({
        status: 'ok',
        lastSuccessAt: fire + 1000,
        lastPeriod: '2026-04-07..2026-04-13',
      });
    } finally {
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  });

  it('`waspend report send NAME` sends the period its range gives now, once; again only with --force', async () => {
    const db = await freshSqlite();
    const configFile = path.join(dir, 'send.yaml');
    fs.writeFileSync(configFile, configYaml(MONTHLY));
    const send = (...extra: string[]) =>
      runCli(
        ['report', 'send', 'finance-monthly', '--config', configFile, '--db', db, '--as-of', '2026-05-01T10:00:00Z', ...extra],
        smtpEnv(),
      );
    expect(await send()).toBe('sent finance-monthly 2026-04-01..2026-04-30 (4 rows) to finance@example.test, cfo@example.test\n');
    expect(smtp.mails.length).toBe(1);
    expect(smtp.mails[0]!.parsed.attachments[0]!.content.toString('utf8')).toBe(APRIL_BY_DAY_CATEGORY.map((l) => `${l}\r\n`).join(''));
    await expect(send()).rejects.toThrow(/report finance-monthly 2026-04-01\.\.2026-04-30 was already sent at .*; --force sends it again/);
    expect(smtp.mails.length).toBe(1);
    await send('--force');
    expect(smtp.mails.length).toBe(2);
    await expect(runCli(['report', 'send', 'finance-weekly', '--config', configFile, '--db', db], smtpEnv())).rejects.toThrow(
      'config reports: no report named "finance-weekly" (configured: finance-monthly)',
    );
  });

  it('refuses to start when a mailed report has no SMTP host, naming the variable', async () => {
    await expect(
      startConnector({
        config: parseConfig(configYaml(MONTHLY), {}),
        db: await freshSqlite(),
        host: '127.0.0.1',
        port: 0,
        pulls: false,
        logger: silent(),
        reportClock: new FakeClock(MAY_FIRE),
        env: {},
      }),
    ).rejects.toThrow('config WASPEND_SMTP_HOST: must be set when a report is delivered by smtp');
  });
});

/**
 * A throw-away CA and a server certificate it signs for 127.0.0.1 and localhost, made with openssl
 * in a temporary directory (valid two days; nothing is kept).
 */
function makeCertificates(dir: string): { caFile: string; key: string; cert: string } {
  const f = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl('req', '-x509', ...ec, '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '2', '-subj', '/CN=waspend test CA');
  openssl('req', '-new', ...ec, '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=localhost');
  fs.writeFileSync(f('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl(
    'x509',
    '-req',
    '-in',
    f('server.csr'),
    '-CA',
    f('ca.pem'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    f('server.ext'),
    '-out',
    f('server.pem'),
  );
  return { caFile: f('ca.pem'), key: fs.readFileSync(f('server.key'), 'utf8'), cert: fs.readFileSync(f('server.pem'), 'utf8') };
}

const openssl = requirePrerequisite('openssl');

openssl.describe('report mail over TLS: the server certificate is verified', () => {
  let dir: string;
  let certs: ReturnType<typeof makeCertificates>;
  let smtp: Awaited<ReturnType<typeof startSmtp>> | null = null;
  const running: RunningConnector[] = [];
  let files = 0;

  beforeAll(() => {
    dir = makeTempDir('report-delivery-tls');
    certs = makeCertificates(dir);
  });
  afterEach(async () => {
    for (const c of running.splice(0)) await c.close();
    await smtp?.close();
    smtp = null;
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A connector at 07:00 on May 1st whose monthly report has fired once against `server`. */
  async function fireOnce(server: Awaited<ReturnType<typeof startSmtp>>, env: NodeJS.ProcessEnv): Promise<RunningConnector> {
    const db = `sqlite:${path.join(dir, `t${++files}.sqlite`)}`;
    await loadFixture(db);
    const clock = new FakeClock(MAY_FIRE - 60_000);
    const c = await startConnector({
      config: parseConfig(configYaml(MONTHLY), {}),
      db,
      host: '127.0.0.1',
      port: 0,
      pulls: false,
      logger: capturingLogger(),
      reportClock: clock,
      env: {
        WASPEND_SMTP_HOST: '127.0.0.1',
        WASPEND_SMTP_PORT: String(server.port),
        WASPEND_SMTP_USER: SMTP_USER,
        WASPEND_SMTP_PASSWORD: SMTP_PASSWORD,
        ...env,
      },
    });
    running.push(c);
    await c.reports!.tick();
    clock.ms = MAY_FIRE;
    await c.reports!.tick();
    return c;
  }

  it.each([
    ['starttls', false],
    ['tls', true],
  ])('WASPEND_SMTP_TLS=%s with WASPEND_SMTP_CA_FILE: the mail arrives over TLS with the CSV', async (mode, secure) => {
    smtp = await startSmtp({ secure: secure as boolean, key: certs.key, cert: certs.cert });
    await fireOnce(smtp, { WASPEND_SMTP_TLS: mode as string, WASPEND_SMTP_CA_FILE: certs.caFile });
    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0]!.secure).toBe(true);
    expect(smtp.mails[0]!.parsed.attachments[0]!.content.toString('utf8')).toBe(APRIL_BY_DAY_CATEGORY.map((l) => `${l}\r\n`).join(''));
  });

  it.each([
    ['starttls', false],
    ['tls', true],
  ])(
    'WASPEND_SMTP_TLS=%s without the CA: refused before AUTH, a clear error on /health and the metrics, no secret',
    async (mode, secure) => {
      smtp = await startSmtp({ secure: secure as boolean, key: certs.key, cert: certs.cert });
      const c = await fireOnce(smtp, { WASPEND_SMTP_TLS: mode as string });
      expect(smtp.mails).toHaveLength(0);
      // The password never went to a server whose certificate was not verified.
      expect(smtp.authAttempts()).toBe(0);
      const h = await health(c);
      expect(h.body.status).toBe('degraded');
      expect(h.body.reports?.[0]).toMatchObject({ status: 'failing', lastSuccessAt: null });
      expect(h.body.reports?.[0]?.lastError).toBe(
        `2026-04-01..2026-04-30: SMTP server 127.0.0.1:${smtp.port}: TLS certificate refused ` +
          "(unable to verify the first certificate; UNABLE_TO_VERIFY_LEAF_SIGNATURE): it is not signed for this host by the system's CAs. " +
          'For a private CA or a self-signed certificate, set WASPEND_SMTP_CA_FILE to its PEM file',
      );
      const m = await metrics(c);
      expect(metricValue(m, 'waspend_report_failing', 'finance-monthly')).toBe(1);
      expect(metricValue(m, 'waspend_report_failures_total', 'finance-monthly')).toBe(1);
      for (const text of [h.text, m, logLines.join('')]) expect(text).not.toContain(SMTP_PASSWORD);
    },
  );

  it('WASPEND_SMTP_TLS=starttls refuses a server that does not offer STARTTLS (no fallback to plain)', async () => {
    smtp = await startSmtp();
    const c = await fireOnce(smtp, { WASPEND_SMTP_TLS: 'starttls', WASPEND_SMTP_CA_FILE: certs.caFile });
    expect(smtp.mails).toHaveLength(0);
    expect(smtp.authAttempts()).toBe(0);
    expect((await health(c)).body.reports?.[0]?.lastError).toBe(
      '2026-04-01..2026-04-30: Error upgrading connection with STARTTLS: 500 Error: command not recognized',
    );
  });
});
