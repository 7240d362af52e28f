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
import { currencyOfDay, type QueryContext } from '../query';
import { inThreadRunner, type QueryRunner } from './api-queries';
import { registerInvoiceRoutes } from './invoice-routes';
import { registerPriceFileRoutes } from './price-file-routes';
import { streamedBody } from './streamed-body';

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
  /** Runs the store-reading queries: the query worker, or (default) this thread. */
  runner?: QueryRunner;
  /** Without a token the API refuses every request: an open billing API is never the default. */
  apiToken?: string;
  /** Where a streamed response that fails after its first byte is logged (it can no longer get an error status). */
  log: ErrorLog;
}

export interface ErrorLog {
  error(obj: object, msg: string): void;
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
      const runner = opts.runner ?? inThreadRunner(ctx);
      // Validated here, so a bad request gets its 400 naming the field without a trip to the worker;
      // the answer is the JSON text the runner made (fastify's own serialisation is JSON.stringify too).
      const json = (reply: FastifyReply, text: Promise<string>) => text.then((t) => reply.type('application/json; charset=utf-8').send(t));
      scope.get('/usage', async (req, reply) => json(reply, runner.run('usage', parseQuery(usageQuery, req.query))));
      // Sent as the query produces it (a day of rows per chunk): an export of the whole store is never held whole.
      scope.get('/pricing-input', async (req, reply) => {
        const body = await streamedBody(runner.stream('pricing-input', parseQuery(pricingInputQuery, req.query)));
        body.on('error', (err) =>
          opts.log.error({ err, url: req.url.split('?')[0] }, 'streamed response failed after its first byte; the connection was cut'),
        );
        return reply.type('application/json; charset=utf-8').send(body);
      });
      scope.get('/calls', async (req, reply) => json(reply, runner.run('calls', parseQuery(callsQuery, req.query))));
      scope.get('/contacts', async (req, reply) => json(reply, runner.run('contacts', parseQuery(contactsQuery, req.query))));
      scope.get('/reconciliation', async (req, reply) =>
        json(reply, runner.run('reconciliation', parseQuery(reconciliationQuery, req.query))),
      );
      await registerInvoiceRoutes(scope, ctx);
      scope.get('/tiers', async (req, reply) => json(reply, runner.run('tiers', parseQuery(tiersQuery, req.query))));
      scope.get('/annotations', async (req, reply) => json(reply, runner.run('annotations', parseQuery(annotationsQuery, req.query))));
      scope.get('/price-book', async () => ({ priceBook: priceBookToJson(ctx.priceBook()) }));
      await registerPriceFileRoutes(scope, runner);
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
      scope.get<{ Params: { kind: string } }>('/lists/:kind', async (req, reply) => {
        const kind = req.params.kind;
        if (!(LIST_KINDS as readonly string[]).includes(kind)) throw new InputError('kind', kind, `is not one of ${LIST_KINDS.join(', ')}`);
        return json(reply, runner.run('lists', { kind: kind as ListKind, query: parseQuery(listQuery, req.query) }));
      });
    },
    { prefix: API_PREFIX },
  );
}
