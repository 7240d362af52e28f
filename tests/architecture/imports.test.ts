import fs from 'node:fs';
import path from 'node:path';

// Forbidden import edges (see src/*/README.md). Checked on the source text so that a type-only import
// counts too: a dependency is a dependency.
const root = path.resolve(__dirname, '../..');

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(full));
    else if (/\.(ts|tsx)$/.test(entry.name)) out.push(full);
  }
  return out;
}

function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const specs: string[] = [];
  const re =
    /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)|^import\s+['"]([^'"]+)['"]/gm;
  for (const m of text.matchAll(re)) specs.push((m[1] ?? m[2] ?? m[3] ?? m[4]) as string);
  return specs;
}

function resolvesInto(file: string, spec: string, area: string): boolean {
  if (spec === `@${area}`) return true;
  if (!spec.startsWith('.')) return false;
  const target = path.resolve(path.dirname(file), spec);
  return target.startsWith(path.join(root, 'src', area) + path.sep) || target === path.join(root, 'src', area);
}

const CORE_ALLOWED_PACKAGES = new Set(['zod', 'csv-parse/sync']);

describe('import rules', () => {
  const coreFiles = sourceFiles(path.join(root, 'src/core'));

  test('core exists and is checked', () => {
    expect(coreFiles.length).toBeGreaterThan(3);
  });

  test('src/core imports only core, zod and csv-parse/sync (no node:*, no Grafana, no I/O)', () => {
    const bad: string[] = [];
    for (const file of coreFiles) {
      for (const spec of importsOf(file)) {
        if (spec.startsWith('.')) {
          const target = path.resolve(path.dirname(file), spec);
          if (!target.startsWith(path.join(root, 'src/core'))) bad.push(`${path.relative(root, file)} -> ${spec}`);
        } else if (!CORE_ALLOWED_PACKAGES.has(spec)) {
          bad.push(`${path.relative(root, file)} -> ${spec}`);
        }
      }
      const text = fs.readFileSync(file, 'utf8');
      for (const word of ['Date.now(', 'new Date()', 'fetch(', 'process.', 'require(']) {
        if (!file.endsWith('.test.ts') && text.includes(word)) bad.push(`${path.relative(root, file)} uses ${word}`);
      }
    }
    expect(bad).toEqual([]);
  });

  test('contract imports only core and zod', () => {
    const bad: string[] = [];
    for (const file of sourceFiles(path.join(root, 'src/contract'))) {
      for (const spec of importsOf(file)) {
        if (spec === 'zod' || spec === '@core' || spec.startsWith('.')) continue;
        bad.push(`${path.relative(root, file)} -> ${spec}`);
      }
    }
    expect(bad).toEqual([]);
  });

  test('plugin and connector never import each other, and reach core only through its index', () => {
    const bad: string[] = [];
    for (const [area, other] of [
      ['plugin', 'connector'],
      ['connector', 'plugin'],
    ] as const) {
      const dir = path.join(root, 'src', area);
      if (!fs.existsSync(dir)) continue;
      for (const file of sourceFiles(dir)) {
        for (const spec of importsOf(file)) {
          if (resolvesInto(file, spec, other)) bad.push(`${path.relative(root, file)} -> ${spec}`);
          if (spec.startsWith('.') && resolvesInto(file, spec, 'core')) bad.push(`${path.relative(root, file)} -> ${spec} (use @core)`);
          if (area === 'plugin' && spec.startsWith('node:')) bad.push(`${path.relative(root, file)} -> ${spec}`);
        }
      }
    }
    expect(bad).toEqual([]);
  });
});
