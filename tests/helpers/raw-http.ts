/**
 * Plain node:http requests for the reliability suites: raw bodies and raw query strings go out
 * exactly as given (fetch would normalise them), with a bounded per-request timeout.
 */
import http from 'node:http';

export interface RawResponse {
  status: number;
  text: string;
  headers: http.IncomingHttpHeaders;
  ms: number;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

type RawOptions = { method?: string; path: string; headers?: Record<string, string | number>; body?: string | Buffer; timeoutMs?: number };

/**
 * One request. A reset on a reused keep-alive socket (the server closed it while idle, e.g. after a
 * 413) is retried once on a fresh socket, as Node's docs advise; writing a large body into such a
 * socket shows up as EPIPE instead (seen in CI), and is retried the same way. Any other failure is reported.
 */
export function rawRequest(url: string, opts: RawOptions, retried = false): Promise<RawResponse> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(
      url + opts.path,
      { method: opts.method ?? 'GET', agent, headers: opts.headers, timeout: opts.timeoutMs ?? 30_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            text: Buffer.concat(chunks).toString(),
            headers: res.headers,
            ms: performance.now() - t0,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`request ${opts.method ?? 'GET'} ${opts.path.slice(0, 80)} timed out`)));
    let answered = false;
    req.on('response', () => (answered = true));
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (!retried && req.reusedSocket && (err.code === 'ECONNRESET' || err.code === 'EPIPE' || err.message === 'socket hang up')) {
        rawRequest(url, opts, true).then(resolve, reject);
      } else if (err.code === 'EPIPE' && !answered) {
        // The server may answer (413) and close before the body is fully written: the answer still
        // arrives on the socket, so give it a moment before calling this a failure.
        setTimeout(() => (answered ? undefined : reject(err)), 2000);
      } else if (!answered) reject(err);
    });
    req.end(opts.body);
  });
}

/** Parses an error body; returns null when it is not the JSON `{error, message, field?}` shape. */
export function parseErrorBody(text: string): { error?: unknown; message: string; field?: unknown } | null {
  try {
    const body = JSON.parse(text) as { message?: unknown };
    return body && typeof body === 'object' && typeof body.message === 'string' && body.message.length > 0
      ? (body as { message: string })
      : null;
  } catch {
    return null;
  }
}

export function destroyRawAgent(): void {
  agent.destroy();
}
