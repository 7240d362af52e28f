import type { AnnotationSupport, DataFrame, ScopedVars } from '@grafana/data';
import type { ComponentType } from 'react';
import type { FetchJson, TimeRangeMs } from './api/connector-request';
import { buildAnnotationsRequest, toAnnotationEvents } from './api/lookups';
import { normaliseAnnotationTarget, type WaspendAnnotationQuery } from './annotations';
import { buildAnnotationFrame } from './frames/annotation-frames';
import { interpolateList, type ReplaceFn } from './query/interpolate';
import type { WaspendQuery } from './query/types';

/** One annotation target: its kinds and WABAs (`$waba` applied) -> `/annotations` -> one event frame. */
export async function runAnnotationQuery(
  target: WaspendAnnotationQuery,
  range: TimeRangeMs,
  deps: { fetchJson: FetchJson; signal: AbortSignal; replace: ReplaceFn; scopedVars: ScopedVars | undefined },
): Promise<DataFrame[]> {
  const q = normaliseAnnotationTarget(target);
  const waba = interpolateList(q.waba, deps.replace, deps.scopedVars);
  const request = buildAnnotationsRequest(range, q.kinds, waba);
  const events = toAnnotationEvents(await deps.fetchJson(request.path, request.search, deps.signal));
  return [buildAnnotationFrame(target.refId, events)];
}

/** What Grafana hands the annotation editor, seen as the annotation target it really is. */
export type AnnotationEditor = ComponentType<{
  query: Partial<WaspendAnnotationQuery> & { refId?: string };
  onChange: (query: WaspendAnnotationQuery) => void;
}>;

/**
 * Annotations run through query(): Grafana takes the annotation's target (kinds + WABAs), calls
 * query() with it and reads events from the frame's time/title/text/tags fields. The editor is
 * passed in (module.ts), so this module imports no view.
 */
export function createAnnotationSupport(editor: AnnotationEditor | undefined): AnnotationSupport<WaspendQuery> {
  // The annotation target is not a WaspendQuery; query() tells them apart by queryType, hence the casts.
  const asQuery = (t: WaspendAnnotationQuery) => t as unknown as WaspendQuery;
  const targetOf = (anno: { target?: unknown } | undefined) =>
    normaliseAnnotationTarget((anno?.target ?? {}) as Partial<WaspendAnnotationQuery>);
  return {
    prepareAnnotation: (json) => ({ ...json, target: asQuery(targetOf(json)) }),
    prepareQuery: (anno) => asQuery(targetOf(anno)),
    getDefaultQuery: () => asQuery(normaliseAnnotationTarget({})),
    QueryEditor: editor as unknown as AnnotationSupport<WaspendQuery>['QueryEditor'],
  };
}
