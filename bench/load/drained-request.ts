/**
 * One HTTP request whose answer is drained unread, settled by its status once the whole body has
 * arrived. The load loops of the bench use it: they measure time and status, the panel section
 * checks answers. A body the server cuts short (a connector's streamed answer whose reader failed
 * after the first chunk, e.g. a query worker that ran out of heap) rejects, naming the request:
 * waiting for an `end` that never comes would hang the section for good.
 */
import http from 'node:http';

export interface DrainedRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string | number>;
  body?: string;
  /** Socket idle time before the request is abandoned. */
  timeoutMs: number;
}

export function drainedRequest(agent: http.Agent, base: URL, r: DrainedRequest): Promise<number> {
  const name = `${r.method} ${r.path.slice(0, 60)}`;
  return new Promise((resolve, reject) => {
    const req = http.request({ agent, host: base.hostname, port: base.port, path: r.path, method: r.method, headers: r.headers }, (res) => {
      res.resume();
      res.on('error', () => undefined); // the close below reports it
      res.on('close', () => {
        if (res.complete) resolve(res.statusCode ?? 0);
        else reject(new Error(`${name}: the answer (${res.statusCode}) ended before its body was complete`));
      });
    });
    req.setTimeout(r.timeoutMs, () => req.destroy(new Error(`${name} timed out`)));
    req.on('error', reject);
    req.end(r.body);
  });
}
