import type { HealthResponse } from '@contract';
import type { Registry } from 'prom-client';
import type { IngestObserver } from '../metrics';
import type { QueryContext } from '../query';
import type { QueryRunner } from './api-queries';
import type { ErrorLog } from './api-routes';
import type { GroupCommitWriter, Store } from '../store';

export interface AppOptions {
  store: Store;
  /** Defaults to a GroupCommitWriter on `store`. */
  writer?: GroupCommitWriter;
  /** Meta app secret: when set, POSTs must carry a valid X-Hub-Signature-256. */
  appSecret?: string;
  /** 360Dialog shared secret sent in a header of your choosing (header names are case-insensitive). */
  sharedSecret?: { header: string; value: string };
  /** Token for Meta's GET verification handshake; without it the handshake is refused. */
  verifyToken?: string;
  /** Largest accepted webhook body; larger gets 413. */
  bodyLimitBytes?: number;
  version?: string;
  /** Pull status rows for /health (from the pull scheduler). */
  pullStatus?: () => HealthResponse['pulls'];
  /** Scheduled report rows for /health (from the report scheduler, read from the store). */
  reportStatus?: () => Promise<NonNullable<HealthResponse['reports']>>;
  /** The PostgreSQL change listener's state (docs/replicas.md); absent on SQLite. */
  changeListenerStatus?: () => NonNullable<HealthResponse['changeListener']>;
  /** The re-pricing worker's state (runtime/query-worker-client.ts); absent when the re-pricer prices elsewhere. */
  repricingWorkerStatus?: () => NonNullable<HealthResponse['repricingWorker']>;
  now?: () => number;
  /** A pino logger config or instance options; false = silent. */
  logger?: boolean | Record<string, unknown>;
  /**
   * Errors no status can report any more (a streamed body failing after its first byte) are logged
   * here; default: fastify's logger (`logger`), silent when that is off.
   */
  errorLog?: ErrorLog;
  /** Query API: enabled when a context is given; every request needs `apiToken`. */
  query?: QueryContext;
  /**
   * Runs the store-reading /api/v1 queries (the query worker, runtime/query-worker-client.ts);
   * default: in this thread on `query`. Its health, when it has one, is shown on /health.
   */
  queryRunner?: QueryRunner;
  apiToken?: string;
  /** Prometheus registry served on GET /metrics (optionally behind `metricsToken`). */
  metrics?: { registry: Registry; ingest: IngestObserver; token?: string };
  /** Whole-request deadline: a client that trickles its request (slowloris) is cut off after this. */
  requestTimeoutMs?: number;
}

export const DEFAULT_BODY_LIMIT = 1024 * 1024;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
