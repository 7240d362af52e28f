import type { ConnectorStore, StoreOptions } from '../store';

export async function openPgConnectorStore(_url: string, _options: StoreOptions): Promise<ConnectorStore> {
  throw new Error('the PostgreSQL store is not available in this build');
}
