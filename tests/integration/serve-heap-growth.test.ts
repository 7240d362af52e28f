/**
 * `waspend serve` reads its heap growth setting (runtime/heap-growth.ts) before it opens anything:
 * a bad WASPEND_HEAP_GROWTH_PERCENT or `server.heapGrowthPercent` stops the start with a message
 * naming it, and a good one starts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { runCli, startConnector } from '../helpers/connector-harness';
import { makeTempDir } from '../helpers/reliability-config';

jest.setTimeout(120_000);

const TOKEN = 'heap-growth-token-0123456789';
const wabas = [{ id: 'W1', name: 'W1', timezone: 'UTC', currency: 'USD', portfolio: 'PF1' }];

describe('serve: heap growth setting', () => {
  let dir: string;
  const configWith = (name: string, server: Record<string, unknown>) => {
    const file = path.join(dir, `${name}.yaml`);
    fs.writeFileSync(file, stringify({ apiToken: TOKEN, server, wabas }));
    return file;
  };

  beforeAll(() => {
    dir = makeTempDir('heap-growth');
  });
  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a bad environment value or config key stops the start, naming it', async () => {
    const db = `sqlite:${path.join(dir, 'w.sqlite')}`;
    const good = configWith('good', { heapGrowthPercent: 40 });
    await expect(
      runCli(['serve', '--config', good, '--db', db, '--port', '0'], { WASPEND_HEAP_GROWTH_PERCENT: 'fast' }, 30_000),
    ).rejects.toThrow(/WASPEND_HEAP_GROWTH_PERCENT must be a whole number from 0 to 1000/);
    const bad = configWith('bad', { heapGrowthPercent: -1 });
    await expect(runCli(['serve', '--config', bad, '--db', db, '--port', '0'], {}, 30_000)).rejects.toThrow(/server\.heapGrowthPercent/);
    expect(fs.existsSync(path.join(dir, 'w.sqlite'))).toBe(false);
  });

  test('a good one starts', async () => {
    const c = await startConnector({
      db: `sqlite:${path.join(dir, 'ok.sqlite')}`,
      config: configWith('ok', { heapGrowthPercent: 40 }),
      env: { WASPEND_HEAP_GROWTH_PERCENT: '30' },
    });
    try {
      expect((await fetch(`${c.url}/health`)).status).toBe(200);
    } finally {
      await c.stop();
    }
  });
});
