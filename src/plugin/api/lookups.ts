import { InputError } from '@core';
import { ANNOTATION_KINDS, API_PREFIX, LIST_KINDS, annotationsResponse, listResponse, type ListKind } from '@contract';
import { parseResponse } from '../frames/parse-response';
import { interpolateList, type ReplaceFn } from '../query/interpolate';
import type { ConnectorRequest, TimeRangeMs } from './request-params';

/** A template-variable query: which list, optionally narrowed to some WABAs (may hold `$waba`). */
export interface VariableQuery {
  list: ListKind;
  waba?: string[];
}

/** Accepts the object form or the short text form an editor may store (`phones`). */
export function parseVariableQuery(raw: unknown): VariableQuery {
  const q: { list?: unknown; waba?: unknown } | null =
    typeof raw === 'string' ? { list: raw.trim() } : (raw as { list?: unknown; waba?: unknown } | null);
  if (!q || typeof q !== 'object') throw new InputError('variableQuery', raw, `must name a list: ${LIST_KINDS.join(', ')}`);
  if (!(LIST_KINDS as readonly unknown[]).includes(q.list))
    throw new InputError('variableQuery.list', q.list, `must be one of ${LIST_KINDS.join(', ')}`);
  if (q.waba !== undefined && (!Array.isArray(q.waba) || q.waba.some((w: unknown) => typeof w !== 'string'))) {
    throw new InputError('variableQuery.waba', q.waba, 'must be a list of WABA ids');
  }
  return { list: q.list as ListKind, ...(q.waba ? { waba: q.waba as string[] } : {}) };
}

/** The /lists request for a variable query, with `$waba` (e.g. a chained variable) applied. */
export function buildListRequest(query: VariableQuery, replace: ReplaceFn): ConnectorRequest {
  const waba = interpolateList(query.waba ?? [], replace);
  if (waba.some((w) => /\$\{?\w+/.test(w)))
    throw new InputError('variableQuery.waba', query.waba, 'names a template variable this dashboard does not define');
  const search = waba.length ? new URLSearchParams({ waba: waba.join(',') }).toString() : '';
  return { role: 'main', path: `${API_PREFIX}/lists/${query.list}`, search };
}

/** Grafana's MetricFindValue shape: text shown in the picker, value substituted into queries. */
export function toMetricFindValues(body: unknown): Array<{ text: string; value: string }> {
  return parseResponse(listResponse, body, 'lists').items.map((i) => ({ text: i.text, value: i.value }));
}

export type AnnotationKind = (typeof ANNOTATION_KINDS)[number];

export function buildAnnotationsRequest(range: TimeRangeMs, kinds: readonly AnnotationKind[], waba: readonly string[]): ConnectorRequest {
  const params: Record<string, string> = { from: String(range.fromMs), to: String(range.toMs) };
  if (kinds.length) params.kind = kinds.join(',');
  if (waba.length) params.waba = waba.join(',');
  return { role: 'main', path: `${API_PREFIX}/annotations`, search: new URLSearchParams(params).toString() };
}

/** Annotation events as Grafana reads them from a frame (time, title, text, tags), sorted by time. */
export function toAnnotationEvents(body: unknown): Array<{ time: number; title: string; text: string; tags: string[] }> {
  return parseResponse(annotationsResponse, body, 'annotations')
    .items.map((a) => ({ time: a.time, title: a.title, text: a.text, tags: [a.kind, ...a.tags.filter((t) => t !== a.kind)] }))
    .sort((a, b) => a.time - b.time);
}
