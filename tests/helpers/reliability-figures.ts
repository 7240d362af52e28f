/**
 * Prints a reliability suite's figures as one JSON line and keeps them in artifacts/reliability/<name>.json,
 * so CI logs and docs/reliability.md quote the same numbers.
 */
import fs from 'node:fs';
import path from 'node:path';

const DIR = path.resolve(__dirname, '..', '..', 'artifacts', 'reliability');

export function recordFigures(name: string, figures: Record<string, unknown>): void {
  const line = JSON.stringify({ suite: name, at: new Date().toISOString(), ...figures });
  console.log(line);
  fs.mkdirSync(DIR, { recursive: true });
  fs.writeFileSync(path.join(DIR, `${name}.json`), `${line}\n`);
}
