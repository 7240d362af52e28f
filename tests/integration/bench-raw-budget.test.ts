/**
 * The bench's raw-baseline budget and `--reuse-store`, with figures made by hand (no timing is
 * asserted: the clock is a counter the fake questions move).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseOptions, SCALES } from '../../bench/options';
import { Client } from 'pg';
import Database from 'better-sqlite3';
import { panelRawMs, RAW_STOP_RATIO, rawOrder, rawStops, timePgScan, timeSqliteScan, timeWithinBudget } from '../../bench/raw-baseline';
import { requirePrerequisite } from '../helpers/prerequisites';
import { reuseStore } from '../../bench/reused-store';
import { PLAN_WAMID } from '../../bench/webhook-bodies';
import { openStore } from '../../src/connector/runtime/open-store';
import { delivered, PMP } from '../helpers/query-fixture';

describe('rawOrder', () => {
  it('puts the questions more panels ask first, ties in the order first asked, each once', () => {
    // a: panels 1, 2, 3; b: 2 and 4; c: 1; d: 4 and 5 (asked twice by panel 5, counted once).
    const order = rawOrder([['c', 'a'], ['a', 'b'], ['a'], ['b', 'd'], ['d', 'd'], []]);
    expect(order).toEqual(['a', 'b', 'd', 'c']);
  });
});

describe('--raw-budget', () => {
  it("replaces the scale's raw budget wherever --scale stands, and refuses what is not seconds", () => {
    expect(SCALES.full.rawBudgetSeconds).toBe(1_200);
    expect(parseOptions(['--scale', 'full'], 'out.json').scale.rawBudgetSeconds).toBe(1_200);
    expect(parseOptions(['--raw-budget', '300', '--scale', 'full'], 'out.json').scale.rawBudgetSeconds).toBe(300);
    expect(parseOptions(['--scale', 'full', '--raw-budget=0'], 'out.json').scale.rawBudgetSeconds).toBe(0);
    // Only the budget changes, and the shared scale table is left alone.
    expect({ ...parseOptions(['--scale=full', '--raw-budget=0'], 'out.json').scale, rawBudgetSeconds: 1_200 }).toEqual(SCALES.full);
    expect(SCALES.full.rawBudgetSeconds).toBe(1_200);
    for (const bad of ['', '-1', 'ten', 'NaN'])
      expect(() => parseOptions([`--raw-budget=${bad}`], 'out.json')).toThrow(
        `--raw-budget: "${bad}" is not a number of seconds (0 or more; 0 times no raw GROUP BY)`,
      );
  });
});

describe('timeWithinBudget', () => {
  // Each question "takes" its ms on a clock of our own.
  const run = async (keys: string[], cost: Record<string, number>, budgetMs: number | null) => {
    let now = 1_000;
    const asked: string[] = [];
    const timed = await timeWithinBudget(
      keys,
      budgetMs,
      async (k) => {
        asked.push(k);
        now += cost[k] as number;
        return cost[k] as number;
      },
      () => now,
    );
    return { timed: Object.fromEntries(timed), asked };
  };

  it('starts a question only while the budget lasts, and lets a started one finish', async () => {
    // 0 ms: a (120) -> 120: b (90) -> 210 >= 200: stop. c is never asked.
    expect(await run(['a', 'b', 'c'], { a: 120, b: 90, c: 5 }, 200)).toEqual({ timed: { a: 120, b: 90 }, asked: ['a', 'b'] });
    // 0: a (120) -> 120: b (79) -> 199 < 200: c (5) -> 204.
    expect(await run(['a', 'b', 'c'], { a: 120, b: 79, c: 5 }, 200)).toEqual({ timed: { a: 120, b: 79, c: 5 }, asked: ['a', 'b', 'c'] });
  });

  it('times every question without a budget, and none with a budget of 0', async () => {
    expect((await run(['a', 'b'], { a: 1e9, b: 1e9 }, null)).asked).toEqual(['a', 'b']);
    expect(await run(['a'], { a: 1 }, 0)).toEqual({ timed: {}, asked: [] });
  });
});

describe('--reuse-store', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waspend-bench-reuse-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is parsed as the file to reuse, and refused without one', () => {
    expect(parseOptions(['--scale', 'full', '--reuse-store', '/x/q.sqlite'], 'out.json').reuseStore).toBe('/x/q.sqlite');
    expect(parseOptions([], 'out.json').reuseStore).toBeNull();
    expect(() => parseOptions(['--reuse-store='], 'out.json')).toThrow(
      '--reuse-store: give the SQLite file of an earlier run of the same scale',
    );
  });

  it("refuses a store that is not the scale's, and one whose WAL was not checkpointed; takes it otherwise", async () => {
    const file = path.join(dir, 'old.sqlite');
    expect(() => reuseStore(file, path.join(dir, 'q.sqlite'), SCALES.tiny)).toThrow(`--reuse-store: ${file} does not exist`);
    const store = await openStore(`sqlite:${file}`, { timezones: {} });
    expect(() => reuseStore(file, path.join(dir, 'q.sqlite'), SCALES.tiny)).toThrow(
      `--reuse-store: ${file}-wal holds pages not checkpointed`,
    );
    await store.close();
    // An empty store holds 0 of the tiny scale's 3,000 messages.
    expect(() => reuseStore(file, path.join(dir, 'q.sqlite'), SCALES.tiny)).toThrow(
      `--reuse-store: ${file} holds 0 of the plan's messages (0 in all); the tiny scale's store holds 3000, besides what runs posted to it`,
    );
    expect(fs.existsSync(path.join(dir, 'q.sqlite'))).toBe(false);
    // A scale of no messages takes it: linked in, counts read, nothing timed.
    const none = { ...SCALES.tiny, messages: 0 };
    expect(reuseStore(file, path.join(dir, 'q.sqlite'), none)).toEqual({
      path: 'reused',
      messages: 0,
      events: 0,
      calls: 0,
      inbound: 0,
      tierAnnouncements: 0,
      priceFiles: 0,
      requests: 0,
      seconds: null,
      eventsPerSec: null,
    });
    expect(fs.statSync(path.join(dir, 'q.sqlite')).ino).toBe(fs.statSync(file).ino);
  });

  it("counts the plan's messages apart from what earlier runs posted, however many those are", async () => {
    const file = path.join(dir, 'used.sqlite');
    const store = await openStore(`sqlite:${file}`, { timezones: { W1: 'UTC' } });
    // Two of the plan's messages and three a run's sections posted (their own wamids), one of the plan's prefix only by its first letters.
    const wamids = [`${PLAN_WAMID}0001`, `${PLAN_WAMID}0002`, 'wamid.Lq1', 'wamid.V1', 'wamid.A9'];
    for (const [i, wamid] of wamids.entries())
      await store.ingest(delivered('W1', 'P1', wamid, `2026-04-0${i + 1}T10:00:00Z`, '5511987650001', PMP('utility')), 0);
    await store.close();
    const two = { ...SCALES.tiny, messages: 2 };
    expect(reuseStore(file, path.join(dir, 'q2.sqlite'), two)).toMatchObject({ path: 'reused', messages: 5 });
    expect(() => reuseStore(file, path.join(dir, 'q3.sqlite'), { ...two, messages: 3 })).toThrow(
      `--reuse-store: ${file} holds 2 of the plan's messages (5 in all); the tiny scale's store holds 3, besides what runs posted to it`,
    );
  });
});

describe('raw scans stopped once the verdict is settled', () => {
  it('each question may run RAW_STOP_RATIO (200) times the median of the slowest panel asking it', () => {
    expect(RAW_STOP_RATIO).toBe(200);
    const stops = rawStops([
      { medianMs: 40, keys: ['a', 'b'] },
      { medianMs: 90, keys: ['a'] },
      { medianMs: 5, keys: ['c', 'c'] },
    ]);
    expect(Object.fromEntries(stops)).toEqual({ a: 18_000, b: 8_000, c: 1_000 });
  });

  it('questions that are one statement share the stop of the slowest panel asking any of them', () => {
    // "direction" and "pricing_type" by day are the same SQL over raw_events: one timing serves both.
    const panels = [
      { medianMs: 33, keys: ['direction'] },
      { medianMs: 41, keys: ['pricing_type'] },
      { medianMs: 10, keys: ['category'] },
    ];
    const same = (key: string) => (key === 'category' ? 'by category' : 'by pricing');
    expect(Object.fromEntries(rawStops(panels, same))).toEqual({ direction: 8_200, pricing_type: 8_200, category: 2_000 });
    // Without it each key keeps its own, and the shared timing would serve the slower panel a stop too short.
    expect(Object.fromEntries(rawStops(panels))).toEqual({ direction: 6_600, pricing_type: 8_200, category: 2_000 });
  });

  it("a panel's raw time sums its questions; one stopped makes the sum a lower bound; one not timed leaves none", () => {
    const timed = new Map([
      ['a', { medianMs: 1_200, rows: 7 }],
      ['b', { medianMs: 8_000, rows: null, stopped: true as const }],
    ]);
    expect(panelRawMs(['a'], timed)).toEqual({ ms: 1_200, atLeast: false });
    expect(panelRawMs(['a', 'b'], timed)).toEqual({ ms: 9_200, atLeast: true });
    expect(panelRawMs(['a', 'c'], timed)).toBeNull();
  });

  describe('SQLite: the scan runs in a child process that is ended at the stop', () => {
    let dir: string;
    let file: string;
    beforeAll(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waspend-raw-stop-'));
      file = path.join(dir, 'raw.sqlite');
      const db = new Database(file);
      db.exec('CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1), (2), (3);');
      db.close();
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('a statement that outlasts the stop is ended there, no sooner', async () => {
      // Counting to a billion takes minutes; the stop is 300 ms after the statement is prepared.
      const slow = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000000) SELECT count(*) AS n FROM c';
      const t0 = performance.now();
      const runs = await timeSqliteScan(file, slow, 1, 300);
      expect(performance.now() - t0).toBeGreaterThanOrEqual(300);
      expect(runs).toEqual({ times: [], rows: 0, stopped: true });
    });

    it('a statement within its stop runs every rep and gives its rows', async () => {
      const runs = await timeSqliteScan(file, 'SELECT x FROM t WHERE x > 1', 2, 60_000);
      expect(runs.stopped).toBe(false);
      expect(runs.times).toHaveLength(2);
      expect(runs.rows).toBe(2);
      expect(await timeSqliteScan(file, 'SELECT x FROM t', 1, null)).toMatchObject({ rows: 3, stopped: false });
    });

    it('a statement SQLite refuses fails with its message', async () => {
      await expect(timeSqliteScan(file, 'SELECT nope FROM t', 1, null)).rejects.toThrow(/no such column: nope/);
    });
  });

  requirePrerequisite('PostgreSQL').describe('PostgreSQL: statement_timeout ends the scan at the stop', () => {
    let client: Client;
    beforeAll(async () => {
      client = new Client({ connectionString: process.env.WASPEND_TEST_PG_URL });
      await client.connect();
    });
    afterAll(() => client.end());

    it('a statement that outlasts the stop is stopped, and the next one on the connection has no timeout', async () => {
      expect(await timePgScan(client, 'SELECT pg_sleep(5)', 1, 200)).toEqual({ times: [], rows: 0, stopped: true });
      // The raw answers (rawBaseline's answer) go over the same connection with no timeout of their own.
      expect((await client.query('SHOW statement_timeout')).rows[0].statement_timeout).toBe('0');
      const after = await timePgScan(client, 'SELECT pg_sleep(0.4), 1 AS n', 1, null);
      expect(after.stopped).toBe(false);
      expect(after.rows).toBe(1);
      expect((await client.query('SHOW statement_timeout')).rows[0].statement_timeout).toBe('0');
    });

    it('a statement within its stop runs every rep', async () => {
      const runs = await timePgScan(client, 'SELECT generate_series(1, 4)', 3, 60_000);
      expect(runs).toMatchObject({ rows: 4, stopped: false });
      expect(runs.times).toHaveLength(3);
    });
  });
});
