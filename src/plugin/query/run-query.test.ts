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
