import fs from 'node:fs';
import path from 'node:path';

// No import circles inside the plugin, type-only imports included (a dependency is a dependency):
// a circle such as variables.ts -> VariableQueryEditor.tsx -> datasource.ts -> variables.ts makes a
// module's behaviour depend on which file is loaded first, and hides which layer owns what.
const root = path.resolve(__dirname, '../..');
const pluginDir = path.join(root, 'src/plugin');

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(full));
    else if (/\.(ts|tsx)$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name)) out.push(full);
  }
  return out;
}

/** Relative imports of a file, resolved to files of the plugin. */
function localImports(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const re = /(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]*)['"]|import\(\s*['"](\.[^'"]*)['"]\s*\)/g;
  const out: string[] = [];
  for (const m of text.matchAll(re)) {
    const base = path.resolve(path.dirname(file), (m[1] ?? m[2]) as string);
    const hit = [`${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts')].find((f) => fs.existsSync(f));
    if (hit === undefined) throw new Error(`${path.relative(root, file)} imports ${m[1] ?? m[2]}, which is not a plugin file`);
    out.push(hit);
  }
  return out;
}

function findCycle(graph: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 'done') return undefined;
    if (state.get(node) === 'open') return [...stack.slice(stack.indexOf(node)), node];
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

describe('plugin import graph', () => {
  const files = sourceFiles(pluginDir);
  const graph = new Map(files.map((f) => [f, localImports(f)]));

  test('is read: the data source, the kinds table and the editors are in it', () => {
    const names = files.map((f) => path.relative(pluginDir, f));
    expect(names).toEqual(
      expect.arrayContaining(['datasource.ts', 'variables.ts', 'kinds/index.ts', 'components/VariableQueryEditor.tsx']),
    );
    expect(graph.get(path.join(pluginDir, 'module.ts'))).toContain(path.join(pluginDir, 'datasource.ts'));
  });

  test('the detector finds a circle when there is one', () => {
    expect(
      findCycle(
        new Map([
          ['a', ['b']],
          ['b', ['c']],
          ['c', ['a']],
        ]),
      ),
    ).toEqual(['a', 'b', 'c', 'a']);
    expect(
      findCycle(
        new Map([
          ['a', ['b']],
          ['b', []],
          ['c', ['a']],
        ]),
      ),
    ).toBeUndefined();
  });

  test('has no circle', () => {
    const cycle = findCycle(graph);
    expect(cycle?.map((f) => path.relative(root, f)).join(' -> ')).toBeUndefined();
  });
});
