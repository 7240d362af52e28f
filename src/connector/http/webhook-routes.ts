import type { FastifyInstance } from 'fastify';
import { normaliseEnvelope, parseEnvelope } from '../ingest';
import type { GroupCommitWriter } from '../store';
import type { AppOptions } from './app-options';
import { isAuthorised } from './webhook-auth';

export const WEBHOOK_PATH = '/webhooks/whatsapp';

/**
 * POST answers 200 only after the events are committed; GET is Meta's subscription handshake. The
 * body is taken as raw bytes because the signature covers the bytes, not re-serialised JSON.
 */
export async function registerWebhookRoutes(app: FastifyInstance, opts: AppOptions, writer: GroupCommitWriter): Promise<void> {
  const now = opts.now ?? Date.now;
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

    scope.post(WEBHOOK_PATH, async (req, reply) => {
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      if (!isAuthorised(raw, req.headers, opts)) {
        opts.metrics?.ingest.rejected('unauthorized');
        return reply.code(401).send({ error: 'unauthorized', message: 'missing or invalid webhook signature' });
      }
      const receivedAtMs = now();
      let events;
      try {
        events = normaliseEnvelope(parseEnvelope(raw), receivedAtMs);
      } catch (err) {
        opts.metrics?.ingest.rejected('invalid');
        throw err;
      }
      const started = process.hrtime.bigint();
      await writer.write(events, receivedAtMs);
      opts.metrics?.ingest.committed(events, Number(process.hrtime.bigint() - started) / 1e9);
      return reply.code(200).send({ ok: true, events: events.length });
    });

    scope.get(WEBHOOK_PATH, async (req, reply) => {
      const q = req.query as Record<string, string | undefined>;
      const tokenOk = opts.verifyToken !== undefined && q['hub.verify_token'] !== undefined && q['hub.verify_token'] === opts.verifyToken;
      if (q['hub.mode'] !== 'subscribe' || !tokenOk) {
        return reply.code(403).send({ error: 'forbidden', message: 'verification token does not match', field: 'hub.verify_token' });
      }
      return reply.code(200).type('text/plain').send(q['hub.challenge'] ?? '');
    });
  });
}
