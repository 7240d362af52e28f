import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadMetaFixture } from '../../../tests/fakes/load-meta-fixture';
import { normaliseEnvelope, parseEnvelope } from '../ingest';
import { SqliteStore } from './sqlite-store';

describe('SqliteStore account events', () => {
  let dir: string;
  let store: SqliteStore;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waspend-acct-'));
    store = new SqliteStore(path.join(dir, 'w.db'), { timezones: {} });
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const ingest = (body: unknown, at = 0) => store.ingest(normaliseEnvelope(parseEnvelope(JSON.stringify(body)), at), at);

  it('returns tier updates and template recategorisations once, not unknown kinds', async () => {
    const tier = loadMetaFixture('account_update_volume_tier_webhook.json');
    await ingest(tier);
    await ingest(tier);
    const template = { object: 'whatsapp_business_account', entry: [{ id: '102290129340398', time: 1743452000, changes: [
      { field: 'template_category_update', value: { message_template_id: 1, previous_category: 'MARKETING', new_category: 'UTILITY' } },
      { field: 'something_new', value: { a: 1 } },
    ] }] };
    await ingest(template);
    const all = await store.accountEvents({ fromMs: 0, toMs: 2e12 });
    expect(all.map((e) => [e.kind, e.atMs])).toEqual([['account_update', 1743451903000], ['template_category', 1743452000000]]);
    expect(all[0]?.value).toMatchObject({ volume_tier_info: { tier: '25000001:50000000' } });
    expect(await store.accountEvents({ fromMs: 1743451904000, toMs: 2e12, wabaId: '102290129340398' })).toHaveLength(1);
    expect(await store.accountEvents({ fromMs: 0, toMs: 2e12, wabaId: 'other' })).toEqual([]);
    expect(await store.countRawEvents()).toBe(3);
  });
});
