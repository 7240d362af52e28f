import { InputError } from '@core';
import { runQuery, type FetchJson } from './run-query';
import type { ReplaceFn } from './interpolate';

const RANGE = { fromMs: Date.UTC(2026, 2, 1), toMs: Date.UTC(2026, 2, 3) };
const replace: ReplaceFn = (text) => text.replace('$cat', 'marketing,utility');
const usageRow = (time: number, category: string, cost: string) => ({
  time,
  bucket: 'b',
  currency: 'USD',
  category,
  messages: 2,
  billable: 2,
  cost,
});

function fakeConnector(respond: (path: string, params: Record<string, string>) => unknown) {
  const seen: Array<{ path: string; params: Record<string, string>; signal: AbortSignal }> = [];
  const fetchJson: FetchJson = async (path, search, signal) => {
    const params = Object.fromEntries(new URLSearchParams(search));
    seen.push({ path, params, signal });
    return respond(path, params);
  };
  return { fetchJson, seen };
}

describe('runQuery', () => {
  it('migrates, interpolates, fetches and builds frames, passing the abort signal on', async () => {
    const { fetchJson, seen } = fakeConnector(() => ({
      source: 'estimate',
      interval: 'day',
      problems: [],
      rows: [usageRow(RANGE.fromMs, 'marketing', '1.5'), usageRow(RANGE.fromMs, 'utility', '0.25')],
    }));
    const controller = new AbortController();
    // an old, unversioned query with a multi-value variable
    const stored = { refId: 'A', queryType: 'cost', category: '$cat', by: 'category' };
    const frames = await runQuery(stored, RANGE, { fetchJson, replace, timeZone: 'UTC', signal: controller.signal });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.path).toBe('/api/v1/usage');
    expect(seen[0]!.params.category).toBe('marketing,utility');
    expect(seen[0]!.signal).toBe(controller.signal);
    expect(frames.map((f) => [f.name, f.fields[1]!.values])).toEqual([
      ['Marketing', [1.5]],
      ['Utility', [0.25]],
    ]);
  });

  it("runs a reconciliation's per-month view against the monthly endpoint with the WABA variable applied", async () => {
    const { fetchJson, seen } = fakeConnector(() => ({
      interval: 'month',
      consolidationDays: 5,
      problems: [],
      rows: [
        {
          time: RANGE.fromMs,
          month: '2026-03',
          wabaId: 'W1',
          currency: 'USD',
          estimateCost: '10.5',
          metaCost: '10',
          invoiceAmount: null,
          estimateVsMeta: '0.5',
          estimateVsMetaPct: 5,
          estimateVsInvoice: null,
          estimateVsInvoicePct: null,
          metaVsInvoice: null,
          metaVsInvoicePct: null,
          consolidating: true,
        },
      ],
    }));
    const q = { refId: 'A', schemaVersion: 1, kind: 'reconciliation', interval: 'month', filters: { waba: ['$waba'] } };
    const frames = await runQuery(q, RANGE, {
      fetchJson,
      replace: (text) => text.replace('$waba', 'W1,W2'),
      timeZone: 'UTC',
      signal: new AbortController().signal,
    });
    expect(seen.map((s) => [s.path, s.params])).toEqual([
      ['/api/v1/reconciliation', { from: String(RANGE.fromMs), to: String(RANGE.toMs), waba: 'W1,W2', interval: 'month' }],
    ]);
    expect(frames.map((f) => f.fields.map((x) => [x.name, x.values[0]]))).toEqual([
      [
        ['Month', '2026-03'],
        ['WABA', 'W1'],
        ['Currency', 'USD'],
        ['Estimate', 10.5],
        ['Meta', 10],
        ['Invoice', null],
        ['Estimate vs Meta', 0.5],
        ['Estimate vs Meta %', 5],
        ['Estimate vs invoice', null],
        ['Estimate vs invoice %', null],
        ['Meta vs invoice', null],
        ['Meta vs invoice %', null],
        ['Consolidating', 'yes'],
      ],
    ]);
  });

  it('overlays the previous period shifted onto the current range', async () => {
    const { fetchJson, seen } = fakeConnector((_, p) => ({
      source: 'estimate',
      interval: 'day',
      problems: [],
      rows: [usageRow(Number(p.from), 'marketing', p.from === String(RANGE.fromMs) ? '2' : '1')],
    }));
    const q = { refId: 'A', schemaVersion: 1, kind: 'cost', compare: 'previous_period' };
    const frames = await runQuery(q, RANGE, { fetchJson, replace, timeZone: 'UTC', signal: new AbortController().signal });
    expect(seen.map((s) => s.params.from)).toEqual([String(RANGE.fromMs), String(RANGE.fromMs - 2 * 86_400_000)]);
    expect(frames.map((f) => [f.name, f.fields[0]!.values, f.fields[1]!.values])).toEqual([
      ['Cost', [RANGE.fromMs], [2]],
      ['Cost (previous period)', [RANGE.fromMs], [1]],
    ]);
  });

  it('feeds allocation both responses by role', async () => {
    const { fetchJson } = fakeConnector((_, p) => ({
      source: p.source,
      interval: 'month',
      problems: [],
      rows:
        p.by === 'market,category'
          ? [{ ...usageRow(RANGE.fromMs, 'marketing', '9'), market: 'Brazil' }]
          : [
              { ...usageRow(RANGE.fromMs, 'marketing', '0'), market: 'Brazil', group: 'g1', billable: 1 },
              { ...usageRow(RANGE.fromMs, 'marketing', '0'), market: 'Brazil', group: 'g2', billable: 2 },
            ],
    }));
    const q = { refId: 'A', schemaVersion: 1, kind: 'allocation', source: 'meta' };
    const [f] = await runQuery(q, RANGE, { fetchJson, replace, timeZone: 'UTC', signal: new AbortController().signal });
    expect(f!.fields.map((x) => x.values)).toEqual([
      ['g2', 'g1'],
      [2, 1],
      [6, 3],
    ]);
  });

  it('stops before fetching when a variable is unknown or the query is invalid', async () => {
    const { fetchJson, seen } = fakeConnector(() => ({}));
    const deps = { fetchJson, replace, timeZone: 'UTC', signal: new AbortController().signal };
    await expect(runQuery({ refId: 'A', schemaVersion: 1, kind: 'cost', filters: { waba: ['$nope'] } }, RANGE, deps)).rejects.toMatchObject(
      { field: 'filters.waba' },
    );
    await expect(runQuery({ refId: 'A', schemaVersion: 1, kind: 'nope' }, RANGE, deps)).rejects.toBeInstanceOf(InputError);
    expect(seen).toEqual([]);
  });

  it('passes a fetch rejection (e.g. an abort) through unchanged', async () => {
    const abort = new DOMException('aborted', 'AbortError');
    const fetchJson: FetchJson = () => Promise.reject(abort);
    await expect(
      runQuery({ refId: 'A', schemaVersion: 1, kind: 'tiers' }, RANGE, {
        fetchJson,
        replace,
        timeZone: 'UTC',
        signal: new AbortController().signal,
      }),
    ).rejects.toBe(abort);
  });
});
