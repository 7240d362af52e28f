import { PMP_START_DAY } from '@core';
import { chunkSeconds, readGraphField } from './graph-client';
import { mergePricingRows, parsePricingAnalytics, type ParseContext } from './parse-pricing';
import { PullError } from './pull-error';
import type { SourceContext, SourceDefinition } from './source-context';
import type { DayChunk } from './day-plan';

const DIMENSIONS = ['PRICING_CATEGORY', 'PRICING_TYPE', 'COUNTRY', 'PHONE', 'TIER'];

/** The documented filter chain (Meta analytics page, pricing_analytics example and syntax line). */
export function pricingExpression(start: number, end: number, dimensions: readonly string[] = DIMENSIONS): string {
  return `pricing_analytics.start(${start}).end(${end}).granularity(DAILY).metric_types([COST,VOLUME]).dimensions(${dimensions.join(',')})`;
}

export function parseContextOf(ctx: SourceContext, currency: string, phoneIds: ReadonlyMap<string, string>, source: string): ParseContext {
  return {
    wabaId: ctx.waba.id,
    timezone: ctx.waba.timezone,
    currency,
    phoneIds,
    warn: (message, detail) => ctx.logger.warn({ wabaId: ctx.waba.id, source, ...detail }, message),
  };
}

async function fetchPricing(ctx: SourceContext, chunk: DayChunk, dimensions: readonly string[]) {
  const facts = await ctx.wabaFacts();
  const { start, end } = chunkSeconds(chunk, ctx.waba.timezone);
  const pages = await readGraphField(ctx, 'pricing_analytics', pricingExpression(start, end, dimensions));
  const parse = parseContextOf(ctx, facts.currency, facts.phoneIds, 'meta_pricing');
  return mergePricingRows(pages.flatMap((page, i) => parsePricingAnalytics(page, parse, `pricing_analytics[page ${i}]`)));
}

/**
 * Meta `pricing_analytics`, DAILY, VOLUME and COST by category, type, country, phone and tier; from
 * 2025-07-01 (per-message pricing) on. Some WABAs reject the PHONE breakdown (public integrations
 * retry without it): on Graph's invalid-parameter error the chunk is re-read without PHONE.
 */
export const metaPricingSource: SourceDefinition = {
  source: 'meta_pricing',
  enabled: (waba) => Boolean(waba.meta?.token),
  minDay: PMP_START_DAY,
  async fetchChunk(ctx, chunk) {
    try {
      return { pricing: await fetchPricing(ctx, chunk, DIMENSIONS) };
    } catch (error) {
      if (!(error instanceof PullError) || error.reason !== 'client_error' || error.graphCode !== 100) throw error;
      ctx.logger.warn({ wabaId: ctx.waba.id, error: error.message }, 'pricing_analytics rejected the PHONE dimension; pulling without it');
      return {
        pricing: await fetchPricing(
          ctx,
          chunk,
          DIMENSIONS.filter((d) => d !== 'PHONE'),
        ),
      };
    }
  },
};
