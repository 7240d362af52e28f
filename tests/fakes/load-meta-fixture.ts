import fs from 'node:fs';
import path from 'node:path';

const dir = path.resolve(__dirname, '../fixtures/meta');

/**
 * Reads a documented Meta example from tests/fixtures/meta. `.jsonc` files are Meta's pseudo-JSON as
 * published: `//` and `#` comments and trailing commas are removed (strings are left alone).
 */
export function loadMetaFixture(name: string): unknown {
  const text = fs.readFileSync(path.join(dir, name), 'utf8');
  if (!name.endsWith('.jsonc')) return JSON.parse(text) as unknown;
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (inString) {
      out += ch;
      if (ch === '\\') out += text[++i] ?? '';
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    if ((ch === '/' && text[i + 1] === '/') || ch === '#') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
      continue;
    }
    out += ch;
  }
  return JSON.parse(out.replace(/,(\s*[}\]])/g, '$1')) as unknown;
}
