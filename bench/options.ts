/** Command-line options and the size of each scale. Scales change data sizes and run lengths, never targets. */

export const SECTIONS = [
  'ingest',
  'queries',
  'webhookUnderLoad',
  'uniqueContacts',
  'webhookToVisible',
  'queryLayer',
  'memory',
  'repricing',
  'replicas',
] as const;
export type SectionName = (typeof SECTIONS)[number];
export type ScaleName = 'tiny' | 'small' | 'medium' | 'full';
/** How the query store is built: `webhook` posts the plan to the connector (build-store.ts), `bulk` writes it in-process below HTTP (bulk-build.ts). */
export type BuildPath = 'webhook' | 'bulk';
export const BUILD_PATHS: readonly BuildPath[] = ['webhook', 'bulk'];

export interface Scale {
  name: ScaleName;
  /** Seconds per measured ingest run, warm-up seconds, runs per backend, wrk connections. */
  ingestSeconds: number;
  ingestWarmupSeconds: number;
  ingestRuns: number;
  connections: number;
  /** Delivered messages in the query store (each gets sent + delivered, 2 in 3 also read). */
  messages: number;
  days: number;
  countries: number;
  phones: number;
  /**
   * The builder used unless `--build` says otherwise: the webhook route where it takes under a minute
   * (tiny, small), so the bench keeps exercising it end to end; the bulk path where the route would
   * take most of an hour or more (medium, full).
   */
  build: BuildPath;
  /** Repetitions per panel query and per raw GROUP BY (the raw one is capped by time). */
  queryReps: number;
  rawReps: number;
  /**
   * Seconds the raw GROUP BY baselines may take in all, after the panels are timed (null: no limit).
   * Questions asked by more panels are timed first; a panel whose question did not fit has no ratio.
   */
  rawBudgetSeconds: number | null;
  /** Seconds of webhooks on the idle query store, then as long again while the heaviest panels run in a loop. */
  loadSeconds: number;
  /** Webhooks posted one at a time, each polled for until a panel query shows it. */
  visibleSamples: number;
  /** How long the repricing section waits for the store to be clean, before the import and after it. */
  repriceCapSeconds: number;
  /** Query-layer result shape: days x countries x categories x numbers. */
  layer: { days: number; countries: number; categories: number; phones: number; reps: number };
}

const layerFull = { days: 90, countries: 50, categories: 7, phones: 20, reps: 7 };

export const SCALES: Record<ScaleName, Scale> = {
  tiny: {
    name: 'tiny',
    ingestSeconds: 1,
    ingestWarmupSeconds: 0,
    ingestRuns: 1,
    connections: 8,
    messages: 3_000,
    days: 90,
    countries: 10,
    phones: 4,
    build: 'webhook',
    queryReps: 3,
    rawReps: 1,
    rawBudgetSeconds: null,
    loadSeconds: 2,
    visibleSamples: 5,
    repriceCapSeconds: 20,
    layer: { days: 7, countries: 5, categories: 7, phones: 2, reps: 2 },
  },
  small: {
    name: 'small',
    ingestSeconds: 8,
    ingestWarmupSeconds: 2,
    ingestRuns: 2,
    connections: 32,
    messages: 100_000,
    days: 90,
    countries: 50,
    phones: 20,
    build: 'webhook',
    queryReps: 15,
    rawReps: 3,
    rawBudgetSeconds: null,
    loadSeconds: 8,
    visibleSamples: 20,
    repriceCapSeconds: 120,
    layer: layerFull,
  },
  medium: {
    name: 'medium',
    ingestSeconds: 15,
    ingestWarmupSeconds: 3,
    ingestRuns: 2,
    connections: 32,
    messages: 1_000_000,
    days: 90,
    countries: 50,
    phones: 20,
    build: 'bulk',
    queryReps: 21,
    rawReps: 3,
    rawBudgetSeconds: null,
    loadSeconds: 15,
    visibleSamples: 20,
    repriceCapSeconds: 180,
    layer: layerFull,
  },
  full: {
    name: 'full',
    ingestSeconds: 15,
    ingestWarmupSeconds: 3,
    ingestRuns: 2,
    connections: 32,
    messages: 10_000_000,
    days: 90,
    countries: 50,
    phones: 20,
    build: 'bulk',
    queryReps: 21,
    // One run of each distinct raw GROUP BY, 20 minutes of them in all: one scan of the 26.7M status
    // events' JSON takes about 200 s here (the unique-contacts question, 2026-12-03), and the
    // dashboards ask about twenty distinct questions (raw-baseline.ts times each once per run).
    rawReps: 1,
    rawBudgetSeconds: 1_200,
    loadSeconds: 20,
    visibleSamples: 30,
    repriceCapSeconds: 300,
    layer: layerFull,
  },
};

export interface Options {
  scale: Scale;
  only: Set<SectionName>;
  /** Where results.json goes; the tests point it at a temp dir. */
  out: string;
  /** Skip PostgreSQL even when the binaries are there (faster local runs). */
  noPostgres: boolean;
  keep: boolean;
  /** `--build`, else the scale's default. */
  build: BuildPath;
  /** `--reuse-store FILE`: an earlier run's SQLite query store of the same scale instead of a build (reused-store.ts). */
  reuseStore: string | null;
}

export function parseOptions(argv: readonly string[], defaultOut: string): Options {
  let scale: Scale = SCALES.small;
  let only = new Set<SectionName>(SECTIONS);
  let out = defaultOut;
  let noPostgres = false;
  let keep = false;
  let build: BuildPath | undefined;
  let reuseStore: string | null = null;
  let rawBudget: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] = arg.includes('=') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const value = () => inline ?? argv[++i] ?? '';
    if (flag === '--scale') {
      const name = value();
      if (!(name in SCALES)) throw new Error(`--scale: "${name}" is not one of ${Object.keys(SCALES).join(', ')}`);
      scale = SCALES[name as ScaleName];
    } else if (flag === '--only') {
      const names = value()
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      for (const n of names) {
        if (!(SECTIONS as readonly string[]).includes(n)) throw new Error(`--only: "${n}" is not one of ${SECTIONS.join(', ')}`);
      }
      only = new Set(names as SectionName[]);
    } else if (flag === '--out') {
      out = value();
    } else if (flag === '--no-postgres') {
      noPostgres = true;
    } else if (flag === '--keep') {
      keep = true;
    } else if (flag === '--build') {
      const path = value();
      if (!(BUILD_PATHS as readonly string[]).includes(path)) throw new Error(`--build: "${path}" is not one of ${BUILD_PATHS.join(', ')}`);
      build = path as BuildPath;
    } else if (flag === '--reuse-store') {
      reuseStore = value();
      if (!reuseStore) throw new Error('--reuse-store: give the SQLite file of an earlier run of the same scale');
    } else if (flag === '--raw-budget') {
      const text = value();
      rawBudget = Number(text);
      if (text.trim() === '' || !Number.isFinite(rawBudget) || rawBudget < 0)
        throw new Error(`--raw-budget: "${text}" is not a number of seconds (0 or more; 0 times no raw GROUP BY)`);
    } else if (flag !== '--') {
      throw new Error(
        `unknown option "${arg}" (use --scale tiny|small|medium|full, --only ${SECTIONS.join(',')}, --build bulk|webhook, --out FILE, --no-postgres, --keep, --reuse-store FILE, --raw-budget SECONDS)`,
      );
    }
  }
  // After the loop: the budget replaces the scale's own wherever --scale stands.
  if (rawBudget !== undefined) scale = { ...scale, rawBudgetSeconds: rawBudget };
  return { scale, only, out, noPostgres, keep, build: build ?? scale.build, reuseStore };
}
