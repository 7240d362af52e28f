import type { DataFrame } from '@grafana/data';
import type { z } from 'zod';
import type { ConnectorRequest, RequestOptions, TimeRangeMs } from '../api/connector-request';
import type { KindFields, QueryKind, QueryOf } from '../query/types';

/** Responses by request role (`main`, `previous`, ... or whatever a kind's own `load` returns). */
export type Responses = ReadonlyMap<string, unknown>;

/** GETs `path?search` through the data-source proxy (already bound to the query's abort signal). */
export type GetJson = (path: string, search: string) => Promise<unknown>;

export interface FetchContext<Q> {
  query: Q;
  range: TimeRangeMs;
  timeZone: string;
  /** What `requests` planned, already checked against the contract. */
  requests: readonly ConnectorRequest[];
  getJson: GetJson;
  /** The default fetch: every planned request in parallel, keyed by role. */
  fetchPlanned(): Promise<Map<string, unknown>>;
}

export interface FrameContext {
  range: TimeRangeMs;
  /** Names "today" and the current month (projection, tiers). */
  timeZone: string;
}

interface FieldBase {
  /**
   * Where the control sits: `kind` in the first row after the shared Source/Interval pickers,
   * `options` at the start of the second row, before Group by, `scenario` on a row of its own
   * above the filters (what-if's typed scenario).
   */
  row: 'kind' | 'options' | 'scenario';
  label: string;
  labelWidth: number;
  tooltip?: string;
  ariaLabel: string;
}

/** A choice between a few values (Grafana RadioButtonGroup). Methods, so each kind types its own query. */
export interface RadioField<Q> extends FieldBase {
  control: 'radio';
  options: ReadonlyArray<{ label: string; value: string }>;
  value(query: Q): string;
  set(query: Q, value: string): Q;
}

/** An on/off switch (Grafana InlineSwitch). */
export interface SwitchField<Q> extends FieldBase {
  control: 'switch';
  value(query: Q): boolean;
  set(query: Q, on: boolean): Q;
}

/** Free text, taken when the box loses focus or on Enter (Grafana Input), as the filter boxes are. */
export interface TextField<Q> extends FieldBase {
  control: 'text';
  placeholder?: string;
  width?: number;
  value(query: Q): string;
  set(query: Q, text: string): Q;
}

/** A control the editor draws for one kind only; a new control type is one case in KindFieldEditor. */
export type KindField<Q> = RadioField<Q> | SwitchField<Q> | TextField<Q>;

/**
 * Everything the plugin knows about one query kind. `KINDS` (index.ts) holds one per kind of
 * QUERY_KINDS, and the editor, schema, display text, request builder and runQuery read only it.
 */
export interface KindSpec<K extends QueryKind> {
  kind: K;
  /** The kind picker's option. */
  label: string;
  description: string;
  editor: {
    /** Shows the shared Source picker (and names the source in the display text). */
    source: boolean;
    /** Shows the shared Interval picker. */
    interval: boolean;
    /** Shows the "previous period" switch. */
    compare: boolean;
    /** Dimensions the Group by picker offers (none: the picker is hidden). */
    groupBy(query: QueryOf<K>): readonly string[];
    /** The kind's own controls. */
    fields: ReadonlyArray<KindField<QueryOf<K>>>;
  };
  /** Zod shape of the kind's own fields (KindFields[K]), each with its default. */
  schema: z.ZodRawShape;
  /** The own fields a query gets when the editor switches to this kind. */
  defaults: KindFields[K];
  /** Adjusts shared fields when the editor switches to this kind (e.g. groupings it cannot use). */
  onSelect?(query: QueryOf<K>): QueryOf<K>;
  /**
   * Optional: applies template variables to the kind's own text fields (filters are done for every
   * kind by interpolate.ts); `replace` is Grafana's, with the panel's scoped variables bound.
   */
  interpolate?(query: QueryOf<K>, replace: (text: string) => string): QueryOf<K>;
  /** Query history and collapsed rows: `name` + `detail`, and whether `per <interval>` applies. */
  text: { name: string; interval: boolean; detail?(query: QueryOf<K>): string };
  /** The connector requests, checked against the contract (throws InputError naming the field). */
  requests(query: QueryOf<K>, range: TimeRangeMs, options: RequestOptions): ConnectorRequest[];
  /**
   * Optional: how to fetch when the planned requests are not all of it (e.g. a second request that
   * depends on the first, or inputs outside the panel's range). Without it, every planned request is
   * fetched in parallel.
   */
  load?(context: FetchContext<QueryOf<K>>): Promise<Responses>;
  /** Responses -> frames. */
  frames(query: QueryOf<K>, responses: Responses, context: FrameContext): DataFrame[];
}

/**
 * A spec of some kind, as code that dispatches on `query.kind` sees it (KindSpec's functions are
 * methods, so every KindSpec<K> is one).
 */
export type AnyKindSpec = KindSpec<QueryKind>;
