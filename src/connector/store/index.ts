export type * from './store';
export { SqliteStore } from './sqlite-store';
export { migrateSqlite, listMigrations } from './sqlite-migrate';
export { foldStatus, usageKeyOf } from './message-state';
export type { MessageState, UsageKey } from './message-state';
export { GroupCommitWriter } from './group-commit-writer';
export { createEnvelopeIngest } from './envelope-ingest';
export type { RateFileStore, StoredRateFile } from './rate-files';
export type { ConnectorStore, FinishedCall } from './connector-store';
