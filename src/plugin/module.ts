import { DataSourcePlugin, type DataSourceInstanceSettings } from '@grafana/data';
import { AnnotationQueryEditor } from './components/AnnotationQueryEditor';
import { ConfigEditor } from './components/ConfigEditor';
import { QueryEditor } from './components/QueryEditor';
import { VariableQueryEditor } from './components/VariableQueryEditor';
import { DataSource } from './datasource';
import type { WaspendOptions, WaspendSecureJsonData } from './options';
import type { WaspendQuery } from './query/types';

/**
 * The data source Grafana instantiates, with its variable and annotation editors: views are wired
 * here, so neither datasource.ts nor variables.ts imports a component.
 */
export class WaspendDataSource extends DataSource {
  constructor(instanceSettings: DataSourceInstanceSettings<WaspendOptions>) {
    super(instanceSettings, {}, { variableEditor: VariableQueryEditor, annotationEditor: AnnotationQueryEditor });
  }
}

/**
 * The entry Grafana loads (dist/module.js). Variable and annotation editors hang off the DataSource
 * itself (`variables`, `annotations`), which is how current Grafana finds them.
 */
export const plugin = new DataSourcePlugin<DataSource, WaspendQuery, WaspendOptions, WaspendSecureJsonData>(WaspendDataSource)
  .setConfigEditor(ConfigEditor)
  .setQueryEditor(QueryEditor);
