import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { requirePrerequisite } from '../helpers/prerequisites';

// The Prometheus alerting rules are checked and unit-tested with Debian's promtool (package
// `prometheus`, which npm test installs as root). Without it the suite is skipped with the reason and
// the install command in its name, and fails under CI=true (tests/helpers/prerequisites.ts).
const rulesDir = path.resolve(__dirname, '../../prometheus/rules');

function promtool(args: string[], cwd: string) {
  const res = spawnSync('promtool', args, { cwd, encoding: 'utf8' });
  if (res.error)
    throw new Error(`promtool could not run (${res.error.message}); install Debian's prometheus package (npm test does as root)`);
  return { code: res.status, out: `${res.stdout}${res.stderr}` };
}

requirePrerequisite('Prometheus').describe('Prometheus alerting rules', () => {
  test('promtool check rules accepts every rule', () => {
    const { code, out } = promtool(['check', 'rules', 'waspend.rules.yml'], rulesDir);
    expect(out).toContain('SUCCESS: 7 rules found');
    expect(code).toBe(0);
  });

  test('promtool test rules: every alert fires on its firing series and stays quiet otherwise', () => {
    const { code, out } = promtool(['test', 'rules', 'waspend.rules.test.yml'], rulesDir);
    expect(out).toContain('SUCCESS');
    expect(code).toBe(0);
  });

  test("promtool check config accepts the compose stack's prometheus.yml (rule path pointed at the repo copy)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waspend-promcfg-'));
    try {
      const config = fs.readFileSync(path.resolve(rulesDir, '../prometheus.yml'), 'utf8');
      const local = config.replace('/etc/prometheus/rules/waspend.rules.yml', path.join(rulesDir, 'waspend.rules.yml'));
      expect(local).not.toBe(config);
      fs.writeFileSync(path.join(dir, 'prometheus.yml'), local);
      const { code, out } = promtool(['check', 'config', 'prometheus.yml'], dir);
      expect(out).toContain('SUCCESS');
      expect(code).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the rule tests can fail: a healthy WABA given a 10% failure rate breaks the expectation', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waspend-rules-'));
    try {
      fs.copyFileSync(path.join(rulesDir, 'waspend.rules.yml'), path.join(dir, 'waspend.rules.yml'));
      const tests = fs.readFileSync(path.join(rulesDir, 'waspend.rules.test.yml'), 'utf8');
      const mutated = tests.replace(
        `'waspend_messages_failed_total{waba="good"}'\n        values: '0+1x60'`,
        `'waspend_messages_failed_total{waba="good"}'\n        values: '0+10x60'`,
      );
      expect(mutated).not.toBe(tests);
      fs.writeFileSync(path.join(dir, 'waspend.rules.test.yml'), mutated);
      const { code, out } = promtool(['test', 'rules', 'waspend.rules.test.yml'], dir);
      expect(code).not.toBe(0);
      expect(out).toContain('WABA good fail');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
