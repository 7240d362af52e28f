import { addDays, PMP_START_DAY } from '@core';
import { chunkSeconds, readGraphField } from './graph-client';
import { parseContextOf } from './meta-pricing-source';
import { mergePricingRows } from './parse-pricing';
import { parseConversationAnalytics } from './parse-conversations';
import { PullError } from './pull-error';
import type { SourceContext, SourceDefinition } from './source-context';
import type { DayChunk } from './day-plan';

const DIMENSIONS = '["CONVERSATION_CATEGORY","CONVERSATION_TYPE","COUNTRY","PHONE"]';

export function conversationsExpression(start: number, end: number, withCost: boolean): string {
  const metrics = withCost ? '["COST","CONVERSATION"]' : '["CONVERSATION"]';
  return `conversation_analytics.start(${start}).end(${end}).granularity(DAILY).metric_types(${metrics}).dimensions(${DIMENSIONS})`;
}

/** Meta's wording when COST is withheld (partner credit line); matched loosely. */
export function isCostUnavailable(error: unknown): boolean {
  return error instanceof PullError && error.reason === 'client_error' && /cost\W+(is\W+)?not\W+available/i.test(error.message);
}

async function fetchConversations(ctx: SourceContext, chunk: DayChunk, withCost: boolean) {
  const facts = await ctx.wabaFacts();
  const { start, end } = chunkSeconds(chunk, ctx.waba.timezone);
  const pages = await readGraphField(ctx, 'conversation_analytics', conversationsExpression(start, end, withCost));
  const parse = parseContextOf(ctx, facts.currency, facts.phoneIds, 'meta_conversations');
  return mergePricingRows(pages.flatMap((page, i) => parseConversationAnalytics(page, parse, `conversation_analytics[page ${i}]`)));
}

/**
 * Meta `conversation_analytics` for the conversation-based era (days before 2025-07-01), within the
 * lookback. Meta withholds COST for WABAs on a partner's credit line (missing cost -> costMicros
 * null); when it refuses the request with "Cost not available", the chunk is re-read without COST.
 */
export const metaConversationsSource: SourceDefinition = {
  source: 'meta_conversations',
  enabled: (waba) => Boolean(waba.meta?.token),
  maxDay: addDays(PMP_START_DAY, -1),
  async fetchChunk(ctx, chunk) {
    try {
      return { pricing: await fetchConversations(ctx, chunk, true) };
    } catch (error) {
      if (!isCostUnavailable(error)) throw error;
      ctx.logger.warn(
        { wabaId: ctx.waba.id },
        'conversation_analytics: cost not available (partner credit line); pulling conversations only',
      );
      return { pricing: await fetchConversations(ctx, chunk, false) };
    }
  },
};
