import type { Pool, PoolClient } from 'pg';

/** serialization_failure and deadlock_detected: the transaction did nothing and can simply run again. */
const RETRYABLE = new Set(['40001', '40P01']);

export function isRetryable(err: unknown): boolean {
  return typeof err === 'object' && err !== null && RETRYABLE.has(String((err as { code?: unknown }).code));
}

/**
 * Runs `fn` in one READ COMMITTED transaction and retries it whole on a serialization failure or
 * deadlock. `fn` must keep its state local to one call, since a retry starts over from scratch.
 */
export async function inTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>, attempts = 8): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackErr) {
        // A connection whose transaction state is unknown must not return to the pool.
        broken = rollbackErr as Error;
      }
      if (!isRetryable(err) || attempt >= attempts) throw err;
    } finally {
      client.release(broken);
    }
    // Back off a little, with jitter, so the transactions that collided do not collide again at once.
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
  }
}
