import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MemorySink } from '../../../tests/fakes/pull-test-kit';
import { buildDemoPriceBook, type DemoRateFile } from './demo-rates';
import { generateDemo } from './generate-demo';
import { seedDemo } from './seed-demo';
import { writeDemoNdjson } from './write-ndjson';
import type { WebhookEnvelope } from './envelopes';

const AS_OF = Date.UTC(2026, 10, 22, 15, 30);
const SMALL = { asOfMs: AS_OF, days: 14, scale: 0.3 };

function digest(seed: string): { hash: string; count: number } {
  const hash = crypto.createHash('sha256');
  let count = 0;
  for (const e of generateDemo({ ...SMALL, seed }).envelopes()) {
    hash.update(JSON.stringify(e));
    count++;
  }
  const figures = generateDemo({ ...SMALL, seed }).metaFigures();
  hash.update(JSON.stringify(figures, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));
  return { hash: hash.digest('hex'), count };
}

test('same seed -> identical webhooks and Meta figures; another seed -> different ones', () => {
  const a = digest('alpha');
  expect(a.count).toBeGreaterThan(1000);
  expect(digest('alpha')).toEqual(a);
  expect(digest('beta').hash).not.toBe(a.hash);
});

test('rate files: Meta\'s Rates CSV layout with an "invented" preamble, and core parses every file', () => {
  const demo = generateDemo({ ...SMALL, seed: 'x' });
  const rates = demo.rateFiles.filter((f) => f.kind === 'rates');
  expect(new Set(rates.map((f) => f.currency))).toEqual(new Set(['BRL', 'INR', 'EUR']));
  for (const f of rates) {
    expect(f.text.split('\r\n')[0]).toMatch(/^Cost per message in [A-Z]{3} - INVENTED demo rates/);
    expect(f.text).toContain('"Authentication-\r\nInternational"');
    expect(f.fileName).toMatch(/invented\.csv$/);
  }
  expect(demo.rateFiles.map((f) => f.kind)).toEqual(expect.arrayContaining(['rates', 'tiers', 'call_rates']));
  expect(() => buildDemoPriceBook(demo.rateFiles)).not.toThrow();
});

test("next quarter's files are imported ahead: effective on the first quarter start after the last day, rates moved by hand-checked factors", () => {
  const demo = generateDemo({ ...SMALL, seed: 'x' });
  const last = [...demo.rateFiles]
    .map((f) => f.effectiveFrom)
    .sort()
    .at(-1) as string;
  const ahead = demo.rateFiles.filter((f) => f.effectiveFrom === last);
  // One rates, tiers and call-rates file per currency, all after every WABA's last day of data.
  expect(ahead.map((f) => `${f.kind}/${f.currency}`).sort()).toEqual(
    ['BRL', 'EUR', 'INR'].flatMap((c) => [`call_rates/${c}`, `rates/${c}`, `tiers/${c}`]).sort(),
  );
  // AS_OF is 2026-11-22: the data ends in Q4 2026, so the announced quarter starts on 2027-01-01.
  expect(last).toBe('2027-01-01');
  const eur = ahead.find((f) => f.kind === 'rates' && f.currency === 'EUR')!;
  const germany = eur.text.split('\r\n').find((l) => l.startsWith('Germany,EUR,'))!;
  // Germany marketing: USD 0.1365 x 1.12 = 0.15288, x 0.92 (EUR) = 0.1406496 -> 0.1406.
  // Utility: USD 0.055 x 0.9 = 0.0495, x 0.92 = 0.04554 -> 0.0455.
  expect(germany.split(',').slice(2, 4)).toEqual(['0.1406', '0.0455']);
});

test("writeDemoNdjson writes one envelope per line, in the generator's order", async () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'waspend-demo-')), 'demo.ndjson');
  const written = await writeDemoNdjson(file, { ...SMALL, seed: 'ndjson' });
  const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
  expect(lines).toHaveLength(written.envelopes);
  const first = generateDemo({ ...SMALL, seed: 'ndjson' })
    .envelopes()
    .next().value;
  expect(JSON.parse(lines[0]!)).toEqual(first?.envelope);
  expect(fs.statSync(file).size).toBe(written.bytes);
  fs.rmSync(path.dirname(file), { recursive: true });
});

test('seedDemo: rates, then every webhook through ingest, then Meta figures per complete day through the PullSink', async () => {
  const order: string[] = [];
  const imported: DemoRateFile[] = [];
  let ingested = 0;
  const sink = new MemorySink();
  const result = await seedDemo({
    ...SMALL,
    seed: 'seed',
    batchSize: 200,
    sink,
    importRates: async (file) => {
      order.push('rates');
      imported.push(file);
    },
    ingest: {
      ingest: async () => {
        throw new Error('ingestMany should be used');
      },
      ingestMany: async (batch: WebhookEnvelope[]) => {
        order.push('webhooks');
        expect(batch.length).toBeLessThanOrEqual(200);
        ingested += batch.length;
      },
    },
  });
  expect(imported).toEqual(result.demo.rateFiles);
  expect(ingested).toBe(result.envelopes);
  expect(order.indexOf('webhooks')).toBeGreaterThan(order.lastIndexOf('rates'));
  for (const waba of result.demo.wabas) {
    const range = result.demo.completeDays(waba.id);
    const days = sink.days(waba.id, 'meta_pricing');
    expect(days[0]).toBe(range.from);
    expect(days.at(-1)).toBe(range.to);
    expect(days).toHaveLength(SMALL.days - 1);
    expect(await sink.getCursor(waba.id, 'meta_calls')).toEqual({ lastCompleteDay: range.to });
  }
  const stored = [...sink.pricing.values()].flat().length;
  expect(stored).toBe(result.metaPricingRows);
});
