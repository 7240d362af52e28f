import { planDays, daysOf } from './day-plan';
import { PullError } from './pull-error';
import type { MetaCallRow, MetaPricingRow, PullSink } from './pull-sink';
import type { SourceContext, SourceDefinition } from './source-context';

export interface RunOutcome {
  /** Chunks committed in this run (0 = nothing was due). */
  chunks: number;
  days: number;
  rows: number;
  lastCompleteDay: string | null;
}

function storeError(action: string, error: unknown): PullError {
  return new PullError(`store failed to ${action}: ${(error as Error)?.message ?? String(error)}`, { reason: 'store', retryable: true });
}

function keepDays<T extends { day: string }>(rows: readonly T[] | undefined, days: ReadonlySet<string>): { kept: T[]; outside: number } {
  const kept: T[] = [];
  let outside = 0;
  for (const row of rows ?? []) {
    if (days.has(row.day)) kept.push(row);
    else outside++;
  }
  return { kept, outside };
}

/**
 * One run of one source for one WABA: plan the complete days due (cursor, re-pull window, lookback),
 * fetch them chunk by chunk and replace each chunk's days in the store together with the cursor.
 * A failure leaves every committed chunk in place, so the next run resumes without gaps; replacing
 * whole days means a re-pulled day is overwritten, never added twice.
 */
export async function runSource(def: SourceDefinition, ctx: SourceContext, sink: PullSink, today: string): Promise<RunOutcome> {
  const { waba, options } = ctx;
  let cursor: string | null;
  try {
    cursor = (await sink.getCursor(waba.id, def.source)).lastCompleteDay;
  } catch (error) {
    throw storeError('read the pull cursor', error);
  }
  const chunks = planDays({
    cursor,
    today,
    backfillDays: options.backfillDays,
    backfillFrom: options.backfillFrom,
    repullDays: options.repullDays,
    lookbackDays: options.lookbackDays,
    maxDaysPerRequest: options.maxDaysPerRequest,
    ...(def.minDay ? { minDay: def.minDay } : {}),
    ...(def.maxDay ? { maxDay: def.maxDay } : {}),
  });
  const outcome: RunOutcome = { chunks: 0, days: 0, rows: 0, lastCompleteDay: cursor };
  for (const chunk of chunks) {
    const fetched = await def.fetchChunk(ctx, chunk);
    const days = daysOf(chunk);
    const daySet = new Set(days);
    const pricing = keepDays<MetaPricingRow>(fetched.pricing, daySet);
    const calls = keepDays<MetaCallRow>(fetched.calls, daySet);
    if (pricing.outside + calls.outside > 0) {
      ctx.logger.debug?.(
        { wabaId: waba.id, source: def.source, rows: pricing.outside + calls.outside, chunk },
        'rows outside the requested days left for their own run',
      );
    }
    const next = outcome.lastCompleteDay !== null && outcome.lastCompleteDay > chunk.to ? outcome.lastCompleteDay : chunk.to;
    const rows: { pricing?: MetaPricingRow[]; calls?: MetaCallRow[] } = {};
    if (fetched.pricing) rows.pricing = pricing.kept;
    if (fetched.calls) rows.calls = calls.kept;
    try {
      await sink.replaceDays(waba.id, def.source, days, rows, { lastCompleteDay: next });
    } catch (error) {
      throw storeError(`store ${def.source} days ${chunk.from}..${chunk.to}`, error);
    }
    outcome.chunks++;
    outcome.days += days.length;
    outcome.rows += pricing.kept.length + calls.kept.length;
    outcome.lastCompleteDay = next;
    ctx.logger.info(
      { wabaId: waba.id, source: def.source, from: chunk.from, to: chunk.to, rows: pricing.kept.length + calls.kept.length },
      'pulled days',
    );
  }
  return outcome;
}
