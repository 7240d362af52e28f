import { CustomVariableSupport, type DataQueryRequest, type DataQueryResponse, type MetricFindValue, type ScopedVars } from '@grafana/data';
import type { DataQuery } from '@grafana/schema';
import type { ListKind } from '@contract';
import { from, map, type Observable } from 'rxjs';
import { VariableQueryEditor } from './components/VariableQueryEditor';
import type { DataSource } from './datasource';

/** A query variable: one connector list, optionally narrowed to WABAs (may hold `$waba`). */
export interface WaspendVariableQuery extends DataQuery {
  list: ListKind;
  waba?: string[];
}

interface ListLookup {
  metricFindQuery(query: unknown, options?: { scopedVars?: ScopedVars }): Promise<MetricFindValue[]>;
}

/** Query variables (wabas, phones, countries, categories, groups, markets) with their own editor. */
export class WaspendVariableSupport extends CustomVariableSupport<DataSource, WaspendVariableQuery> {
  editor = VariableQueryEditor;

  constructor(private readonly lookup: ListLookup) {
    super();
  }

  query(request: DataQueryRequest<WaspendVariableQuery>): Observable<DataQueryResponse> {
    const target = request.targets[0];
    return from(this.lookup.metricFindQuery(target, { scopedVars: request.scopedVars })).pipe(map((values) => ({ data: values })));
  }
}
