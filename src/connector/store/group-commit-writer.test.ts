import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { WebhookEvent } from '../ingest';
import { GroupCommitWriter } from './group-commit-writer';
import { SqliteStore } from './sqlite/store';

const event = (key: string): WebhookEvent => ({
  kind: 'unknown',
  field: 'x',
  dedupeKey: key,
  wabaId: 'W1',
  phoneNumberId: null,
  atMs: 0,
  raw: { key },
});
const events = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => event(`${prefix}${i}`));

describe('GroupCommitWriter', () => {
  let dir: string;
  let store: SqliteStore;
  let calls: number[];
  let poison: string | null;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waspend-gcw-'));
    store = new SqliteStore(path.join(dir, 'w.db'), { timezones: {} });
    calls = [];
    poison = null;
    const ingest = store.ingest.bind(store);
    store.ingest = async (list, at) => {
      calls.push(list.length);
      if (poison !== null && list.some((e) => e.dedupeKey === poison)) throw new Error('poisoned');
      return ingest(list, at);
    };
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('commits writes of one event-loop turn in one transaction and resolves after the commit', async () => {
    const writer = new GroupCommitWriter(store);
    const done = [writer.write(events('a', 2), 1), writer.write(events('b', 3), 2), writer.write(events('c', 1), 3)];
    expect(await store.countRawEvents()).toBe(0);
    await Promise.all(done);
    expect(calls).toEqual([6]);
    expect(await store.eventStats()).toEqual({ events: 6, lastEventAt: 3 });
  });

  it('caps a group at maxEvents', async () => {
    const writer = new GroupCommitWriter(store, { maxEvents: 500 });
    await Promise.all(Array.from({ length: 6 }, (_, i) => writer.write(events(`r${i}-`, 200), 0)));
    expect(calls).toEqual([400, 400, 400]);
    expect(await store.countRawEvents()).toBe(1200);
  });

  it('lets one failing request fail alone', async () => {
    const writer = new GroupCommitWriter(store);
    poison = 'bad0';
    const results = await Promise.allSettled([
      writer.write(events('ok', 2), 0),
      writer.write(events('bad', 1), 0),
      writer.write(events('fine', 2), 0),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await store.countRawEvents()).toBe(4);
  });

  it('signals every commit, alone or grouped, and never a write that failed', async () => {
    const writer = new GroupCommitWriter(store);
    const heard: string[][] = [];
    writer.onCommitted((list) => heard.push(list.map((e) => e.dedupeKey)));
    poison = 'bad0';
    await Promise.allSettled([writer.write(events('ok', 2), 0), writer.write(events('bad', 1), 0), writer.write(events('fine', 1), 0)]);
    // The group failed as a whole, then each request was committed (or refused) alone.
    expect(heard).toEqual([['ok0', 'ok1'], ['fine0']]);
  });

  it('a listener that throws fails neither the write nor the other listeners; a removed listener hears nothing more', async () => {
    const writer = new GroupCommitWriter(store);
    const heard: number[] = [];
    writer.onCommitted(() => {
      throw new Error('listener bug');
    });
    const stop = writer.onCommitted((list) => heard.push(list.length));
    await writer.write(events('a', 2), 0);
    stop();
    await writer.write(events('b', 1), 0);
    expect(heard).toEqual([2]);
    expect(await store.countRawEvents()).toBe(3);
  });

  describe('followLingerMs', () => {
    // Fake timers for the linger only: the writer's own turns (setImmediate) and promises run as usual.
    beforeEach(() => jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] }));
    afterEach(() => jest.useRealTimers());
    const turns = async (n: number) => {
      for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
    };
    /** Holds each ingest until released, as a PostgreSQL commit leaves the event loop free meanwhile. */
    const gated = () => {
      const held: Array<() => void> = [];
      const ingest = store.ingest.bind(store);
      store.ingest = async (list, at) => {
        await new Promise<void>((resolve) => held.push(resolve));
        return ingest(list, at);
      };
      return held;
    };

    for (const linger of [0, 5])
      it(`${linger ? 'a group that follows a commit waits, so a request that comes back meanwhile joins it' : 'without it, the next group goes at once'} (${linger} ms)`, async () => {
        const held = gated();
        const writer = new GroupCommitWriter(store, { followLingerMs: linger });
        const a = writer.write(events('a', 1), 0);
        await turns(3);
        const b = writer.write(events('b', 1), 0); // arrives while a commits
        held.shift()?.();
        await a;
        await turns(3);
        const c = writer.write(events('c', 1), 0); // a's sender, answered, posts again
        jest.advanceTimersByTime(linger);
        for (let i = 0; i < 20 && held.length === 0; i++) await turns(1);
        while (held.length > 0) {
          held.shift()?.();
          await turns(3);
          jest.advanceTimersByTime(linger);
        }
        await Promise.all([b, c]);
        expect(calls).toEqual(linger ? [1, 2] : [1, 1, 1]);
      });

    it('never delays the first group after an idle moment (a lone webhook commits without waiting)', async () => {
      const writer = new GroupCommitWriter(store, { followLingerMs: 60_000 });
      await writer.write(events('lone', 2), 0);
      await turns(3); // the writer is idle again
      await writer.write(events('later', 1), 0);
      expect(calls).toEqual([2, 1]);
      expect(jest.getTimerCount()).toBe(0);
    });
  });

  it('drain waits for queued writes', async () => {
    const writer = new GroupCommitWriter(store);
    void writer.write(events('d', 3), 0);
    await writer.drain();
    expect(await store.countRawEvents()).toBe(3);
  });
});
