import type { FastifyInstance } from 'fastify';
import { normaliseEnvelope, parseEnvelope } from '../ingest';
import type { GroupCommitWriter } from '../store';
import { DEFAULT_BODY_LIMIT, type AppOptions } from './app-options';
import { isAuthorised } from './webhook-auth';

export const WEBHOOK_PATH = '/webhooks/whatsapp';

/** Oversize bodies are drained up to this multiple of the limit so their 413 can be read. */
const DRAIN_FACTOR = 64;

function tooLarge(limit: number): Error {
  return Object.assign(new Error(`request body is larger than ${limit} bytes`), { statusCode: 413, code: 'body_too_large' });
}

/**
 * POST answers 200 only after the events are committed; GET is Meta's subscription handshake. The
 * body is taken as raw bytes because the signature covers the bytes, not re-serialised JSON.
 */
export async function registerWebhookRoutes(app: FastifyInstance, opts: AppOptions, writer: GroupCommitWriter): Promise<void> {
  const now = opts.now ?? Date.now;
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    const limit = opts.bodyLimitBytes ?? DEFAULT_BODY_LIMIT;
    // Our own reader instead of fastify's limit: an oversize body is read to its end and discarded
    // (up to DRAIN_FACTOR x the limit) before the 413, so the sender can read the answer; fastify's
    // reader answers mid-upload and Node then closes the socket, which the sender sees as EPIPE.
    scope.addContentTypeParser('*', (_req, payload, done) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let finished = false;
      const finish = (err: Error | null, body?: Buffer) => {
        if (finished) return;
        finished = true;
        done(err, body);
      };
      payload.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= limit) chunks.push(chunk);
        else if (size > limit * DRAIN_FACTOR) {
          // Past this, closing the connection is cheaper than reading on.
          finish(tooLarge(limit));
          payload.destroy();
        }
      });
      payload.on('end', () => finish(size > limit ? tooLarge(limit) : null, size > limit ? undefined : Buffer.concat(chunks, size)));
      payload.on('error', (err: Error) => finish(err));
    });

    // The route's fastify limit is lifted so the reader above decides (it never keeps more than `limit`).
    scope.post(WEBHOOK_PATH, { bodyLimit: limit * DRAIN_FACTOR + 1 }, async (req, reply) => {
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
      return reply
        .code(200)
        .type('text/plain')
        .send(q['hub.challenge'] ?? '');
    });
  });
}
