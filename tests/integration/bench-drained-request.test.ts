import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { drainedRequest } from '../../bench/load/drained-request';

// The bench's load loops once waited for ever on an answer the connector cut short (its query
// worker ran out of heap mid-answer): `end` never came. A cut answer must reject, naming the request.
describe('bench drainedRequest', () => {
  let server: http.Server;
  let base: URL;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/whole') {
        res.writeHead(201, { 'content-type': 'text/plain' });
        res.end('x'.repeat(100_000));
        return;
      }
      // Headers and a first chunk of a chunked body, then the socket is destroyed.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"rows":[', () => res.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });
  afterAll(async () => {
    agent.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('settles with the status once a whole body has arrived, and rejects a body cut short (twice in a row on one agent)', async () => {
    await expect(drainedRequest(agent, base, { method: 'GET', path: '/whole', timeoutMs: 5_000 })).resolves.toBe(201);
    for (let i = 0; i < 2; i++)
      await expect(drainedRequest(agent, base, { method: 'GET', path: '/api/v1/usage?cut', timeoutMs: 5_000 })).rejects.toThrow(
        'GET /api/v1/usage?cut: the answer (200) ended before its body was complete',
      );
    await expect(drainedRequest(agent, base, { method: 'POST', path: '/whole', body: '{}', timeoutMs: 5_000 })).resolves.toBe(201);
  });
});
