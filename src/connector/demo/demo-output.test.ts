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
