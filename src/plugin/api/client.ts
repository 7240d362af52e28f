import { isFetchError, type BackendSrv, type FetchResponse } from '@grafana/runtime';
import { describeFetchError } from './connector-status';
import type { FetchJson } from './connector-request';

/**
 * The connector through Grafana's data-source proxy: `<instance url>/connector/<path>`. The proxy
 * adds the connector URL and the API token on the server, so neither reaches the browser.
 */
export class ConnectorClient {
  /**
   * @param backendSrv looked up per request, not once: Grafana sets its services after plugins load.
   */
  constructor(
    readonly proxyBase: string,
    private readonly backendSrv: () => Pick<BackendSrv, 'fetch'>,
  ) {}

  /**
   * GETs resolving to the JSON body. With a `requestId`, each request gets its own id
   * (`<requestId>-0`, `-1`, ...): Grafana cancels an earlier request with the same id, and the
   * requests of one query must not cancel each other. Aborting the signal unsubscribes, which
   * cancels the HTTP request.
   */
  fetcher(requestId?: string): FetchJson {
    let n = 0;
    return (path, search, signal) => {
      const url = `${this.proxyBase}${path}${search ? `?${search}` : ''}`;
      const id = requestId === undefined ? undefined : `${requestId}-${n++}`;
      return new Promise<unknown>((resolve, reject) => {
        if (signal.aborted) return reject(new Error('request cancelled'));
        const onAbort = () => {
          sub.unsubscribe();
          reject(new Error('request cancelled'));
        };
        const settle = () => signal.removeEventListener('abort', onAbort);
        signal.addEventListener('abort', onAbort, { once: true });
        const sub = this.backendSrv()
          .fetch<unknown>({ url, method: 'GET', requestId: id, showErrorAlert: false, showSuccessAlert: false })
          .subscribe({
            next: (res: FetchResponse<unknown>) => {
              settle();
              resolve(res.data);
            },
            error: (err: unknown) => {
              settle();
              reject(toConnectorError(err));
            },
          });
      });
    };
  }

  /** One GET outside a panel query (Save & test, variable lists, ad-hoc values): no id, never aborted. */
  get(path: string, search = ''): Promise<unknown> {
    return this.fetcher()(path, search, new AbortController().signal);
  }
}

/** A failed proxied request as an Error whose message names the cause (see connector-status.ts). */
export function toConnectorError(err: unknown): Error {
  if (isFetchError(err)) return new Error(describeFetchError(err.status ?? 0, err.data));
  return err instanceof Error ? err : new Error(String(err));
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
