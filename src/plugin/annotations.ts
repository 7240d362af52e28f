import type { DataQuery } from '@grafana/schema';
import { ANNOTATION_KINDS } from '@contract';
import { InputError } from '@core';
import type { AnnotationKind } from './api/lookups';

/** Marks an annotation target inside query(), which otherwise only sees WaspendQuery targets. */
export const ANNOTATION_QUERY_TYPE = 'waspend-annotations';

/** Kinds a new annotation shows: the price and account changes that move cost lines. */
export const DEFAULT_ANNOTATION_KINDS: AnnotationKind[] = ['rate_card', 'pricing_model', 'tier', 'template_category'];

/** What an annotation asks the connector for: event kinds (empty = all) and WABAs (may hold `$waba`). */
export interface WaspendAnnotationQuery extends DataQuery {
  kinds: AnnotationKind[];
  waba: string[];
}

export function isAnnotationTarget(target: DataQuery): target is WaspendAnnotationQuery {
  return target.queryType === ANNOTATION_QUERY_TYPE;
}

/** Fills defaults and checks kinds, so a hand-edited dashboard fails naming the field. */
export function normaliseAnnotationTarget(raw: Partial<WaspendAnnotationQuery> & { refId?: string }): WaspendAnnotationQuery {
  const kinds = raw.kinds ?? DEFAULT_ANNOTATION_KINDS;
  if (!Array.isArray(kinds)) throw new InputError('annotation.kinds', kinds, `must be a list of ${ANNOTATION_KINDS.join(', ')}`);
  const bad = kinds.find((k) => !(ANNOTATION_KINDS as readonly string[]).includes(k));
  if (bad !== undefined) throw new InputError('annotation.kinds', bad, `must be one of ${ANNOTATION_KINDS.join(', ')}`);
  const waba = raw.waba ?? [];
  if (!Array.isArray(waba) || waba.some((w) => typeof w !== 'string'))
    throw new InputError('annotation.waba', waba, 'must be a list of WABA ids');
  return { ...raw, refId: raw.refId ?? 'Anno', queryType: ANNOTATION_QUERY_TYPE, kinds: [...kinds], waba: [...waba] };
}
