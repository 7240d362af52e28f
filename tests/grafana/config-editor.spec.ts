// Needs a Grafana server (see playwright.config.ts). The connector is stood in for at the proxy URL,
// so the spec checks the plugin's own behaviour: settings form, Save & test through the proxy route.
import { expect, test } from '@grafana/plugin-e2e';

const HEALTH = { status: 'ok', version: 'e2e', store: { ok: true, kind: 'sqlite', events: 3, lastEventAt: null }, pulls: [] };

test('Save & test reports the connector through the data-source proxy route', async ({ createDataSourceConfigPage, page }) => {
  const configPage = await createDataSourceConfigPage({ type: 'waspend-whatsapp-datasource' });
  const uid = configPage.datasource.uid;
  await page.getByLabel('Connector URL').fill('http://connector:8080');
  await page.getByLabel('API token').fill('e2e-token');
  await page.route(`**/api/datasources/proxy/uid/${uid}/connector/health`, (route) => route.fulfill({ status: 200, json: HEALTH }));
  // Save & test also makes one authenticated call, since /health needs no token.
  await page.route(`**/api/datasources/proxy/uid/${uid}/connector/api/v1/lists/wabas`, (route) =>
    route.fulfill({ status: 200, json: { items: [] } }),
  );
  await expect(configPage.saveAndTest({ path: `/api/datasources/proxy/uid/${uid}/connector/health` })).toBeOK();
  await expect(configPage).toHaveAlert('success', { hasText: /Connected to connector e2e/ });
});

test('Save & test names a refused token', async ({ createDataSourceConfigPage, page }) => {
  const configPage = await createDataSourceConfigPage({ type: 'waspend-whatsapp-datasource' });
  const uid = configPage.datasource.uid;
  await page.getByLabel('Connector URL').fill('http://connector:8080');
  await page.route(`**/api/datasources/proxy/uid/${uid}/connector/health`, (route) => route.fulfill({ status: 200, json: HEALTH }));
  await page.route(`**/api/datasources/proxy/uid/${uid}/connector/api/v1/lists/wabas`, (route) =>
    route.fulfill({ status: 401, json: { error: 'unauthorized', message: 'bad token' } }),
  );
  await configPage.saveAndTest({ path: `/api/datasources/proxy/uid/${uid}/connector/api/v1/lists/wabas` });
  await expect(configPage).toHaveAlert('error', { hasText: /refused the API token/ });
});
