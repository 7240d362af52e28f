import fs from 'node:fs';
import { parseDocument } from 'yaml';
import { configProblem, configSchema, type ConnectorConfig } from './config-schema';

/** A configuration problem; `field` is the dotted path of the offending key (`wabas[1].timezone`). */
export class ConfigError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(field ? `config ${field}: ${message}` : `config: ${message}`);
    this.name = 'ConfigError';
  }
}

const pathOf = (path: readonly PropertyKey[]) =>
  path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), '');

/**
 * Replaces `${NAME}` (and `${NAME:-default}`) in string values. Done on parsed values, not on the text,
 * so a secret containing YAML syntax cannot change the document's structure.
 */
export function expandEnv(value: unknown, env: NodeJS.ProcessEnv, path: PropertyKey[] = []): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_m, name: string, fallback: string | undefined) => {
      const v = env[name];
      if (v !== undefined && v !== '') return v;
      if (fallback !== undefined) return fallback;
      throw new ConfigError(pathOf(path), `environment variable ${name} is not set`);
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => expandEnv(v, env, [...path, i]));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expandEnv(v, env, [...path, k])]));
  }
  return value;
}

export function parseConfig(text: string, env: NodeJS.ProcessEnv = process.env): ConnectorConfig {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new ConfigError('', `invalid YAML: ${doc.errors[0]?.message ?? 'parse error'}`);
  const expanded = expandEnv(doc.toJS() ?? {}, env);
  const parsed = configSchema.safeParse(expanded);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    if (!issue) throw new ConfigError('', 'invalid');
    const problem = configProblem(issue);
    throw new ConfigError(pathOf(problem.path), problem.message);
  }
  const ids = new Set<string>();
  parsed.data.wabas.forEach((w, i) => {
    if (ids.has(w.id)) throw new ConfigError(`wabas[${i}].id`, `duplicate WABA id ${w.id}`);
    ids.add(w.id);
  });
  for (const [name, r] of Object.entries(parsed.data.reports ?? {}))
    r.report.waba?.forEach((id, i) => {
      if (!ids.has(id)) throw new ConfigError(`reports.${name}.report.waba[${i}]`, `WABA ${id} is not configured under wabas`);
    });
  return parsed.data;
}

export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): ConnectorConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError('', `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseConfig(text, env);
}
