import net from 'node:net';
import { Client } from 'pg';
import { requirePrerequisite } from '../../../../tests/helpers/prerequisites';
import { createTestDatabase } from '../../../../tests/helpers/test-database';
import { AfterCommitNotices, parseChange, PgChangeListener } from './change-feed';

describe('change notification payloads', () => {
  it('reads `<kind> <origin>` and ignores anything else on the channel', () => {
    expect(parseChange('ingest 0f3c')).toEqual({ kind: 'ingest', origin: '0f3c' });
    expect(parseChange('prices a-b')).toEqual({ kind: 'prices', origin: 'a-b' });
    expect(parseChange('pull x')).toEqual({ kind: 'pull', origin: 'x' });
    for (const other of [undefined, '', 'ingest', 'ingest ', 'reload x', 'ingest x y', ' ingest x']) expect(parseChange(other)).toBeNull();
  });
});

/** A notice the test answers by hand: `send` records each call and returns a promise the test settles. */
function heldSends() {
  const calls: { resolve(): void; reject(err: Error): void }[] = [];
  const send = () => new Promise<void>((resolve, reject) => void calls.push({ resolve, reject }));
  return { calls, send };
}

/** Lets the promise callbacks already queued run (a bounded number of turns, so a bug cannot spin for ever). */
async function settled(done: () => boolean): Promise<void> {
  for (let turn = 0; turn < 100 && !done(); turn++) await Promise.resolve();
}

describe('ingest notices after the commit (AfterCommitNotices)', () => {
  it('sends one notice per commit when each is answered before the next commit', async () => {
    const { calls, send } = heldSends();
    const notices = new AfterCommitNotices(send, () => undefined);
    notices.committed();
    expect(calls).toHaveLength(1);
    calls[0]!.resolve();
    await notices.idle();
    notices.committed();
    expect(calls).toHaveLength(2);
    calls[1]!.resolve();
    await notices.idle();
    expect(notices.counts).toEqual({ sent: 2, failed: 0 });
  });

  it('folds any number of commits made while a notice is in flight into exactly one more', async () => {
    const { calls, send } = heldSends();
    const notices = new AfterCommitNotices(send, () => undefined);
    notices.committed();
    for (let i = 0; i < 7; i++) notices.committed();
    // At most one in flight: the seven later commits have sent nothing yet.
    expect(calls).toHaveLength(1);
    calls[0]!.resolve();
    await settled(() => calls.length >= 2);
    expect(calls).toHaveLength(2);
    calls[1]!.resolve();
    await notices.idle();
    expect(calls).toHaveLength(2);
    expect(notices.counts).toEqual({ sent: 2, failed: 0 });
  });

  it('hands a failed notice to onError, never to the committer, and the next commit sends again', async () => {
    const { calls, send } = heldSends();
    const errors: string[] = [];
    const notices = new AfterCommitNotices(send, (err) => void errors.push(err.message));
    expect(() => notices.committed()).not.toThrow();
    calls[0]!.reject(new Error('connection refused'));
    await notices.idle();
    expect(errors).toEqual(['connection refused']);
    notices.committed();
    calls[1]!.resolve();
    await notices.idle();
    expect(notices.counts).toEqual({ sent: 1, failed: 1 });
  });

  it('close() waits for the notice in flight and the one pending, then sends no more', async () => {
    const { calls, send } = heldSends();
    const notices = new AfterCommitNotices(send, () => undefined);
    notices.committed();
    notices.committed();
    let closed = false;
    const closing = notices.close().then(() => void (closed = true));
    calls[0]!.resolve();
    await settled(() => calls.length >= 2);
    expect(calls).toHaveLength(2);
    expect(closed).toBe(false);
    calls[1]!.resolve();
    await closing;
    notices.committed();
    expect(calls).toHaveLength(2);
    expect(notices.counts).toEqual({ sent: 2, failed: 0 });
  });
});

describe('a change listener that cannot connect', () => {
  it('starts anyway, reports reconnecting with the error, and runs the fallback refresh', async () => {
    let unknown = 0;
    const errors: string[] = [];
    // Port 1 on the loopback: refused at once, no server needed.
    const listener = new PgChangeListener({
      url: 'postgres://nobody@127.0.0.1:1/none',
      origin: 'me',
      onChange: () => undefined,
      onUnknownChanges: () => void (unknown += 1),
      onError: (err) => void errors.push(err.message),
      fallbackEveryMs: 10,
    });
    try {
      await listener.start();
      const h = listener.health();
      expect(h).toMatchObject({ status: 'reconnecting', reconnects: 0 });
      expect(h.downSince).toEqual(expect.any(Number));
      expect(h.lastError).toEqual(errors[0]);
      expect(listener.backendPid()).toBeNull();
      const deadline = Date.now() + 2_000;
      while (unknown < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      expect(unknown).toBeGreaterThanOrEqual(2);
    } finally {
      await listener.close();
    }
  });
});

const postgres = requirePrerequisite('PostgreSQL');

postgres.describe('a change listener on PostgreSQL', () => {
  it('finds a connection cut without a word (the heartbeat), reconnects, and hears notifications again', async () => {
    const db = await createTestDatabase('waspend_change_feed');
    const target = new URL(db.url);
    // A TCP relay to the server that can go silent: data on the connections it holds is dropped and
    // nothing is closed, as when a NAT or balancer forgets an idle flow. New connections pass.
    const relays: { inbound: net.Socket; outbound: net.Socket; silent: boolean }[] = [];
    const relay = net.createServer((inbound) => {
      const outbound = net.connect(Number(target.port), target.hostname);
      const r = { inbound, outbound, silent: false };
      relays.push(r);
      inbound.on('data', (d) => void (r.silent || outbound.write(d)));
      outbound.on('data', (d) => void (r.silent || inbound.write(d)));
      inbound.on('close', () => outbound.destroy());
      outbound.on('close', () => inbound.destroy());
      inbound.on('error', () => undefined);
      outbound.on('error', () => undefined);
    });
    await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
    const viaRelay = new URL(db.url);
    viaRelay.host = `127.0.0.1:${(relay.address() as net.AddressInfo).port}`;
    const heard: string[] = [];
    const listener = new PgChangeListener({
      url: viaRelay.toString(),
      origin: 'me',
      onChange: (kind) => void heard.push(kind),
      onUnknownChanges: () => undefined,
      heartbeatEveryMs: 50,
      heartbeatTimeoutMs: 300,
    });
    const notifier = new Client({ connectionString: db.url });
    const until = async (what: string, cond: () => boolean) => {
      const deadline = Date.now() + 5_000;
      while (!cond()) {
        if (Date.now() > deadline) throw new Error(`not within 5 s: ${what}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    try {
      await notifier.connect();
      await listener.start();
      expect(listener.health().status).toBe('listening');
      await notifier.query("SELECT pg_notify('waspend_changes', 'pull another')");
      await until('the first notification', () => heard.length === 1);

      for (const r of relays) r.silent = true;
      await until('the silent connection noticed', () => listener.health().status === 'reconnecting');
      expect(listener.health().lastError).toMatch(/heartbeat within 300 ms/);
      await until('listening again', () => listener.health().status === 'listening');
      expect(listener.health().reconnects).toBe(1);
      await notifier.query("SELECT pg_notify('waspend_changes', 'ingest another')");
      await until('a notification after the reconnection', () => heard.length === 2);
      expect(heard).toEqual(['pull', 'ingest']);
    } finally {
      await listener.close();
      await notifier.end();
      for (const r of relays) r.inbound.destroy();
      await new Promise((r) => relay.close(r));
      await db.drop();
    }
  });
});
