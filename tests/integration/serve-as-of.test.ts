/**
 * `waspend serve --as-of` (and WASPEND_DEMO_AS_OF) pins the connector's clock: the WABA-local "today"
 * and "this month" of /metrics are read at that instant, not at the calendar's now. The instant is
 * chosen on purpose: 2026-10-31T23:30:00Z is already 1 November 00:30 in Berlin (CET, UTC+1 since
 * the DST change of 25 October), while UTC is still in October. A summer offset (UTC+2) or a UTC
 * reading would put the month boundary elsewhere.
 */
import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { REPO_ROOT, runCli, startConnector, type ConnectorProcess } from '../helpers/connector-harness';
import { makeTempDir } from '../helpers/reliability-config';
import { envelopeWithStatuses } from '../helpers/webhook-envelopes';

jest.setTimeout(120_000);

const TOKEN = 'as-of-token-0123456789abcdef';
const WABA = '4400112233';
const AS_OF = '2026-10-31T23:30:00Z';

function delivered(id: string, atIso: string): string {
  return JSON.stringify(
    envelopeWithStatuses({ waba: WABA, phone: '4930555000', display: '4930555000' }, [
      {
        id,
        status: 'delivered',
        timestamp: String(Date.parse(atIso) / 1000),
        recipient_id: '5511987654321',
        pricing: { billable: true, pricing_model: 'PMP', type: 'regular', category: 'marketing' },
      },
    ]),
  );
}

/** One sample value of /metrics for the WABA, or null when the series is absent. */
function sample(metrics: string, name: string): number | null {
  const line = metrics.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(`waba="${WABA}"`));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : null;
}

describe('serve --as-of pins the clock', () => {
  let dir: string;
  let db: string;
  let config: string;

  beforeAll(async () => {
    dir = makeTempDir('as-of');
    db = `sqlite:${path.join(dir, 'w.sqlite')}`;
    config = path.join(dir, 'waspend.yaml');
    fs.writeFileSync(
      config,
      stringify({ apiToken: TOKEN, wabas: [{ id: WABA, name: 'Berlin', timezone: 'Europe/Berlin', currency: 'USD', portfolio: 'PB' }] }),
    );
    // Brazil marketing 0.0625 USD per delivered message on this invented card.
    const card = path.join(REPO_ROOT, 'tests', 'fixtures', 'ratecards', 'usd-rates-2026-04-invented.csv');
    await runCli(['rates', 'import', card, '--effective', '2026-04-01', '--db', db]);
    const c = await startConnector({ db, config });
    try {
      // 22:50Z = 31 Oct 23:50 Berlin (October); 23:10Z = 1 Nov 00:10 Berlin (November, "today" at AS_OF).
      for (const body of [delivered('wamid.oct', '2026-10-31T22:50:00Z'), delivered('wamid.nov', '2026-10-31T23:10:00Z')]) {
        const res = await fetch(`${c.url}/webhooks/whatsapp`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
        expect(res.status).toBe(200);
      }
    } finally {
      await c.stop();
    }
  });

  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function metricsWith(opts: { args?: string[]; env?: NodeJS.ProcessEnv }): Promise<string> {
    let c: ConnectorProcess | null = null;
    try {
      c = await startConnector({ db, config, ...opts });
      const res = await fetch(`${c.url}/metrics`);
      expect(res.status).toBe(200);
      return await res.text();
    } finally {
      await c?.stop();
    }
  }

  test('--as-of: the Berlin month and day at the pinned instant hold only the message delivered after Berlin midnight', async () => {
    const m = await metricsWith({ args: ['--as-of', AS_OF] });
    // By hand: one November message (23:10Z), the October one (22:50Z) is outside month and day.
    expect(sample(m, 'waspend_messages_delivered_total')).toBe(1);
    expect(sample(m, 'waspend_cost_today')).toBe(0.0625);
    expect(sample(m, 'waspend_month_to_date_cost')).toBe(0.0625);
  });

  test('WASPEND_DEMO_AS_OF does the same; at 22:55Z (23:55 Berlin on 31 October) only the earlier message is in the month', async () => {
    const pinned = await metricsWith({ env: { WASPEND_DEMO_AS_OF: AS_OF } });
    expect(sample(pinned, 'waspend_messages_delivered_total')).toBe(1);
    // At 2026-10-31T22:55Z it is 23:55 on 31 October in Berlin: the 22:50Z message is today, the other one not yet.
    const before = await metricsWith({ args: ['--as-of', '2026-10-31T22:55:00Z'] });
    expect(sample(before, 'waspend_messages_delivered_total')).toBe(1);
    expect(sample(before, 'waspend_cost_today')).toBe(0.0625);
  });

  test('the pinned clock does not freeze the gauges: a message posted later shows up at a later scrape', async () => {
    const c = await startConnector({ db: `sqlite:${path.join(dir, 'later.sqlite')}`, config, args: ['--as-of', AS_OF] });
    try {
      const read = async () => sample(await (await fetch(`${c.url}/metrics`)).text(), 'waspend_messages_delivered_total') ?? 0;
      expect(await read()).toBe(0);
      const body = delivered('wamid.later', '2026-10-31T23:20:00Z');
      const res = await fetch(`${c.url}/webhooks/whatsapp`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
      expect(res.status).toBe(200);
      // The gauges are recomputed at most every 10 s: poll for the new value with a deadline.
      const until = Date.now() + 40_000;
      let seen = await read();
      while (seen !== 1 && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 500));
        seen = await read();
      }
      expect(seen).toBe(1);
    } finally {
      await c.stop();
    }
  });

  test('a flag wins over the environment, and an instant without a zone is refused naming the flag', async () => {
    const m = await metricsWith({ args: ['--as-of', '2026-12-15'], env: { WASPEND_DEMO_AS_OF: AS_OF } });
    // Mid-December: neither message is in the Berlin month.
    expect(sample(m, 'waspend_messages_delivered_total') ?? 0).toBe(0);
    await expect(runCli(['serve', '--config', config, '--db', db, '--port', '0', '--as-of', '2026-11-15T12:00'])).rejects.toThrow(
      /--as-of/,
    );
    await expect(runCli(['serve', '--config', config, '--db', db, '--port', '0'], { WASPEND_DEMO_AS_OF: 'soon' })).rejects.toThrow(
      /WASPEND_DEMO_AS_OF/,
    );
  });
});
