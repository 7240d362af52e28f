export type * from './store';
export { SqliteStore } from './sqlite/store';
export { migrateSqlite, listSqliteMigrations } from './sqlite/migrate';
export { PgStore } from './postgres/store';
export type { PgStoreOptions } from './postgres/store';
export { PgChangeListener, FALLBACK_EVERY_MS } from './postgres/change-feed';
export type { ChangeKind, ChangeListenerHealth } from './postgres/change-feed';
export { migratePostgres, listPostgresMigrations } from './postgres/migrate';
export { foldStatus, usageKeyOf } from './message-state';
export type { MessageState, UsageKey } from './message-state';
export { GroupCommitWriter } from './group-commit-writer';
export { createEnvelopeIngest } from './envelope-ingest';
export { sketchBytesOfText } from './sketch-text';
export type { RateFileStore, StoredRateFile } from './rate-files';
export type { InvoiceRange, InvoiceStore, StoredInvoice } from './invoice-store';
export type { ReportClaimRequest, ReportDelivery, ReportDeliveryStore, ReportPeriod, ReportRun, ReportRunPatch } from './report-deliveries';
export { usageRowOf } from './usage-row';
export type { ConnectorStore, DeliveredMessage, FinishedCall } from './connector-store';
export { PRICED_DIMENSIONS, PRICED_KINDS } from './priced-rollups';
export type {
  DirtyMonth,
  PricedCallQuery,
  PricedCallDimension,
  PricedCallRow,
  PricedDay,
  PricedDimension,
  PricedDimQuery,
  PricedDimTotal,
  PricedDimRow,
  PricedKind,
  PricedRollupStore,
  PricedUsageRow,
  PricingLease,
} from './priced-rollups';
