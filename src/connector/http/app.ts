import Fastify, { type FastifyInstance } from 'fastify';
import { InputError } from '@core';
import type { HealthResponse } from '@contract';
import { GroupCommitWriter } from '../store';
import { QueryUnavailableError } from './api-queries';
import { registerApiRoutes, tokenMatches } from './api-routes';
import { DEFAULT_BODY_LIMIT, DEFAULT_REQUEST_TIMEOUT_MS, type AppOptions } from './app-options';
import { registerWebhookRoutes } from './webhook-routes';

async function checkHealth(opts: AppOptions): Promise<HealthResponse> {
  const pulls = opts.pullStatus?.() ?? [];
  const version = opts.version ?? '0.0.0';
  try {
    await opts.store.ping();
    const stats = await opts.store.eventStats();
    const reports = opts.reportStatus ? await opts.reportStatus() : undefined;
    const queryWorker = opts.queryRunner?.health?.();
    const changeListener = opts.changeListenerStatus?.();
    const repricingWorker = opts.repricingWorkerStatus?.();
    const degraded =
      pulls.some((p) => p.status === 'failing') ||
      (reports ?? []).some((r) => r.status === 'failing') ||
      (queryWorker !== undefined && queryWorker.status !== 'ok') ||
      (repricingWorker !== undefined && repricingWorker.status !== 'ok') ||
      (changeListener !== undefined && changeListener.status !== 'listening');
    return {
      status: degraded ? 'degraded' : 'ok',
      version,
      store: { ok: true, kind: opts.store.kind, ...stats },
      pulls,
      ...(reports ? { reports } : {}),
      ...(queryWorker ? { queryWorker } : {}),
      ...(repricingWorker ? { repricingWorker } : {}),
      ...(changeListener ? { changeListener } : {}),
    };
  } catch (err) {
    const queryWorker = opts.queryRunner?.health?.();
    const repricingWorker = opts.repricingWorkerStatus?.();
    return {
      status: 'error',
      version,
      store: { ok: false, kind: opts.store.kind, events: 0, lastEventAt: null, error: (err as Error).message },
      pulls,
      ...(queryWorker ? { queryWorker } : {}),
      ...(repricingWorker ? { repricingWorker } : {}),
    };
  }
}

/** Builds the connector's HTTP app (not listening): webhooks and /health. The caller owns listen/close. */
export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const requestTimeout = opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: opts.bodyLimitBytes ?? DEFAULT_BODY_LIMIT,
    // Node's own deadlines. fastify copies its top-level value onto the server after construction
    // (0 would switch the deadline off); the checking interval must reach http.createServer itself,
    // or a stalled body is never cut (docs/reliability.md, measured by the security suite).
    requestTimeout,
    http: { requestTimeout, headersTimeout: requestTimeout, connectionsCheckingInterval: Math.min(500, requestTimeout) } as never,
    connectionTimeout: requestTimeout * 2,
  });
  const writer = opts.writer ?? new GroupCommitWriter(opts.store);

  app.setErrorHandler((err, _req, reply) => {
    if (err instanceof InputError) {
      return reply.code(400).send({ error: 'bad_request', message: err.message, field: err.field });
    }
    if (err instanceof QueryUnavailableError) {
      app.log.warn({ err: err.message }, 'query not answered');
      return reply.code(503).header('retry-after', '1').send({ error: 'unavailable', message: err.message });
    }
    const e = err as { statusCode?: number; code?: string; message?: string };
    const status = typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500 ? e.statusCode : 500;
    if (status === 500) app.log.error({ err }, 'request failed');
    // 5xx bodies stay generic so store internals never reach a caller.
    return reply.code(status).send({
      error: status === 500 ? 'internal' : (e.code ?? 'bad_request'),
      message: status === 500 ? 'internal error' : (e.message ?? 'bad request'),
    });
  });

  await registerWebhookRoutes(app, opts, writer);
  if (opts.query)
    await registerApiRoutes(app, {
      ctx: opts.query,
      apiToken: opts.apiToken,
      log: opts.errorLog ?? app.log,
      ...(opts.queryRunner ? { runner: opts.queryRunner } : {}),
    });
  const metrics = opts.metrics;
  if (metrics) {
    app.get('/metrics', async (req, reply) => {
      if (metrics.token && !tokenMatches(req.headers.authorization, metrics.token)) {
        return reply.code(401).send({ error: 'unauthorized', message: 'missing or invalid bearer token' });
      }
      const body = await metrics.registry.metrics();
      return reply.type(metrics.registry.contentType).send(body);
    });
  }

  app.get('/health', async (_req, reply) => {
    const body = await checkHealth(opts);
    return reply.code(body.status === 'error' ? 503 : 200).send(body);
  });

  app.addHook('onClose', async () => {
    await writer.drain();
  });
  return app;
}
