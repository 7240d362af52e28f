import {
  CustomVariableSupport,
  type DataQueryRequest,
  type DataQueryResponse,
  type DataSourceApi,
  type MetricFindValue,
  type QueryEditorProps,
  type ScopedVars,
} from '@grafana/data';
import type { DataQuery } from '@grafana/schema';
import type { ListKind } from '@contract';
import { from, map, type Observable } from 'rxjs';
import type { ComponentType } from 'react';
import type { WaspendOptions } from './options';
import type { WaspendQuery } from './query/types';

/** A query variable: one connector list, optionally narrowed to WABAs (may hold `$waba`). */
export interface WaspendVariableQuery extends DataQuery {
  list: ListKind;
  waba?: string[];
}

/** The data source as the variable editor sees it (the class itself is not imported: no import circle). */
export type WaspendDataSourceApi = DataSourceApi<WaspendQuery, WaspendOptions>;

export type VariableEditor = ComponentType<QueryEditorProps<WaspendDataSourceApi, WaspendQuery, WaspendOptions, WaspendVariableQuery>>;

interface ListLookup {
  metricFindQuery(query: unknown, options?: { scopedVars?: ScopedVars }): Promise<MetricFindValue[]>;
}

/**
 * Query variables (wabas, phones, countries, categories, groups, markets). The editor is passed in
 * (module.ts), so this module imports no view.
 */
export class WaspendVariableSupport extends CustomVariableSupport<WaspendDataSourceApi, WaspendVariableQuery> {
  constructor(
    private readonly lookup: ListLookup,
    readonly editor: VariableEditor,
  ) {
    super();
  }

  query(request: DataQueryRequest<WaspendVariableQuery>): Observable<DataQueryResponse> {
    const target = request.targets[0];
    return from(this.lookup.metricFindQuery(target, { scopedVars: request.scopedVars })).pipe(map((values) => ({ data: values })));
  }
}
