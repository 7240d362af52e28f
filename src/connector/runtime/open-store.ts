import path from 'node:path';
import fs from 'node:fs';
import { PgStore, SqliteStore, type ConnectorStore, type PgStoreOptions, type StoreOptions } from '../store';

/** Where `--db` points when nothing is given: an embedded file in the working directory. */
export const DEFAULT_DB = 'sqlite:./data/waspend.sqlite';

/** What the store URL names, with the password of a PostgreSQL URL hidden (for logs and errors). */
export function describeDb(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}

/**
 * The CLI's wait for a running connector's write lock on a shared SQLite file (StoreOptions.busyTimeoutMs):
 * a connector commit can hold it for seconds under load, and the CLI has no caller waiting on it but a person.
 */
export const CLI_BUSY_TIMEOUT_MS = 60_000;

/** An in-memory SQLite store lives in one connection: no second thread can read it. */
export const isMemoryDb = (url: string): boolean => url === 'sqlite::memory:';

/** Opens the adapter the URL names: `sqlite:PATH` (embedded, the default) or `postgres://...` (shared by replicas). */
export async function openStore(url: string, options: StoreOptions & Pick<PgStoreOptions, 'onChangeNoticeError'>): Promise<ConnectorStore> {
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length);
    if (!file) throw new Error('--db sqlite: needs a file path, e.g. sqlite:./data/waspend.sqlite');
    if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    return new SqliteStore(file, options);
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    // The query worker's reads need a few connections, not the writer's ten.
    return PgStore.open(url, options.readOnly ? { ...options, poolSize: 4 } : options);
  }
  throw new Error(`--db must be sqlite:PATH or a postgres:// URL, got ${describeDb(url)}`);
}
