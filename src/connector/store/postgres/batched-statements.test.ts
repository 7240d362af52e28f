import type { PoolClient } from 'pg';
import { BatchedWrites, columns, unnestOf } from './batched-statements';

/** A client that records what it is sent. */
function recorder() {
  const sent: { sql: string; args: unknown[] }[] = [];
  const client = {
    query: async (sql: string, args: unknown[]) => {
      sent.push({ sql, args });
      return { rows: [] };
    },
  } as unknown as PoolClient;
  return { client, sent };
}

describe('BatchedWrites', () => {
  it('sends every part as one statement, each part numbering its placeholders after the ones before it', async () => {
    const { client, sent } = recorder();
    const w = new BatchedWrites();
    w.add({ sql: (from) => `UPDATE a SET x = $${from} WHERE k = $${from + 1}`, args: ['x1', 'k1'] });
    w.add({
      sql: (from) => `INSERT INTO b SELECT * FROM ${unnestOf(['text', 'int'], from)}`,
      args: [
        ['p', 'q'],
        [1, 2],
      ],
    });
    w.add({ sql: (from) => `DELETE FROM c WHERE k = $${from}`, args: ['gone'] });
    await w.send(client);
    expect(sent).toEqual([
      {
        sql: [
          'WITH w1 AS (UPDATE a SET x = $1 WHERE k = $2),',
          'w2 AS (INSERT INTO b SELECT * FROM unnest($3::text[], $4::int[])),',
          'w3 AS (DELETE FROM c WHERE k = $5)',
          'SELECT 1',
        ].join('\n'),
        args: ['x1', 'k1', ['p', 'q'], [1, 2], 'gone'],
      },
    ]);
  });

  it('sends the statements that must see the writes afterwards, one by one in the order given, each numbered from 1', async () => {
    const { client, sent } = recorder();
    const w = new BatchedWrites();
    w.after({ sql: (from) => `DELETE FROM a WHERE n <= $${from}`, args: [0] });
    w.add({ sql: (from) => `UPDATE a SET n = n - $${from}`, args: [1] });
    w.after({ sql: (from) => `UPDATE s SET e = e + $${from}`, args: [5] });
    await w.send(client);
    expect(sent.map((s) => [s.sql, s.args])).toEqual([
      ['WITH w1 AS (UPDATE a SET n = n - $1)\nSELECT 1', [1]],
      ['DELETE FROM a WHERE n <= $1', [0]],
      ['UPDATE s SET e = e + $1', [5]],
    ]);
  });

  it('sends nothing when nothing was added', async () => {
    const { client, sent } = recorder();
    const w = new BatchedWrites();
    await w.send(client);
    expect(sent).toEqual([]);
  });
});

describe('columns', () => {
  it('turns rows into one array per column, a missing value as null', () => {
    expect(
      columns(
        [
          ['a', 1, true],
          ['b', undefined, false],
        ],
        3,
      ),
    ).toEqual([
      ['a', 'b'],
      [1, null],
      [true, false],
    ]);
  });
});
