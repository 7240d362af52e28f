// Public API of the demo data, for the connector's `waspend demo`, `npm start` and the benchmark.
export { generateDemo, type Demo, type DemoOptions, type DemoMetaFigures } from './generate-demo';
export { demoInvoices, type DemoInvoice } from './demo-invoices';
export { seedDemo, type DemoIngest, type SeedDemoOptions, type SeedDemoResult } from './seed-demo';
export { writeDemoNdjson } from './write-ndjson';
export { DEMO_WABAS, RECATEGORISED_TEMPLATE, type DemoWaba, type DemoPhone } from './demo-wabas';
export { buildDemoPriceBook, type DemoRateFile } from './demo-rates';
export type { DemoEnvelope, WebhookEnvelope } from './envelopes';
