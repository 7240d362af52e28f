import { bucketDayOf, dataPointsOf, readCostMicros, readCount, readOptionalString } from './analytics-values';
import { mergePricingRows, phoneIdOf, type ParseContext } from './parse-pricing';
import type { MetaPricingRow } from './pull-sink';
import { toCategory, toPricingType, type Category, type PricingType } from '@core';

function categoryOf(raw: string | null, path: string, ctx: ParseContext): Category | null {
  if (raw === null) return null;
  try {
    return toCategory(raw, path);
  } catch {
    ctx.warn('unknown conversation category kept as null', { path, value: raw });
    return null;
  }
}

function typeOf(raw: string | null, path: string, ctx: ParseContext): PricingType | null {
  if (raw === null) return null;
  try {
    // REGULAR / FREE_TIER / FREE_ENTRY_POINT map onto our pricing types one to one.
    return toPricingType(raw, path);
  } catch {
    ctx.warn('unknown conversation type kept as null', { path, value: raw });
    return null;
  }
}

/**
 * `conversation_analytics` (Meta, CBP era, before 2025-07-01): one row per data point with
 * `volume` = conversations. Meta withholds COST for WABAs on a partner's credit line: costMicros null.
 * Accepts the wrapped form and the documented unwrapped `{data:[...]}` example.
 */
export function parseConversationAnalytics(container: unknown, ctx: ParseContext, path = 'conversation_analytics'): MetaPricingRow[] {
  const { points } = dataPointsOf(container, path);
  const rows = points.map((point, i): MetaPricingRow => {
    const at = `${path}.data_points[${i}]`;
    const bucket = bucketDayOf(point.start, point.end, ctx.timezone, at);
    return {
      day: bucket.day,
      wabaId: ctx.wabaId,
      phoneNumberId: phoneIdOf(readOptionalString(point.phone_number, `${at}.phone_number`), ctx),
      country: readOptionalString(point.country, `${at}.country`)?.toUpperCase() ?? null,
      category: categoryOf(
        readOptionalString(point.conversation_category, `${at}.conversation_category`),
        `${at}.conversation_category`,
        ctx,
      ),
      pricingType: typeOf(readOptionalString(point.conversation_type, `${at}.conversation_type`), `${at}.conversation_type`, ctx),
      tier: null,
      volume: readCount(point.conversation ?? 0, `${at}.conversation`),
      costMicros: readCostMicros(point.cost, `${at}.cost`),
      currency: ctx.currency,
    };
  });
  return mergePricingRows(rows);
}
