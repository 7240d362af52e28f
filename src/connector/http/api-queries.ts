import type { z } from 'zod';
import type { HealthResponse, ListKind, listQuery, reconciliationQuery } from '@contract';
import {
  annotations,
  callsSeries,
  contactsSeries,
  listValues,
  monthlyReconciliation,
  pricingInputBody,
  reconciliation,
  tierState,
  usageSeries,
  type QueryContext,
} from '../query';
import { spendSnapshot } from '../metrics';
import { priceFile, priceFiles } from './price-file-routes';

type Arg<F> = F extends (ctx: QueryContext, q: infer Q) => unknown ? Q : never;

/**
 * The /api/v1 reads that go through the store and the pricing code, by name. The route validates
 * the request and hands the parsed query to a `QueryRunner`, which runs the entry here either in
 * this thread or in the query worker (runtime/query-worker.ts); both run these same functions.
 */
export const API_QUERIES = {
  usage: (ctx: QueryContext, q: Parameters<typeof usageSeries>[1]) => usageSeries(ctx, q),
  calls: (ctx: QueryContext, q: Parameters<typeof callsSeries>[1]) => callsSeries(ctx, q),
  contacts: (ctx: QueryContext, q: Parameters<typeof contactsSeries>[1]) => contactsSeries(ctx, q),
  reconciliation: (ctx: QueryContext, q: z.infer<typeof reconciliationQuery>) =>
    q.interval === 'month' ? monthlyReconciliation(ctx, q) : reconciliation(ctx, q),
  tiers: (ctx: QueryContext, q: Parameters<typeof tierState>[1]) => tierState(ctx, q),
  annotations: (ctx: QueryContext, q: Parameters<typeof annotations>[1]) => annotations(ctx, q),
  lists: (ctx: QueryContext, q: { kind: ListKind; query: z.infer<typeof listQuery> }) => listValues(ctx, q.kind, q.query),
  'price-files': (ctx: QueryContext, _q: Record<string, never>) => priceFiles(ctx),
  'price-file': (ctx: QueryContext, q: { name: string }) => priceFile(ctx, q.name),
  // Not a route: the figures of the Prometheus spend gauges, priced at scrape time.
  'spend-snapshot': (ctx: QueryContext, _q: Record<string, never>) => spendSnapshot(ctx),
};

export type ApiQueryName = keyof typeof API_QUERIES;
export type ApiQueryArg<N extends ApiQueryName> = Arg<(typeof API_QUERIES)[N]>;

export const isApiQueryName = (name: unknown): name is ApiQueryName => typeof name === 'string' && Object.hasOwn(API_QUERIES, name);

/**
 * The /api/v1 reads whose body is sent as it is produced (docs/performance.md, "Priced rollups"):
 * each gives its JSON text as chunks whose concatenation is the whole answer, so neither thread
 * holds an answer that grows with the store.
 */
export const STREAMED_QUERIES = {
  'pricing-input': (ctx: QueryContext, q: Parameters<typeof pricingInputBody>[1]) => pricingInputBody(ctx, q),
};

export type StreamedQueryName = keyof typeof STREAMED_QUERIES;
export type StreamedQueryArg<N extends StreamedQueryName> = Arg<(typeof STREAMED_QUERIES)[N]>;

export const isStreamedQueryName = (name: unknown): name is StreamedQueryName =>
  typeof name === 'string' && Object.hasOwn(STREAMED_QUERIES, name);

/** What /health shows of the query worker (absent when the API runs its queries in the HTTP thread). */
export type QueryWorkerHealth = NonNullable<HealthResponse['queryWorker']>;

/** Runs a validated API query and answers the JSON text the route sends. */
export interface QueryRunner {
  run<N extends ApiQueryName>(name: N, q: ApiQueryArg<N>): Promise<string>;
  /**
   * A streamed query's body, chunk by chunk. An error the query finds rejects the `next()` that
   * would have given the following chunk; `return()` stops the query (the client went away), also
   * while a `next()` is still waiting.
   */
  stream<N extends StreamedQueryName>(name: N, q: StreamedQueryArg<N>): AsyncIterator<string, void>;
  health?(): QueryWorkerHealth;
}

/** The answer the route sends for a query: the JSON text both runners produce from the same result. */
export async function answerOf<N extends ApiQueryName>(ctx: QueryContext, name: N, q: ApiQueryArg<N>): Promise<string> {
  const run = API_QUERIES[name] as (ctx: QueryContext, q: ApiQueryArg<N>) => Promise<unknown>;
  return JSON.stringify(await run(ctx, q));
}

/** Runs the queries on the calling thread: an in-memory SQLite store (tests) or `query.worker: false`. */
export const inThreadRunner = (ctx: QueryContext): QueryRunner => ({
  run: (name, q) => answerOf(ctx, name, q),
  stream: (name, q) => (STREAMED_QUERIES[name] as (ctx: QueryContext, q: StreamedQueryArg<typeof name>) => AsyncGenerator<string>)(ctx, q),
});

/**
 * The query worker could not answer (it crashed with this request in flight, or could not be
 * started): a 503 the caller may retry, never a hang.
 */
export class QueryUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QueryUnavailableError';
  }
}
