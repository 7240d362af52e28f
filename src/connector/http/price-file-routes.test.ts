import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { priceBookFromJson, rateCardInForce, tierTableInForce, tiersOf } from '@core';
import { priceFileResponse, priceFilesResponse } from '@contract';
import { importRateFile } from '../runtime/price-files';
import { SqliteStore } from '../store';
import { buildApp } from './app';

const TOKEN = 'price-files-test-token';
// Invented rates (not Meta's).
const NEXT_RATES = ['Cost per message in EUR', 'Market,Currency,Marketing,Utility', 'Germany,EUR,0.1500,0.0600'].join('\n');
const OLD_RATES = ['Cost per message in EUR', 'Market,Currency,Marketing,Utility', 'Germany,EUR,0.1365,0.0550'].join('\n');
const NEXT_TIERS = ['Market,Category,Lower,Upper,Rate', 'Germany,utility,0,10,0.0600', 'Germany,utility,11,MAX,0.0500'].join('\n');

describe('GET /api/v1/price-files', () => {
  let dir: string;
  let store: SqliteStore;
  let app: FastifyInstance;
  let base: string;
  const get = async (url: string, token = TOKEN) => {
    const res = await fetch(base + url, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, json: (await res.json()) as unknown };
  };

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waspend-price-files-'));
    store = new SqliteStore(path.join(dir, 'w.db'), { timezones: {} });
    await importRateFile(store, { kind: 'rates', text: OLD_RATES, effectiveFrom: '2026-10-01', fileName: 'eur-q4.csv' }, 1000);
    await importRateFile(store, { kind: 'rates', text: NEXT_RATES, effectiveFrom: '2027-01-01', fileName: 'eur-next.csv' }, 2000);
    await importRateFile(
      store,
      { kind: 'tiers', text: NEXT_TIERS, effectiveFrom: '2027-01-01', currency: 'EUR', fileName: 'eur-next.csv' },
      3000,
    );
    const query = {
      store,
      wabas: new Map(),
      priceBook: () => ({ rateCards: [], tierTables: [], callRateCards: [] }),
      generation: () => 0,
      now: () => 0,
    };
    app = await buildApp({ store, logger: false, query, apiToken: TOKEN });
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterEach(async () => {
    await app.close();
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('lists every stored file with its kind, currency, effective day and import time', async () => {
    const res = await get('/api/v1/price-files');
    expect(res.status).toBe(200);
    const items = priceFilesResponse.parse(res.json).items;
    expect(items.map((i) => [i.name, i.kind, i.currency, i.effectiveFrom, i.importedAt])).toEqual([
      ['eur-q4.csv', 'rates', 'EUR', '2026-10-01', 1000],
      ['eur-next.csv', 'rates', 'EUR', '2027-01-01', 2000],
      ['eur-next.csv', 'tiers', 'EUR', '2027-01-01', 3000],
    ]);
  });

  it('one name: its files and the price book they parse to (rates as typed in the CSV)', async () => {
    const res = await get('/api/v1/price-files/eur-next.csv');
    expect(res.status).toBe(200);
    const body = priceFileResponse.parse(res.json);
    expect(body.items.map((i) => i.kind)).toEqual(['rates', 'tiers']);
    const book = priceBookFromJson(body.priceBook);
    const card = rateCardInForce(book, 'EUR', '2027-01-01', 'message');
    expect(card?.rates.get('Germany')).toEqual({ marketing: 150_000n, utility: 60_000n });
    expect(rateCardInForce(book, 'EUR', '2026-12-31')).toBeNull();
    const ladder = tiersOf(tierTableInForce(book, 'EUR', '2027-01-01')!, 'Germany', 'utility');
    expect(ladder?.map((t) => [t.lower, t.upper, t.rateMicros])).toEqual([
      [0, 10, 60_000n],
      [11, null, 50_000n],
    ]);
  });

  it('an unknown name is a 404 naming the field; no token is a 401', async () => {
    const res = await get('/api/v1/price-files/nope.csv');
    expect(res.status).toBe(404);
    expect(res.json).toMatchObject({ error: 'not_found', field: 'name' });
    expect((await get('/api/v1/price-files', 'wrong-token-0000000')).status).toBe(401);
  });
});
