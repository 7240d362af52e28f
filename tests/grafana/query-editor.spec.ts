// Needs a Grafana server with provisioning/ applied (the `waspend` data source). The connector's
// /usage answer is stood in for at the proxy URL so the panel shows known series.
import { expect, test } from '@grafana/plugin-e2e';

test('a cost query grouped by category draws one series per category', async ({ panelEditPage, readProvisionedDataSource, page }) => {
  const ds = await readProvisionedDataSource({ fileName: 'waspend.yaml', name: 'waspend' });
  await panelEditPage.datasource.set(ds.name);
  const row = panelEditPage.getQueryEditorRow('A');
  await row.getByLabel('Filter Country').fill('BR');
  await row.getByLabel('Filter Country').blur();
  const now = Date.now();
  await page.route(`**/api/datasources/proxy/uid/${ds.uid}/connector/api/v1/usage*`, (route) =>
    route.fulfill({
      status: 200,
      json: {
        source: 'estimate',
        interval: 'day',
        problems: [],
        rows: [
          { time: now, bucket: 'b', currency: 'USD', category: 'marketing', messages: 4, billable: 4, cost: '0.5' },
          { time: now, bucket: 'b', currency: 'USD', category: 'utility', messages: 2, billable: 2, cost: '0.25' },
        ],
      },
    }),
  );
  await panelEditPage.setVisualization('Table');
  // A frontend data source makes no /api/ds/query call: wait for its proxied request instead.
  await expect(
    panelEditPage.refreshPanel({ waitForResponsePredicateCallback: (r) => r.url().includes('/connector/api/v1/usage') }),
  ).toBeOK();
  await expect(panelEditPage.panel.data).toContainText(['0.5']);
});
