import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { normaliseEnvelope, parseEnvelope } from '../ingest';
import { SqliteStore } from './sqlite-store';

const SP = 'W_SP';
const AUG = { fromDay: '2025-07-01', toDay: '2025-08-31' };
const secs = (iso: string) => String(Date.parse(iso) / 1000);

describe('SqliteStore call rollup', () => {
  let dir: string;
  let store: SqliteStore;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waspend-calls-'));
    store = new SqliteStore(path.join(dir, 'w.db'), { timezones: { [SP]: 'America/Sao_Paulo' } });
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const post = (...calls: Record<string, unknown>[]) =>
    store.ingest(normaliseEnvelope(parseEnvelope(JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [{ id: SP, changes: [{ field: 'calls', value: { metadata: { phone_number_id: 'P1' }, calls } }] }],
    })), 0), 0);
  const connect = (id: string, iso: string) => ({ id, event: 'connect', from: '5511987654321', to: '551130000000', timestamp: secs(iso) });
  const terminate = (id: string, startIso: string, duration: number, direction = 'USER_INITIATED') => ({
    id, event: 'terminate', direction, from: '5511987654321', to: '551130000000', timestamp: secs(startIso) , start_time: secs(startIso), duration,
  });
  const summary = async () => (await store.callsDaily(AUG)).map((r) => [r.day, r.direction, r.country, r.calls, r.connectedCalls, r.durationSec]);

  it('counts a call once on terminate, on the WABA-local day it started, whatever the order', async () => {
    await post(connect('c1', '2025-08-01T02:00:00Z'));
    expect(await summary()).toEqual([]);
    await post(terminate('c1', '2025-08-01T02:00:10Z', 125));
    await post(terminate('c1', '2025-08-01T02:00:10Z', 125));
    await post(terminate('c2', '2025-08-01T04:00:00Z', 0));
    await post(connect('c2', '2025-08-01T04:00:00Z'));
    expect(await summary()).toEqual([
      ['2025-07-31', 'user_initiated', 'BR', 1, 1, 125],
      ['2025-08-01', 'user_initiated', 'BR', 1, 0, 0],
    ]);
  });

  it('keeps business-initiated calls apart, keyed by the user number in `to`', async () => {
    await post({ ...terminate('b1', '2025-08-05T15:00:00Z', 60, 'BUSINESS_INITIATED'), from: '551130000000', to: '4915112345678' });
    expect(await summary()).toEqual([['2025-08-05', 'business_initiated', 'DE', 1, 1, 60]]);
  });
});
