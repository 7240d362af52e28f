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
    const writer = new GroupCommitWriter(store, 500);
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

  it('drain waits for queued writes', async () => {
    const writer = new GroupCommitWriter(store);
    void writer.write(events('d', 3), 0);
    await writer.drain();
    expect(await store.countRawEvents()).toBe(3);
  });
});
