import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { WebhookEvent } from '../ingest';

/** Hooks the webhook route calls; counted per process (sum over replicas in PromQL). */
export interface IngestObserver {
  /** A body was accepted and its events committed (duplicates of stored events included). */
  committed(events: readonly WebhookEvent[], commitSeconds: number): void;
  /** A body was refused before storing: `result` is the HTTP outcome class. */
  rejected(result: 'unauthorized' | 'invalid' | 'too_large' | 'error'): void;
  /** At start: the newest stored event, so "webhooks stopped" alerts survive a restart. */
  lastEventAt(ms: number | null): void;
}

/** Label values come from webhook bodies: bounded in length and number so a hostile or buggy sender cannot grow the registry. */
const MAX_UNPRICED_LABELS = 50;
function unpricedLabel(seen: Set<string>, category: string): string {
  const value = category.slice(0, 64);
  if (seen.has(value)) return value;
  if (seen.size >= MAX_UNPRICED_LABELS) return 'other';
  seen.add(value);
  return value;
}

/**
 * Counters for the webhook path. Message statuses are counted as received (a replayed duplicate
 * counts again), which is right for rates and ratios such as the failed-delivery alert; money is
 * never derived from these counters but from the store (see spend-metrics.ts).
 */
export function registerIngestMetrics(registry: Registry): IngestObserver {
  const events = new Counter({
    name: 'waspend_webhook_events_total',
    help: 'Webhook events received, by kind and result (accepted, or the reason a body was refused).',
    labelNames: ['kind', 'result'],
    registers: [registry],
  });
  const last = new Gauge({
    name: 'waspend_last_webhook_timestamp_seconds',
    help: 'Unix time of the last committed webhook body.',
    registers: [registry],
  });
  const sent = new Counter({
    name: 'waspend_messages_sent_total',
    help: 'Status webhooks with status sent, by WABA (as received).',
    labelNames: ['waba'],
    registers: [registry],
  });
  const failed = new Counter({
    name: 'waspend_messages_failed_total',
    help: 'Status webhooks with status failed, by WABA (as received).',
    labelNames: ['waba'],
    registers: [registry],
  });
  const recategorised = new Counter({
    name: 'waspend_template_recategorizations_total',
    help: 'Template category changes announced by Meta, by WABA and categories.',
    labelNames: ['waba', 'from', 'to'],
    registers: [registry],
  });
  const unpriced = new Counter({
    name: 'waspend_unpriced_messages_total',
    help: 'Delivered (or read) statuses whose pricing names a category, type or model waspend does not know: stored and counted, cost unknown. By category (lower snake case, as received).',
    labelNames: ['category'],
    registers: [registry],
  });
  const unpricedLabels = new Set<string>();
  const commit = new Histogram({
    name: 'waspend_ingest_commit_seconds',
    help: 'Time from accepting a webhook body to its durable commit.',
    buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  return {
    committed(list, seconds) {
      commit.observe(seconds);
      last.set(Date.now() / 1000);
      const byKind = new Map<string, number>();
      for (const e of list) {
        byKind.set(e.kind, (byKind.get(e.kind) ?? 0) + 1);
        if (e.kind === 'status') {
          if (e.status === 'sent') sent.inc({ waba: e.wabaId });
          else if (e.status === 'failed') failed.inc({ waba: e.wabaId });
          // Meta puts pricing on exactly one of delivered/read: one count per unpriced delivered message.
          if ((e.status === 'delivered' || e.status === 'read') && e.pricing && !e.pricing.known)
            unpriced.inc({ category: unpricedLabel(unpricedLabels, e.pricing.category) });
        } else if (e.kind === 'template_category') {
          const v = e.raw as { previous_category?: unknown; new_category?: unknown } | null;
          recategorised.inc({
            waba: e.wabaId,
            from: String(v?.previous_category ?? 'unknown').toLowerCase(),
            to: String(v?.new_category ?? 'unknown').toLowerCase(),
          });
        }
      }
      for (const [kind, n] of byKind) events.inc({ kind, result: 'accepted' }, n);
    },
    rejected(result) {
      events.inc({ kind: 'body', result });
    },
    lastEventAt(ms) {
      if (ms !== null) last.set(ms / 1000);
    },
  };
}
