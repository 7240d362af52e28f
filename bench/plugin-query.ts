/**
 * Times the plugin's query layer (runQuery: migrate, interpolate, request building, response
 * validation, frames) on a connector response holding every row of the shape, grouped by country,
 * category and number, the way a cost panel asks for it. The connector prices (see docs/api.md), so
 * the plugin's own work is validation and frame building.
 */
import { dayStartMs, toDecimalString, type UsageRow } from '@core';
import { runQuery } from '../src/plugin/query/run-query';
import { median, percentile, round } from './stats';

export async function pluginQuery(
  rows: UsageRow[],
  reps: number,
): Promise<{ medianMs: number; p95Ms: number; rows: number } | { unavailable: string }> {
  const body = {
    source: 'estimate',
    interval: 'day',
    problems: [],
    rows: rows.map((r) => ({
      time: dayStartMs(r.day, 'UTC'),
      bucket: r.day,
      currency: r.currency,
      country: r.dims?.country ?? null,
      phoneNumberId: r.dims?.phone ?? undefined,
      category: r.category,
      messages: r.units,
      billable: r.units,
      cost: toDecimalString(BigInt(r.units) * 12_500n),
    })),
  };
  const days = [...new Set(rows.map((r) => r.day))].sort();
  const range = { fromMs: dayStartMs(days[0] as string, 'UTC'), toMs: dayStartMs(days.at(-1) as string, 'UTC') + 86_400_000 };
  const query = {
    refId: 'A',
    kind: 'cost',
    groupBy: ['country', 'category', 'phone'],
    interval: 'day',
    source: 'estimate',
    schemaVersion: 1,
  };
  const deps = {
    fetchJson: async () => JSON.parse(JSON.stringify(body)) as unknown,
    replace: (s: string) => s,
    timeZone: 'UTC',
    signal: new AbortController().signal,
  };
  const times: number[] = [];
  for (let i = 0; i <= reps; i++) {
    const t0 = process.hrtime.bigint();
    const frames = await runQuery(query, range, deps);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (frames.length === 0) throw new Error('the plugin query returned no frames');
    if (i > 0) times.push(ms); // the first run warms the JIT
  }
  return { medianMs: round(median(times)), p95Ms: round(percentile(times, 95)), rows: rows.length };
}
