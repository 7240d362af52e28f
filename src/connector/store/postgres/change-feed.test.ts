import { parseChange, PgChangeListener } from './change-feed';

describe('change notification payloads', () => {
  it('reads `<kind> <origin>` and ignores anything else on the channel', () => {
    expect(parseChange('ingest 0f3c')).toEqual({ kind: 'ingest', origin: '0f3c' });
    expect(parseChange('prices a-b')).toEqual({ kind: 'prices', origin: 'a-b' });
    expect(parseChange('pull x')).toEqual({ kind: 'pull', origin: 'x' });
    for (const other of [undefined, '', 'ingest', 'ingest ', 'reload x', 'ingest x y', ' ingest x']) expect(parseChange(other)).toBeNull();
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
