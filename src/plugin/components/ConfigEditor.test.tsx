import React from 'react';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { DataSourceSettings } from '@grafana/data';
import type { WaspendOptions, WaspendSecureJsonData } from '../options';
import { ConfigEditor } from './ConfigEditor';
import { checkConnectorUrl, checkTimeZone } from './config-checks';

// userEvent types key by key through @grafana/ui's inputs; on a shared 2-core machine one field can
// take seconds, past jest's 5 s default (seen failing on timeout, not on a value).
jest.setTimeout(30_000);

type Settings = DataSourceSettings<WaspendOptions, WaspendSecureJsonData>;

function settings(over: Partial<Settings> = {}): Settings {
  return {
    id: 1,
    uid: 'w',
    orgId: 1,
    name: 'waspend',
    type: 'waspend-whatsapp-datasource',
    typeName: '',
    typeLogoUrl: '',
    access: 'proxy',
    url: '',
    user: '',
    database: '',
    basicAuth: false,
    basicAuthUser: '',
    isDefault: false,
    jsonData: {},
    secureJsonFields: {},
    readOnly: false,
    withCredentials: false,
    ...over,
  } as Settings;
}

/** A controlled host like Grafana's settings page: keeps the latest options and re-renders. */
function Host({ initial, onChange }: { initial: Settings; onChange: (s: Settings) => void }) {
  const [options, setOptions] = React.useState(initial);
  return (
    <ConfigEditor
      options={options}
      onOptionsChange={(s) => {
        setOptions(s);
        onChange(s);
      }}
    />
  );
}

describe('ConfigEditor', () => {
  it('stores the connector URL and time zone in jsonData', async () => {
    const onChange = jest.fn();
    render(<Host initial={settings()} onChange={onChange} />);
    await userEvent.type(screen.getByLabelText('Connector URL'), 'http://connector:8080');
    await userEvent.type(screen.getByLabelText('Time zone'), 'UTC');
    const last: Settings = onChange.mock.calls.at(-1)![0];
    expect(last.jsonData).toEqual({ connectorUrl: 'http://connector:8080', timezoneDisplay: 'UTC' });
    expect(last.secureJsonData).toBeUndefined();
  });

  it('offers no default currency (nothing would apply it) and keeps one an older version saved', async () => {
    const onChange = jest.fn();
    render(<Host initial={settings({ jsonData: { defaultCurrency: 'BRL' } as never })} onChange={onChange} />);
    expect(screen.queryByLabelText('Default currency')).toBeNull();
    await userEvent.type(screen.getByLabelText('Connector URL'), 'http://c:1');
    const last: Settings = onChange.mock.calls.at(-1)![0];
    expect(last.jsonData).toEqual({ defaultCurrency: 'BRL', connectorUrl: 'http://c:1' });
  });

  it('puts the token in secureJsonData only, never in jsonData', async () => {
    const onChange = jest.fn();
    render(<Host initial={settings({ jsonData: { connectorUrl: 'http://c:1' } })} onChange={onChange} />);
    await userEvent.type(screen.getByLabelText('API token'), 's3cret');
    const last: Settings = onChange.mock.calls.at(-1)![0];
    expect(last.secureJsonData).toEqual({ apiToken: 's3cret' });
    expect(JSON.stringify(last.jsonData)).not.toContain('s3cret');
  });

  it('shows a saved token as configured and resets it', async () => {
    const onChange = jest.fn();
    render(<Host initial={settings({ secureJsonFields: { apiToken: true } })} onChange={onChange} />);
    expect(screen.getByLabelText('API token')).toHaveProperty('disabled', true);
    await userEvent.click(screen.getByRole('button', { name: /reset/i }));
    const last: Settings = onChange.mock.calls.at(-1)![0];
    expect(last.secureJsonFields.apiToken).toBe(false);
    expect(last.secureJsonData).toEqual({ apiToken: '' });
  });

  it('says what is wrong with a URL that has a path', () => {
    render(<ConfigEditor options={settings({ jsonData: { connectorUrl: 'http://c:8080/api/v1' } })} onOptionsChange={jest.fn()} />);
    expect(screen.getByText(/Leave out the path/)).toBeTruthy();
  });
});

describe('config checks', () => {
  it('accepts a plain http(s) base URL and names each problem otherwise', () => {
    expect(checkConnectorUrl('http://connector:8080')).toBeUndefined();
    expect(checkConnectorUrl('https://c.example')).toBeUndefined();
    expect(checkConnectorUrl(undefined)).toMatch(/Set the connector URL/);
    expect(checkConnectorUrl('connector:8080')).toMatch(/scheme|Not a URL/i);
    expect(checkConnectorUrl('ftp://c')).toMatch(/not supported/);
    expect(checkConnectorUrl('http://u:p@c')).toMatch(/credentials/);
  });

  it('checks IANA zones', () => {
    expect(checkTimeZone('America/Sao_Paulo')).toBeUndefined();
    expect(checkTimeZone('dashboard')).toBeUndefined();
    expect(checkTimeZone('Mars/Olympus')).toMatch(/Unknown time zone/);
  });
});
