/**
 * When one of the two worker threads (queries, re-pricing) does not start, the connector does not
 * start: the start fails with that worker's reason, and the worker that did start is closed (its
 * thread ended, no request taken), whichever of the two failed.
 */
import { demoConfig } from '../../src/connector/runtime/demo-config';
import { QueryWorker } from '../../src/connector/runtime/query-worker-client';
import type { WorkerRole } from '../../src/connector/runtime/query-worker';
import { BOTH_STORES, type EmptyDatabase } from '../helpers/both-stores';
import { startInProcess } from '../helpers/in-process-connector';

jest.setTimeout(120_000);

const TOKEN = 'worker-start-token-0123456789abcdef';

for (const engine of BOTH_STORES)
  engine.describe(`a worker thread that does not start (${engine.title})`, () => {
    let database: EmptyDatabase;
    beforeEach(async () => {
      database = await engine.createDatabase('worker-start');
    });
    afterEach(async () => {
      await database.remove();
    });

    for (const failing of ['repricing', 'queries'] as WorkerRole[])
      it(`stops the start when the ${failing} worker fails, and closes the one that started`, async () => {
        const started: { role: WorkerRole; worker: QueryWorker; closed: boolean }[] = [];
        const refusal = new Error(`the ${failing} worker was refused by the test`);
        const start = startInProcess({
          config: demoConfig(TOKEN),
          db: database.url,
          queryWorker: true,
          repricingWorker: true,
          startWorker: async (options) => {
            const role = options.role ?? 'queries';
            if (role === failing) throw refusal;
            const worker = await QueryWorker.start(options);
            const entry = { role, worker, closed: false };
            const close = worker.close.bind(worker);
            worker.close = async () => {
              await close();
              entry.closed = true;
            };
            started.push(entry);
            return worker;
          },
        });
        await expect(start).rejects.toBe(refusal);
        const other: WorkerRole = failing === 'queries' ? 'repricing' : 'queries';
        expect(started.map((s) => [s.role, s.closed])).toEqual([[other, true]]);
        // Closed means closed: it takes no request.
        await expect((started[0] as (typeof started)[number]).worker.run('usage', {} as never)).rejects.toThrow(
          'the connector is shutting down',
        );
      });
  });
