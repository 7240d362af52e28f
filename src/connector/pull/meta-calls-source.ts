import { chunkSeconds, readGraphField } from './graph-client';
import { parseContextOf } from './meta-pricing-source';
import { mergeCallRows, parseCallAnalytics } from './parse-calls';
import type { SourceDefinition } from './source-context';

/** The filter chain as in Meta's call analytics section (dimensions are lower case there). */
export function callsExpression(start: number, end: number): string {
  return `call_analytics.start(${start}).end(${end}).granularity(DAILY).metric_types(COUNT,COST,AVERAGE_DURATION).dimensions(direction,country,phone)`;
}

/** Meta `call_analytics`, DAILY: count, cost and average duration by direction, country and phone. */
export const metaCallsSource: SourceDefinition = {
  source: 'meta_calls',
  enabled: (waba) => Boolean(waba.meta?.token),
  async fetchChunk(ctx, chunk) {
    const facts = await ctx.wabaFacts();
    const { start, end } = chunkSeconds(chunk, ctx.waba.timezone);
    const pages = await readGraphField(ctx, 'call_analytics', callsExpression(start, end));
    const parse = parseContextOf(ctx, facts.currency, facts.phoneIds, 'meta_calls');
    return { calls: mergeCallRows(pages.flatMap((page, i) => parseCallAnalytics(page, parse, `call_analytics[page ${i}]`))) };
  },
};
