import { envelopeSchema, normaliseEnvelope, parseAt } from '../ingest';
import type { GroupCommitWriter } from './group-commit-writer';
import type { Store } from './store';

/**
 * The ingest entry point for already-parsed envelopes (demo seeding, replays in-process): the same
 * validation and normalisation as POST /webhooks/whatsapp, then a durable commit. `ingestMany`
 * commits a whole batch in one transaction. Shape matches the demo's `DemoIngest`.
 */
export function createEnvelopeIngest(target: Store | GroupCommitWriter, now: () => number = Date.now) {
  const commit = (events: Parameters<Store['ingest']>[0], at: number) =>
    'ingest' in target ? target.ingest(events, at).then(() => undefined) : target.write(events, at);
  const eventsOf = (envelope: unknown, at: number) => normaliseEnvelope(parseAt(envelopeSchema, envelope), at);
  return {
    async ingest(envelope: unknown): Promise<void> {
      const at = now();
      await commit(eventsOf(envelope, at), at);
    },
    async ingestMany(envelopes: unknown[]): Promise<void> {
      const at = now();
      await commit(
        envelopes.flatMap((e) => eventsOf(e, at)),
        at,
      );
    },
  };
}
