import type { Pool, PoolClient } from 'pg';
import { inTransaction, isRetryable } from './tx';

/** A pool whose one client records the statements it is sent; enough to see the transaction framing. */
function fakePool(failRollback = false) {
  const log: string[] = [];
  const released: (Error | undefined)[] = [];
  const client = {
    query: async (sql: string) => {
      log.push(sql);
      if (sql === 'ROLLBACK' && failRollback) throw new Error('connection lost');
      return { rows: [] };
    },
    release: (err?: Error) => {
      released.push(err);
    },
  };
  const pool = { connect: async () => client as unknown as PoolClient } as unknown as Pool;
  return { pool, log, released };
}

const pgError = (code: string) => Object.assign(new Error(`pg ${code}`), { code });

describe('inTransaction', () => {
  it('runs the work between BEGIN and COMMIT and returns its result', async () => {
    const { pool, log, released } = fakePool();
    expect(
      await inTransaction(pool, async (c) => {
        await c.query('SELECT 1');
        return 7;
      }),
    ).toBe(7);
    expect(log).toEqual(['BEGIN', 'SELECT 1', 'COMMIT']);
    expect(released).toEqual([undefined]);
  });

  it('rolls back and runs the work again after a deadlock or serialization failure', async () => {
    const { pool, log } = fakePool();
    const codes = ['40P01', '40001'];
    let calls = 0;
    const result = await inTransaction(pool, async () => {
      calls++;
      const code = codes.shift();
      if (code) throw pgError(code);
      return 'done';
    });
    expect(result).toBe('done');
    expect(calls).toBe(3);
    expect(log).toEqual(['BEGIN', 'ROLLBACK', 'BEGIN', 'ROLLBACK', 'BEGIN', 'COMMIT']);
  });

  it('rolls back once and rethrows any other error', async () => {
    const { pool, log } = fakePool();
    let calls = 0;
    await expect(
      inTransaction(pool, async () => {
        calls++;
        throw pgError('23505');
      }),
    ).rejects.toThrow('pg 23505');
    expect(calls).toBe(1);
    expect(log).toEqual(['BEGIN', 'ROLLBACK']);
  });

  it('gives up after the allowed attempts with the last error', async () => {
    const { pool } = fakePool();
    let calls = 0;
    await expect(
      inTransaction(
        pool,
        async () => {
          calls++;
          throw pgError('40P01');
        },
        3,
      ),
    ).rejects.toThrow('pg 40P01');
    expect(calls).toBe(3);
  });

  it('does not return a connection to the pool when its rollback failed', async () => {
    const { pool, released } = fakePool(true);
    await expect(
      inTransaction(pool, async () => {
        throw pgError('22P02');
      }),
    ).rejects.toThrow('pg 22P02');
    expect(released).toEqual([expect.any(Error)]);
  });

  it('treats only 40001 and 40P01 as retryable', () => {
    expect([pgError('40001'), pgError('40P01'), pgError('23505'), new Error('x'), null].map(isRetryable)).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
  });
});
