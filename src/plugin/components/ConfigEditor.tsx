import React from 'react';
import type { DataSourcePluginOptionsEditorProps } from '@grafana/data';
import { Field, Input, SecretInput } from '@grafana/ui';
import { DEFAULT_TIMEZONE_DISPLAY, type WaspendOptions, type WaspendSecureJsonData } from '../options';
import { checkConnectorUrl, checkTimeZone } from './config-checks';

type Props = DataSourcePluginOptionsEditorProps<WaspendOptions, WaspendSecureJsonData>;

/**
 * Data source settings. The API token goes to secureJsonData: Grafana encrypts it and never sends
 * it back, so once saved the box only shows "configured" with a Reset button.
 */
export function ConfigEditor({ options, onOptionsChange }: Props) {
  const jsonData = options.jsonData ?? {};
  const setJson = <K extends keyof WaspendOptions>(key: K, value: WaspendOptions[K]) =>
    onOptionsChange({ ...options, jsonData: { ...jsonData, [key]: value } });
  const urlProblem = checkConnectorUrl(jsonData.connectorUrl);
  const zoneProblem = checkTimeZone(jsonData.timezoneDisplay);

  return (
    <div data-testid="waspend-config-editor">
      <Field
        label="Connector URL"
        description="Where Grafana's server reaches the waspend connector (scheme, host and port, no path). The browser never calls it directly."
        invalid={Boolean(urlProblem)}
        error={urlProblem}
        required
      >
        <Input
          id="waspend-connector-url"
          aria-label="Connector URL"
          width={60}
          placeholder="scheme://host:port"
          value={jsonData.connectorUrl ?? ''}
          onChange={(e) => setJson('connectorUrl', e.currentTarget.value.trim())}
        />
      </Field>
      <Field label="API token" description="The bearer token the connector was started with. Stored encrypted; added by Grafana's proxy.">
        <SecretInput
          id="waspend-api-token"
          aria-label="API token"
          width={60}
          isConfigured={Boolean(options.secureJsonFields?.apiToken)}
          value={options.secureJsonData?.apiToken ?? ''}
          placeholder="connector API token"
          onChange={(e) => onOptionsChange({ ...options, secureJsonData: { ...options.secureJsonData, apiToken: e.currentTarget.value } })}
          onReset={() =>
            onOptionsChange({
              ...options,
              secureJsonFields: { ...options.secureJsonFields, apiToken: false },
              secureJsonData: { ...options.secureJsonData, apiToken: '' },
            })
          }
        />
      </Field>
      <Field
        label="Time zone"
        description={`Names "today" and the month for projections and tiers: "${DEFAULT_TIMEZONE_DISPLAY}" follows the dashboard, or an IANA zone such as UTC or America/Sao_Paulo.`}
        invalid={Boolean(zoneProblem)}
        error={zoneProblem}
      >
        <Input
          id="waspend-timezone"
          aria-label="Time zone"
          width={30}
          placeholder={DEFAULT_TIMEZONE_DISPLAY}
          value={jsonData.timezoneDisplay ?? ''}
          onChange={(e) => setJson('timezoneDisplay', e.currentTarget.value.trim())}
        />
      </Field>
    </div>
  );
}
