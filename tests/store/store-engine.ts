import type { ConnectorStore, StoreOptions } from '../../src/connector/store';

/**
 * One store adapter as the behaviour suites see it (tests/store/sqlite.test.ts and postgres.test.ts
 * build one each), so every suite runs unchanged on SQLite and on PostgreSQL.
 */
export interface StoreEngine {
  /** The adapter's class name, put in every test title. */
  name: string;
  /** A store on a new, empty database. */
  open(options: StoreOptions): Promise<ConnectorStore>;
  /** Another handle on the database `store` was opened on, as a second connector replica has. */
  openSame(store: ConnectorStore, options: StoreOptions): Promise<ConnectorStore>;
}
