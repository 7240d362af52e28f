import { Readable } from 'node:stream';

/**
 * The response body of a streamed query (`QueryRunner.stream`). It waits for the first chunk before
 * anything is sent, so an error found until then still gets its status and error body (it is thrown
 * to the error handler as before). The rest is read from the query only as the socket takes it. An
 * error after the first byte destroys the stream, on which fastify destroys the socket: the client
 * sees a chunked body that never ended, never one that looks complete. A client that goes away
 * destroys it too, which stops the query at once, even while it waits for a chunk.
 */
export async function streamedBody(body: AsyncIterator<string, void>): Promise<Readable> {
  const first = await body.next();
  let held: string | null = first.done ? null : first.value;
  let ended = first.done === true;
  const stream: Readable = new Readable({
    read() {
      if (held !== null) {
        const chunk = held;
        held = null;
        stream.push(chunk);
        return;
      }
      if (ended) {
        stream.push(null);
        return;
      }
      const pull = (): void => {
        body.next().then(
          (n) => {
            if (stream.destroyed) return;
            if (n.done) {
              ended = true;
              stream.push(null);
            } else if (n.value === '') {
              // An empty push would not ask for more: read on.
              pull();
            } else stream.push(n.value);
          },
          (err: unknown) => {
            ended = true;
            stream.destroy(err as Error);
          },
        );
      };
      pull();
    },
    destroy(err, callback) {
      if (!ended) {
        ended = true;
        void Promise.resolve(body.return?.()).catch(() => undefined);
      }
      callback(err);
    },
  });
  return stream;
}
