import type { DataSourceInstanceSettings } from '@grafana/data';
import { AnnotationQueryEditor } from './components/AnnotationQueryEditor';
import { VariableQueryEditor } from './components/VariableQueryEditor';
import { DataSource } from './datasource';
import { plugin } from './module';
import type { WaspendOptions } from './options';

const settings = {
  id: 1,
  uid: 'w',
  type: 'waspend-whatsapp-datasource',
  name: 'waspend',
  url: '/api/datasources/proxy/uid/w',
  access: 'proxy',
  readOnly: false,
  meta: {},
  jsonData: {},
} as unknown as DataSourceInstanceSettings<WaspendOptions>;

describe('module.ts wiring', () => {
  it('gives the data source Grafana instantiates its variable and annotation editors', () => {
    const DataSourceClass = plugin.DataSourceClass as unknown as new (s: DataSourceInstanceSettings<WaspendOptions>) => DataSource;
    const ds = new DataSourceClass(settings);
    expect(ds).toBeInstanceOf(DataSource);
    expect((ds.variables as unknown as { editor: unknown }).editor).toBe(VariableQueryEditor);
    expect(ds.annotations?.QueryEditor).toBe(AnnotationQueryEditor);
    expect(ds.proxyBase).toBe('/api/datasources/proxy/uid/w/connector');
  });
});
