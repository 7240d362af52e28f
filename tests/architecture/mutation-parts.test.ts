import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { FOLDERS, mutateOf, partsOf } from '../../scripts/mutation-parts.mjs';

// The parts a mutation scope runs in must cover its folder exactly once: a file in no part would
// never be mutated, a file in two would be scored twice. Matched with Stryker's own glob library and
// its rule for `mutate` (patterns in order, a `!` pattern removes what the earlier ones added).
const root = path.resolve(__dirname, '../..');
const { minimatch } = createRequire(require.resolve('@stryker-mutator/core/package.json'))('minimatch') as typeof import('minimatch');

function filesUnder(dir: string): string[] {
  return fs.readdirSync(path.join(root, dir), { recursive: true, encoding: 'utf8' }).map((f) => `${dir}/${f.split(path.sep).join('/')}`);
}
const sources = filesUnder('src').filter((f) => f.endsWith('.ts'));

function mutated(patterns: string[]): string[] {
  let chosen = new Set<string>();
  for (const p of patterns) {
    if (p.startsWith('!')) chosen = new Set([...chosen].filter((f) => !minimatch(f, p.slice(1))));
    else for (const f of sources) if (minimatch(f, p)) chosen.add(f);
  }
  return [...chosen].sort();
}

describe.each(Object.keys(FOLDERS))('mutation scope %s', (scope) => {
  const whole = mutated(mutateOf(scope));

  it('mutates every source file of its folder but tests and barrels', () => {
    const folder = FOLDERS[scope as keyof typeof FOLDERS].split('/**')[0] as string;
    const expected = sources.filter(
      (f) => f.startsWith(`${folder}/`) && !f.endsWith('.test.ts') && !f.endsWith('/index.ts') && !f.startsWith('src/core/test-fixtures/'),
    );
    expect(whole).toEqual(expected.sort());
    expect(whole.length).toBeGreaterThan(5);
  });

  it('its parts cover the folder exactly once, and none is empty', () => {
    const seen = new Map<string, string>();
    for (const part of partsOf(scope)) {
      const files = mutated(mutateOf(scope, part));
      expect([part, files.length > 0]).toEqual([part, true]);
      for (const f of files) {
        expect([f, seen.get(f)]).toEqual([f, undefined]);
        seen.set(f, part);
      }
    }
    expect([...seen.keys()].sort()).toEqual(whole);
  });
});

it('an unknown part is refused with the parts it may be', () => {
  expect(() => mutateOf('query', 'nope')).toThrow(
    'mutation part "nope" is not one of ranges, stored, usage, priced, other, calls, rest (scope query)',
  );
});
