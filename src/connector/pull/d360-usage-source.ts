import { requestJson } from './http-client';
import { chunkSeconds } from './graph-client';
import { parseContextOf } from './meta-pricing-source';
import { mergeCallRows } from './parse-calls';
import { parseD360Usage } from './parse-d360-usage';
import { mergePricingRows } from './parse-pricing';
import type { MetaCallRow, MetaPricingRow } from './pull-sink';
import type { SourceDefinition } from './source-context';

/**
 * 360Dialog Partner API "Get Channel Usage", one request per channel of the WABA:
 * GET {base}/partners/{partner_id}/clients/{client_id}/channels/{channel_id}/info/usage
 *   ?start_date=<unix>&end_date=<unix, inclusive>&granularity=DAILY   with header X-API-Key.
 * The granularity value and the response shape are UNCERTAIN (docs/pulls.md).
 */
export const d360UsageSource: SourceDefinition = {
  source: 'd360_usage',
  enabled: (waba) => Boolean(waba.d360?.apiKey && waba.d360.channels.length > 0),
  async fetchChunk(ctx, chunk) {
    const d360 = ctx.waba.d360;
    if (!d360) return {};
    const { start, end } = chunkSeconds(chunk, ctx.waba.timezone);
    const base = ctx.options.d360BaseUrl.replace(/\/+$/, '');
    const parse = parseContextOf(ctx, ctx.waba.currency, new Map(), 'd360_usage');
    const pricing: MetaPricingRow[] = [];
    const calls: MetaCallRow[] = [];
    for (const channel of d360.channels) {
      const url = new URL(
        `${base}/partners/${encodeURIComponent(d360.partnerId)}/clients/${encodeURIComponent(d360.clientId)}/channels/${encodeURIComponent(channel.id)}/info/usage`,
      );
      url.searchParams.set('start_date', String(start));
      url.searchParams.set('end_date', String(end - 1));
      url.searchParams.set('granularity', 'DAILY');
      const body = await requestJson(
        {
          url: url.toString(),
          headers: { 'X-API-Key': d360.apiKey, Accept: 'application/json' },
          secrets: [d360.apiKey],
          authMessage: `360Dialog partner API key for WABA ${ctx.waba.id} is invalid or expired: update wabas[${ctx.waba.configIndex}].d360.apiKey`,
        },
        ctx.http,
      );
      const rows = parseD360Usage(body, parse, channel.phoneNumberId ?? null);
      pricing.push(...rows.pricing);
      calls.push(...rows.calls);
    }
    return { pricing: mergePricingRows(pricing), calls: mergeCallRows(calls) };
  },
};
