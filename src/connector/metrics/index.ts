export { registerIngestMetrics, type IngestObserver } from './ingest-metrics';
export { registerSpendMetrics } from './spend-metrics';
