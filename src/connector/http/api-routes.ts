import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { InputError, localDay, priceBookToJson } from '@core';
import {
  annotationsQuery,
  API_PREFIX,
  callsQuery,
  contactsQuery,
  LIST_KINDS,
  listQuery,
  pricingInputQuery,
  reconciliationQuery,
  tiersQuery,
  usageQuery,
  type ListKind,
} from '@contract';
import {
  annotations,
  callsSeries,
  contactsSeries,
  currencyOfDay,
  listValues,
  monthlyReconciliation,
  pricingInput,
  reconciliation,
  tierState,
  usageSeries,
  type QueryContext,
} from '../query';
import { registerInvoiceRoutes } from './invoice-routes';
import { registerPriceFileRoutes } from './price-file-routes';

const pathOf = (path: readonly PropertyKey[]) => path.map(String).join('.') || '(query)';

/** zod-validates the query string; the first issue becomes a 400 naming the parameter. */
function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.infer<S> {
  const res = schema.safeParse(query ?? {});
  if (!res.success) {
    const issue = res.error.issues[0];
    const field = issue ? pathOf(issue.path) : '(query)';
    const given = (query as Record<string, unknown> | null)?.[field];
    throw new InputError(field, given, issue?.message ?? 'is invalid');
  }
  return res.data;
}

// Hashing both sides first makes the comparison constant-time whatever the lengths.
const digest = (s: string) => createHash('sha256').update(s).digest();
export function tokenMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
  return timingSafeEqual(digest(m?.[1]?.trim() ?? ''), digest(token)) && Boolean(m);
}

export interface ApiOptions {
  ctx: QueryContext;
  /** Without a token the API refuses every request: an open billing API is never the default. */
  apiToken?: string;
}

/** Registers the bearer-token protected query API (docs/api.md). */
export async function registerApiRoutes(app: FastifyInstance, opts: ApiOptions): Promise<void> {
  await app.register(
    async (scope) => {
      scope.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
        if (!opts.apiToken) {
          return reply
            .code(401)
            .send({ error: 'unauthorized', message: 'the query API is disabled: set apiToken in the connector config' });
        }
        if (!tokenMatches(req.headers.authorization, opts.apiToken)) {
          return reply
            .code(401)
            .header('www-authenticate', 'Bearer')
            .send({ error: 'unauthorized', message: 'missing or invalid bearer token' });
        }
      });
      const { ctx } = opts;
      scope.get('/usage', async (req) => usageSeries(ctx, parseQuery(usageQuery, req.query)));
      scope.get('/pricing-input', async (req) => pricingInput(ctx, parseQuery(pricingInputQuery, req.query)));
      scope.get('/calls', async (req) => callsSeries(ctx, parseQuery(callsQuery, req.query)));
      scope.get('/contacts', async (req) => contactsSeries(ctx, parseQuery(contactsQuery, req.query)));
      scope.get('/reconciliation', async (req) => {
        const q = parseQuery(reconciliationQuery, req.query);
        return q.interval === 'month' ? monthlyReconciliation(ctx, q) : reconciliation(ctx, q);
      });
      await registerInvoiceRoutes(scope, ctx);
      scope.get('/tiers', async (req) => tierState(ctx, parseQuery(tiersQuery, req.query)));
      scope.get('/annotations', async (req) => annotations(ctx, parseQuery(annotationsQuery, req.query)));
      scope.get('/price-book', async () => ({ priceBook: priceBookToJson(ctx.priceBook()) }));
      await registerPriceFileRoutes(scope, ctx);
      scope.get('/wabas', async () => ({
        items: [...ctx.wabas.values()].map((w) => ({
          id: w.id,
          name: w.name,
          timezone: w.timezone,
          currency: currencyOfDay(w, localDay(ctx.now(), w.timezone)),
          currencies: w.currencies.map((p) => ({ from: p.from || null, code: p.code })),
          portfolio: w.portfolio,
        })),
      }));
      scope.get<{ Params: { kind: string } }>('/lists/:kind', async (req) => {
        const kind = req.params.kind;
        if (!(LIST_KINDS as readonly string[]).includes(kind)) throw new InputError('kind', kind, `is not one of ${LIST_KINDS.join(', ')}`);
        return listValues(ctx, kind as ListKind, parseQuery(listQuery, req.query));
      });
    },
    { prefix: API_PREFIX },
  );
}
