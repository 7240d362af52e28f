import { DataSourcePlugin } from '@grafana/data';
import { ConfigEditor } from './components/ConfigEditor';
import { QueryEditor } from './components/QueryEditor';
import { DataSource } from './datasource';
import type { WaspendOptions, WaspendSecureJsonData } from './options';
import type { WaspendQuery } from './query/types';

/**
 * The entry Grafana loads (dist/module.js). Variable and annotation editors hang off the DataSource
 * itself (`variables`, `annotations`), which is how current Grafana finds them.
 */
export const plugin = new DataSourcePlugin<DataSource, WaspendQuery, WaspendOptions, WaspendSecureJsonData>(DataSource)
  .setConfigEditor(ConfigEditor)
  .setQueryEditor(QueryEditor);
