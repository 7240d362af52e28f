export { registerIngestMetrics, type IngestObserver } from './ingest-metrics';
export { registerSpendMetrics, spendSnapshot, type SpendSnapshot } from './spend-metrics';
