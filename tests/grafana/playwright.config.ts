// Playwright config for the @grafana/plugin-e2e specs in this folder. They need a running Grafana
// with dist/ mounted as the plugin and provisioning/ applied (docker compose up), so they are not
// part of `npm test`: run `npx playwright test -c tests/grafana/playwright.config.ts` where one is.
import path from 'node:path';
import { defineConfig, devices } from '@playwright/test';
import type { PluginOptions } from '@grafana/plugin-e2e';

const pluginE2eDir = path.dirname(require.resolve('@grafana/plugin-e2e'));

export default defineConfig<PluginOptions>({
  testDir: __dirname,
  fullyParallel: false,
  retries: 0,
  reporter: 'list',
  use: {
    baseURL: process.env.GRAFANA_URL ?? 'http://localhost:3000',
    provisioningRootDir: path.join(__dirname, '..', '..', 'provisioning'),
    trace: 'retain-on-failure',
  },
  projects: [
    // Logs in as admin once and stores the session (plugin-e2e's own auth setup).
    { name: 'auth', testDir: path.join(pluginE2eDir, 'auth'), testMatch: [/.*\.js/] },
    {
      name: 'run-tests',
      testMatch: /.*\.spec\.ts/,
      use: { ...devices['Desktop Chrome'], storageState: 'playwright/.auth/admin.json' },
      dependencies: ['auth'],
    },
  ],
});
