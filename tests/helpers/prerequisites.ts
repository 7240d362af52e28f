/**
 * The one way a test may depend on something outside the repository (a Debian program, a database,
 * a shared file). When it is there, the returned `describe`/`it` are jest's own. When it is missing:
 * - under CI=true the suite fails at once, naming what is missing and the command that installs it;
 * - otherwise the tests are skipped visibly: the reason is part of every skipped test's name
 *   ("(skipped: ...)"), which jest prints and scripts/test-all.mjs lists at the end of the run.
 * A skip without that marker is counted as a failure by scripts/test-all.mjs.
 */
// CommonJS and untyped: shared with scripts/test-all.mjs, which is plain Node.
const { SYSTEM_PACKAGES, installCommand, pretendMissing } = require('./system-packages') as {
  SYSTEM_PACKAGES: Record<string, { debian: string; what: string; found(): string | null }>;
  installCommand(debs: string[]): string;
  pretendMissing(name: string): boolean;
};

export type SystemPrerequisite = 'PostgreSQL' | 'Prometheus' | 'Chromium' | 'wrk' | 'openssl';

export interface Prerequisite {
  name: string;
  available: boolean;
  /** Why it is missing and how to get it (empty when available). */
  reason: string;
  describe: jest.Describe;
  it: jest.It;
  test: jest.It;
}

/** The marker scripts/test-all.mjs looks for in the name of a skipped test. */
export const SKIP_MARKER = 'skipped: ';

export function isCi(): boolean {
  return /^(1|true|yes)$/i.test(process.env.CI ?? '');
}

/**
 * `name` is one of the Debian-installed programs, or anything else with its own `check` and `fix`
 * (e.g. a shared schema file and the variable that points at it).
 */
export function requirePrerequisite(name: SystemPrerequisite): Prerequisite;
export function requirePrerequisite(name: string, check: () => boolean, fix: string): Prerequisite;
export function requirePrerequisite(name: string, check?: () => boolean, fix?: string): Prerequisite {
  const system = SYSTEM_PACKAGES[name];
  let available: boolean;
  let how: string;
  if (check) {
    available = !pretendMissing(name) && check();
    how = fix ?? '';
  } else if (system) {
    // PostgreSQL counts as there once the jest globalSetup has started the private cluster (or was given one).
    available = !pretendMissing(name) && (name === 'PostgreSQL' ? Boolean(process.env.WASPEND_TEST_PG_URL) : system.found() !== null);
    how = `${system.what} need Debian's ${system.debian}: ${installCommand([system.debian])} (npm test does this itself when run as root)`;
  } else {
    throw new Error(`requirePrerequisite: unknown prerequisite "${name}" (give a check and a fix)`);
  }
  if (available) return { name, available, reason: '', describe, it, test };
  const reason = `${name} is missing; ${how}`;
  if (isCi()) throw new Error(`CI=true and a prerequisite is missing, so this suite fails instead of skipping: ${reason}`);
  const label = (title: string) => `${title} (${SKIP_MARKER}${reason})`;
  const skipDescribe = ((title: string, fn: () => void) => describe.skip(label(title), fn)) as unknown as jest.Describe;
  const skipIt = ((title: string, fn?: jest.ProvidesCallback, timeout?: number) =>
    it.skip(label(title), fn, timeout)) as unknown as jest.It;
  return { name, available, reason, describe: skipDescribe, it: skipIt, test: skipIt };
}
