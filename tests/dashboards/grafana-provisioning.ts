/**
 * Reads provisioning files the way Grafana's provisioning reads them, so a file that Grafana would
 * turn into an empty URL, a missing token or a second folder fails a test instead of a user.
 *
 * Facts taken from Grafana's source (grafana/grafana, pkg/services/provisioning):
 * - values/values.go, interpolateValue: a value is split on "$$", each part goes through
 *   setting.ExpandVar ($__env{NAME}, $__file{path}, $__vault{...}) and then os.ExpandEnv, and the parts
 *   are joined with a single "$". So "$$" is a literal "$", and `${VAR:-default}` (a shell/compose
 *   default) is NOT understood: os.ExpandEnv looks up a variable literally named "VAR:-default".
 * - Only fields typed values.StringValue / IntValue / Int64Value / BoolValue / JSONValue /
 *   StringMapValue are expanded. An IntValue that expands to "" stays unset; a BoolValue must then
 *   parse with strconv.ParseBool. Alert rule `annotations` and query `model` are stored from .Raw
 *   (alerting/rules_types.go), so they are not expanded.
 * - The YAML decoder ignores keys a struct does not declare: a misspelt key is silently dropped.
 *   The key lists below are the yaml tags of:
 *   datasources/types.go  configsV1 + upsertDataSourceFromConfigV1 + deleteDatasourceConfigV1
 *   dashboards/types.go   configV1 + configs (a provider)
 *   alerting/file_v1.go   AlertingFileV1; alerting/rules_types.go AlertRuleGroupV1, AlertRuleV1, QueryV1,
 *                         NotificationSettingsV1, RecordV1, RuleDeleteV1
 * - Folders: a dashboard provider with `folderUid` looks its folder up by uid, otherwise by title
 *   (dashboards/file_reader.go getOrCreateFolder); an alert rule group only has `folder`, a title path,
 *   looked up by title and created with a random uid when missing (alerting/rules_provisioner.go
 *   getOrCreateFolderFullpath). Alert rules are provisioned before dashboards.
 */

/** How Grafana decodes one key. */
export type FieldSpec =
  | 'string' // values.StringValue
  | 'int' // values.IntValue / Int64Value
  | 'bool' // values.BoolValue
  | 'json' // values.JSONValue: any nested map/list, every string expanded
  | 'stringMap' // values.StringMapValue: map of strings, expanded
  | 'rawStringMap' // StringMapValue read through .Raw: not expanded
  | 'raw' // decoded without expansion (plain Go types, models.RelativeTimeRange, model via .Raw)
  | 'stringList' // []values.StringValue
  | { object: Record<string, FieldSpec> }
  | { list: FieldSpec };

const obj = (fields: Record<string, FieldSpec>): FieldSpec => ({ object: fields });
const list = (of: FieldSpec): FieldSpec => ({ list: of });

export const DATASOURCES_FILE: FieldSpec = obj({
  apiVersion: 'raw',
  datasources: list(
    obj({
      orgId: 'int',
      version: 'int',
      name: 'string',
      type: 'string',
      access: 'string',
      url: 'string',
      user: 'string',
      database: 'string',
      basicAuth: 'bool',
      basicAuthUser: 'string',
      withCredentials: 'bool',
      isDefault: 'bool',
      correlations: 'json',
      jsonData: 'json',
      secureJsonData: 'stringMap',
      editable: 'bool',
      uid: 'string',
    }),
  ),
  deleteDatasources: list(obj({ orgId: 'int', name: 'string' })),
});

export const DASHBOARDS_FILE: FieldSpec = obj({
  apiVersion: 'raw',
  providers: list(
    obj({
      name: 'string',
      type: 'string',
      orgId: 'int',
      folder: 'string',
      folderUid: 'string',
      editable: 'bool',
      options: 'json',
      disableDeletion: 'bool',
      updateIntervalSeconds: 'int',
      allowUiUpdates: 'bool',
    }),
  ),
});

const ALERT_QUERY = obj({ refId: 'string', queryType: 'string', relativeTimeRange: 'raw', datasourceUid: 'string', model: 'raw' });
const ALERT_RULE = obj({
  uid: 'string',
  title: 'string',
  condition: 'string',
  data: list(ALERT_QUERY),
  dasboardUid: 'string',
  dashboardUid: 'string',
  panelId: 'int',
  noDataState: 'string',
  execErrState: 'string',
  for: 'string',
  keepFiringFor: 'string',
  missing_series_evals_to_resolve: 'int',
  annotations: 'rawStringMap',
  labels: 'stringMap',
  isPaused: 'bool',
  notification_settings: obj({
    receiver: 'string',
    group_by: 'stringList',
    group_wait: 'string',
    group_interval: 'string',
    repeat_interval: 'string',
    mute_time_intervals: 'stringList',
    active_time_intervals: 'stringList',
  }),
  record: obj({ metric: 'string', from: 'string' }),
});

/** Rule groups only; the contact point, policy, mute-time and template sections are kept raw. */
export const ALERTING_FILE: FieldSpec = obj({
  apiVersion: 'raw',
  groups: list(obj({ orgId: 'int', name: 'string', folder: 'string', interval: 'string', rules: list(ALERT_RULE) })),
  deleteRules: list(obj({ uid: 'string', orgId: 'int' })),
  contactPoints: 'raw',
  deleteContactPoints: 'raw',
  policies: 'raw',
  resetPolicies: 'raw',
  muteTimes: 'raw',
  deleteMuteTimes: 'raw',
  templates: 'raw',
  deleteTemplates: 'raw',
});

export type Env = Record<string, string | undefined>;

/** Go's os.Expand variable-name scan (getShellName) on the text after a "$". */
function shellName(s: string): { name: string; width: number } {
  const special = (c: string | undefined) => c !== undefined && /^[*#$@!?\-0-9]$/.test(c);
  if (s[0] === '{') {
    if (s.length > 2 && special(s[1]) && s[2] === '}') return { name: s[1]!, width: 3 };
    for (let i = 1; i < s.length; i++) {
      if (s[i] === '}') return i === 1 ? { name: '', width: 2 } : { name: s.slice(1, i), width: i + 1 };
    }
    return { name: '', width: 1 };
  }
  if (special(s[0])) return { name: s[0]!, width: 1 };
  let i = 0;
  while (i < s.length && /[A-Za-z0-9_]/.test(s[i]!)) i++;
  return { name: s.slice(0, i), width: i };
}

/** Go's os.ExpandEnv: `$NAME` and `${NAME}` only; a malformed `${` is eaten, a lone `$` kept. */
export function goExpandEnv(s: string, env: Env): string {
  let out = '';
  let from = 0;
  for (let j = 0; j < s.length; j++) {
    if (s[j] === '$' && j + 1 < s.length) {
      out += s.slice(from, j);
      const { name, width } = shellName(s.slice(j + 1));
      if (name === '' && width > 0) {
        // invalid syntax: Go drops the characters
      } else if (name === '') out += '$';
      else out += env[name] ?? '';
      j += width;
      from = j + 1;
    }
  }
  return out + s.slice(from);
}

export class ExpansionError extends Error {}

/** setting.ExpandVar: `$__env{NAME}`; `$__file` and `$__vault` read things this checker cannot. */
function expandGrafanaExpanders(s: string, env: Env): string {
  return s.replace(/\$__(\w+)\{(.*?)\}/g, (_m, kind: string, arg: string) => {
    if (kind === 'env') return env[arg] ?? '';
    throw new ExpansionError(`$__${kind}{${arg}} is not checked here (only $__env is)`);
  });
}

/** Grafana's interpolateValue (pkg/services/provisioning/values/values.go). */
export function grafanaExpand(value: string, env: Env): string {
  return value
    .split('$$')
    .map((part) => goExpandEnv(expandGrafanaExpanders(part, env), env))
    .join('$');
}

const GO_BOOLS = new Set(['1', 't', 'T', 'TRUE', 'true', 'True', '0', 'f', 'F', 'FALSE', 'false', 'False']);

export interface ReadResult {
  /** The file as Grafana holds it after decoding: expanded strings, ints and bools. */
  value: unknown;
  problems: string[];
}

/** Decodes `node` (parsed YAML) with `spec` the way Grafana's structs would, collecting problems. */
export function readAs(spec: FieldSpec, node: unknown, env: Env, at = ''): ReadResult {
  const problems: string[] = [];
  const scalar = (v: unknown, where: string): string | undefined => {
    if (v === null || v === undefined) return undefined;
    if (typeof v === 'object') {
      problems.push(`${where}: expected a scalar, got ${Array.isArray(v) ? 'a list' : 'a map'}`);
      return undefined;
    }
    try {
      return grafanaExpand(String(v), env);
    } catch (err) {
      problems.push(`${where}: ${(err as Error).message}`);
      return undefined;
    }
  };
  const deep = (v: unknown, where: string): unknown => {
    if (Array.isArray(v)) return v.map((x, i) => deep(x, `${where}[${i}]`));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, deep(x, `${where}.${k}`)]));
    return typeof v === 'string' ? scalar(v, where) : v;
  };
  const walk = (s: FieldSpec, v: unknown, where: string): unknown => {
    if (v === null || v === undefined) return v;
    if (typeof s === 'object' && 'list' in s) {
      if (!Array.isArray(v)) {
        problems.push(`${where}: expected a list`);
        return undefined;
      }
      return v.map((x, i) => walk(s.list, x, `${where}[${i}]`));
    }
    if (typeof s === 'object') {
      if (typeof v !== 'object' || Array.isArray(v)) {
        problems.push(`${where}: expected a map`);
        return undefined;
      }
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        const field = s.object[k];
        const path = where ? `${where}.${k}` : k;
        if (!field) {
          problems.push(`${path}: unknown field (Grafana ignores it without a word)`);
          continue;
        }
        out[k] = walk(field, x, path);
      }
      return out;
    }
    switch (s) {
      case 'raw':
        return v;
      case 'string':
        return scalar(v, where);
      case 'int': {
        const text = scalar(v, where);
        if (text === undefined || text === '') return undefined;
        if (!/^[+-]?\d+$/.test(text)) problems.push(`${where}: "${text}" is not an integer`);
        return Number(text);
      }
      case 'bool': {
        const text = scalar(v, where);
        if (text === undefined) return undefined;
        if (!GO_BOOLS.has(text)) {
          problems.push(`${where}: "${text}" is not a boolean`);
          return undefined;
        }
        return /^(1|t|true)$/i.test(text);
      }
      case 'json':
        return deep(v, where);
      case 'stringList':
        if (!Array.isArray(v)) {
          problems.push(`${where}: expected a list`);
          return undefined;
        }
        return v.map((x, i) => scalar(x, `${where}[${i}]`));
      case 'stringMap':
      case 'rawStringMap':
        if (typeof v !== 'object' || Array.isArray(v)) {
          problems.push(`${where}: expected a map of strings`);
          return undefined;
        }
        return Object.fromEntries(
          Object.entries(v).map(([k, x]) => {
            if (x !== null && typeof x === 'object') problems.push(`${where}.${k}: expected a string`);
            return [k, s === 'stringMap' ? scalar(x, `${where}.${k}`) : x];
          }),
        );
    }
  };
  const value = walk(spec, node, at);
  return { value, problems };
}

/**
 * Docker Compose's own interpolation of docker-compose.yml (it runs before Grafana starts): `${VAR}`,
 * `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}`, `${VAR?error}`, `$VAR` and `$$`.
 */
export function composeInterpolate(value: string, hostEnv: Env): string {
  return value.replace(/\$\$|\$\{(\w+)(?:(:?)([-?])([^}]*))?\}|\$(\w+)/g, (m, braced, colon, op, arg, bare) => {
    if (m === '$$') return '$';
    const name = (braced ?? bare) as string;
    const v = hostEnv[name];
    const missing = v === undefined || (colon === ':' && v === '');
    if (op === '-') return missing ? arg : v!;
    if (op === '?') {
      if (missing) throw new ExpansionError(`docker compose: ${name} is required (${arg})`);
      return v!;
    }
    return v ?? '';
  });
}

/** The environment docker-compose.yml gives one service, given the host's environment. */
export function composeServiceEnv(compose: any, service: string, hostEnv: Env): Env {
  const raw = compose?.services?.[service]?.environment ?? {};
  const entries: Array<[string, string]> = Array.isArray(raw)
    ? raw.map((e: string) => {
        const i = e.indexOf('=');
        return i < 0 ? [e, hostEnv[e] ?? ''] : [e.slice(0, i), e.slice(i + 1)];
      })
    : Object.entries(raw).map(([k, v]) => [k, v === null ? (hostEnv[k] ?? '') : String(v)]);
  return Object.fromEntries(entries.map(([k, v]) => [k, composeInterpolate(v, hostEnv)]));
}

export interface ProvisioningFiles {
  datasources: Array<{ file: string; yaml: unknown }>;
  dashboards: Array<{ file: string; yaml: unknown }>;
  alerting: Array<{ file: string; yaml: unknown }>;
}

export interface PluginRoutes {
  /** Plugin id -> the jsonData / secureJsonData keys its proxy routes read. */
  [pluginId: string]: { jsonData: string[]; secureJsonData: string[] };
}

/** Keys a plugin.json's routes template in: `{{ .JsonData.x }}`, `{{ .SecureJsonData.y }}`. */
export function routeKeys(pluginJson: any): { jsonData: string[]; secureJsonData: string[] } {
  const text = JSON.stringify(pluginJson?.routes ?? []);
  const keys = (kind: string) => [...new Set([...text.matchAll(new RegExp(`\\.${kind}\\.(\\w+)`, 'g'))].map((m) => m[1]!))];
  return { jsonData: keys('JsonData'), secureJsonData: keys('SecureJsonData') };
}

function urlProblem(where: string, v: unknown): string | undefined {
  if (typeof v !== 'string' || v.trim() === '') return `${where}: empty URL after expansion`;
  try {
    const u = new URL(v);
    if (!/^https?:$/.test(u.protocol)) return `${where}: "${v}" is not an http(s) URL`;
  } catch {
    return `${where}: "${v}" is not a URL`;
  }
  return undefined;
}

/**
 * Every problem Grafana would have with these files under `env`: unknown keys, values that do not
 * decode, empty URLs, empty secure values, a plugin route reading a key nobody provisions, and one
 * folder referenced by uid in one place and by title only in another.
 */
export function checkProvisioning(files: ProvisioningFiles, env: Env, routes: PluginRoutes = {}): string[] {
  const problems: string[] = [];
  const folderRefs: Array<{ where: string; title?: string; uid?: string }> = [];

  for (const { file, yaml } of files.datasources) {
    const r = readAs(DATASOURCES_FILE, yaml, env);
    problems.push(...r.problems.map((p) => `${file}: ${p}`));
    const dss = ((r.value as any)?.datasources ?? []) as any[];
    dss.forEach((ds, i) => {
      const where = `${file}: datasources[${i}] (${ds?.name ?? '?'})`;
      if ('url' in (yaml as any).datasources[i]) {
        const p = urlProblem(`${where}.url`, ds.url);
        if (p) problems.push(p);
      }
      for (const [k, v] of Object.entries((ds.jsonData ?? {}) as Record<string, unknown>)) {
        if (/url$/i.test(k)) {
          const p = urlProblem(`${where}.jsonData.${k}`, v);
          if (p) problems.push(p);
        }
      }
      for (const [k, v] of Object.entries((ds.secureJsonData ?? {}) as Record<string, unknown>)) {
        if (typeof v !== 'string' || v === '') problems.push(`${where}.secureJsonData.${k}: empty secure value after expansion`);
      }
      const needs = routes[ds.type as string];
      if (needs) {
        for (const k of needs.jsonData)
          if (ds.jsonData?.[k] === undefined) problems.push(`${where}: the plugin's route reads jsonData.${k}, not provisioned`);
        for (const k of needs.secureJsonData)
          if (ds.secureJsonData?.[k] === undefined)
            problems.push(`${where}: the plugin's route reads secureJsonData.${k}, not provisioned`);
      }
    });
  }

  for (const { file, yaml } of files.dashboards) {
    const r = readAs(DASHBOARDS_FILE, yaml, env);
    problems.push(...r.problems.map((p) => `${file}: ${p}`));
    (((r.value as any)?.providers ?? []) as any[]).forEach((p, i) => {
      const where = `${file}: providers[${i}] (${p?.name ?? '?'})`;
      if (p.options?.path === undefined || p.options.path === '') problems.push(`${where}.options.path: empty after expansion`);
      if (p.folder || p.folderUid) folderRefs.push({ where, title: p.folder || undefined, uid: p.folderUid || undefined });
    });
  }

  for (const { file, yaml } of files.alerting) {
    const r = readAs(ALERTING_FILE, yaml, env);
    problems.push(...r.problems.map((p) => `${file}: ${p}`));
    (((r.value as any)?.groups ?? []) as any[]).forEach((g, i) => {
      const where = `${file}: groups[${i}] (${g?.name ?? '?'})`;
      if (!g.folder) problems.push(`${where}.folder: empty (Grafana refuses a rule group without a folder)`);
      else folderRefs.push({ where, title: g.folder });
      ((g.rules ?? []) as any[]).forEach((rule, j) => {
        const raw = (yaml as any).groups[i].rules[j];
        for (const k of ['dashboardUid', 'dashboardUID', 'panelId', '__dashboardUid__', '__panelId__']) {
          if (raw?.annotations && k in raw.annotations)
            problems.push(
              `${where}.rules[${j}].annotations.${k}: Grafana reads the dashboard link from the rule's own dashboardUid / panelId`,
            );
        }
        if ((rule.dashboardUid && rule.panelId === undefined) || (!rule.dashboardUid && rule.panelId !== undefined))
          problems.push(`${where}.rules[${j}]: dashboardUid and panelId go together`);
      });
    });
  }

  // One title, one folder: a reference by uid and another by title only make two folders (or a
  // uid that does not exist) depending on which provisioner runs first.
  const byTitle = new Map<string, typeof folderRefs>();
  for (const ref of folderRefs) {
    const key = ref.title ?? `uid:${ref.uid}`;
    byTitle.set(key, [...(byTitle.get(key) ?? []), ref]);
  }
  for (const [title, refs] of byTitle) {
    const uids = new Set(refs.map((r) => r.uid ?? '(by title)'));
    if (uids.size > 1) {
      problems.push(
        `folder "${title}" is referenced by uid in one place and by title in another: ${refs
          .map((r) => `${r.where} -> ${r.uid ? `uid ${r.uid}` : 'title only'}`)
          .join('; ')}`,
      );
    }
  }
  return problems;
}
