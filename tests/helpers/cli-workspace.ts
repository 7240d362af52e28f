/**
 * What a suite that runs `waspend serve` and the other CLI commands as child processes needs on one
 * engine (both-stores.ts): a temp folder holding the config file, and an empty database; `remove()`
 * deletes both (stop the connector first).
 */
import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import type { DatabaseEngine } from './both-stores';
import { REPO_ROOT, runCli } from './connector-harness';
import { makeTempDir } from './reliability-config';

export interface CliWorkspace {
  dir: string;
  /** The `--db` setting. */
  db: string;
  /** The config file (`waspend.yaml` in `dir`). */
  config: string;
  remove(): Promise<void>;
}

/** `config` is written as given when it is YAML text, or as YAML when it is an object. */
export async function createCliWorkspace(engine: DatabaseEngine, prefix: string, config: string | object): Promise<CliWorkspace> {
  const dir = makeTempDir(prefix);
  const database = await engine.createDatabase(prefix);
  const file = path.join(dir, 'waspend.yaml');
  fs.writeFileSync(file, typeof config === 'string' ? config : stringify(config));
  return {
    dir,
    db: database.url,
    config: file,
    async remove() {
      await database.remove();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A file of tests/fixtures/ratecards. */
export const rateCardFixture = (name: string): string => path.join(REPO_ROOT, 'tests', 'fixtures', 'ratecards', name);

/** `waspend rates import FILE --effective DAY --db DB`, one card after the other. */
export async function importRateCards(db: string, cards: readonly (readonly [file: string, effective: string])[]): Promise<void> {
  for (const [file, effective] of cards) await runCli(['rates', 'import', file, '--effective', effective, '--db', db]);
}
