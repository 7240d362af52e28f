import { dayStartMs, addDays } from '@core';
import { isObject, phoneDigits } from './analytics-values';
import { requestJson } from './http-client';
import { PullError } from './pull-error';
import { redactUrl, stripSecretParams } from './redact';
import type { SourceContext, WabaFacts } from './source-context';
import type { DayChunk } from './day-plan';

/**
 * Meta Graph API reads for one WABA. The token travels only in the Authorization header; Graph's
 * `paging.next` links (which embed access_token) are followed only on the configured Graph origin
 * and with the token stripped from the query.
 */

type GraphCtx = Pick<SourceContext, 'waba' | 'http' | 'options' | 'logger'>;

function tokenOf(ctx: GraphCtx): string {
  const token = ctx.waba.meta?.token;
  if (!token)
    throw new PullError(`WABA ${ctx.waba.id} has no Meta token: set wabas[${ctx.waba.configIndex}].meta.token`, {
      reason: 'auth',
      retryable: false,
    });
  return token;
}

export function graphUrl(ctx: GraphCtx, path: string, params: Record<string, string>): string {
  const version = ctx.waba.meta?.apiVersion ?? ctx.options.graphApiVersion;
  const url = new URL(`${ctx.options.graphBaseUrl.replace(/\/+$/, '')}/${version}/${path}`);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.toString();
}

export function graphGet(ctx: GraphCtx, url: string): Promise<unknown> {
  const token = tokenOf(ctx);
  return requestJson(
    {
      url,
      headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
      secrets: [token],
      authMessage: `Meta token for WABA ${ctx.waba.id} is invalid or expired: update wabas[${ctx.waba.configIndex}].meta.token`,
    },
    ctx.http,
  );
}

/** Unix seconds of the WABA-local midnights that bound the chunk: [from 00:00, day after `to` 00:00). */
export function chunkSeconds(chunk: DayChunk, timezone: string): { start: number; end: number } {
  return {
    start: Math.floor(dayStartMs(chunk.from, timezone) / 1000),
    end: Math.floor(dayStartMs(addDays(chunk.to, 1), timezone) / 1000),
  };
}

function nextPageUrl(ctx: GraphCtx, container: unknown): string | null {
  if (!isObject(container) || !isObject(container.paging) || typeof container.paging.next !== 'string') return null;
  let next: URL;
  try {
    next = new URL(container.paging.next);
  } catch {
    return null;
  }
  if (next.origin !== new URL(ctx.options.graphBaseUrl).origin) {
    ctx.logger.warn({ next: redactUrl(next.toString()) }, 'ignoring paging.next outside the Graph API origin');
    return null;
  }
  return stripSecretParams(next).toString();
}

/**
 * GET /<WABA_ID>?fields=<expression> and follow paging; returns the field's container per page
 * (`{data:[...]}` or `{data_points:[...]}`), [] when Meta omits the field (no data).
 */
export async function readGraphField(ctx: GraphCtx, field: string, expression: string): Promise<unknown[]> {
  const pages: unknown[] = [];
  let url: string | null = graphUrl(ctx, ctx.waba.id, { fields: expression });
  for (let page = 0; url !== null; page++) {
    if (page >= ctx.options.maxPages) {
      throw new PullError(`more than ${ctx.options.maxPages} pages of ${field} for WABA ${ctx.waba.id}`, {
        reason: 'bad_response',
        retryable: false,
      });
    }
    const body = await graphGet(ctx, url);
    const container = isObject(body) && field in body ? body[field] : page > 0 ? body : undefined;
    if (container === undefined || container === null) break;
    pages.push(container);
    url = nextPageUrl(ctx, container);
  }
  return pages;
}

/** The WABA's billing currency (`fields=currency`) and its phone numbers (`/phone_numbers`). */
export async function readWabaFacts(ctx: GraphCtx): Promise<WabaFacts> {
  const body = await graphGet(ctx, graphUrl(ctx, ctx.waba.id, { fields: 'currency' }));
  let currency = ctx.waba.currency;
  if (isObject(body) && typeof body.currency === 'string' && /^[A-Za-z]{3}$/.test(body.currency)) {
    currency = body.currency.toUpperCase();
    if (currency !== ctx.waba.currency.toUpperCase()) {
      ctx.logger.warn(
        { wabaId: ctx.waba.id, configured: ctx.waba.currency, meta: currency },
        "Meta reports a different WABA currency than the config; Meta's figures are labelled with Meta's",
      );
    }
  }
  const phoneIds = new Map<string, string>();
  try {
    let url: string | null = graphUrl(ctx, `${ctx.waba.id}/phone_numbers`, { fields: 'id,display_phone_number', limit: '100' });
    for (let page = 0; url !== null && page < ctx.options.maxPages; page++) {
      const list = await graphGet(ctx, url);
      if (!isObject(list) || !Array.isArray(list.data)) break;
      for (const item of list.data) {
        if (isObject(item) && typeof item.id === 'string' && typeof item.display_phone_number === 'string') {
          phoneIds.set(phoneDigits(item.display_phone_number), item.id);
        }
      }
      url = nextPageUrl(ctx, list);
    }
  } catch (error) {
    // Only a missing permission degrades (phone numbers stay as display numbers); anything else is a failed run.
    if (!(error instanceof PullError) || error.reason !== 'client_error') throw error;
    ctx.logger.warn({ wabaId: ctx.waba.id, error: error.message }, 'cannot list phone numbers; Meta rows keep display numbers');
  }
  return { currency, phoneIds };
}
