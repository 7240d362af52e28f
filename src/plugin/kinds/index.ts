import { QUERY_KINDS, type QueryKind } from '../query/types';
import { allocationKind } from './allocation';
import { billingKind } from './billing';
import { callsKind } from './calls';
import { costKind } from './cost';
import { messagesKind } from './messages';
import { projectionKind } from './projection';
import { reconciliationKind } from './reconciliation';
import type { AnyKindSpec, KindSpec } from './spec';
import { tiersKind } from './tiers';
import { whatIfKind } from './what-if';

export type {
  AnyKindSpec,
  FetchContext,
  FrameContext,
  GetJson,
  KindField,
  KindSpec,
  RadioField,
  Responses,
  SwitchField,
  TextField,
} from './spec';
export { allocationDimension } from './allocation';

/**
 * One spec per kind, each typed with its own kind's query: a table missing a kind, naming one that
 * does not exist or holding another kind's spec does not compile.
 */
export type KindTable = { readonly [K in QueryKind]: KindSpec<K> };

/** Every query kind, one entry each: adding a kind is its file in this folder plus one line here. */
export const KINDS: KindTable = {
  messages: messagesKind,
  cost: costKind,
  calls: callsKind,
  billing: billingKind,
  projection: projectionKind,
  allocation: allocationKind,
  reconciliation: reconciliationKind,
  tiers: tiersKind,
  what_if: whatIfKind,
};

/** The spec of a kind, for code that dispatches on `query.kind`. */
export function kindSpec(kind: QueryKind): AnyKindSpec {
  return KINDS[kind];
}

/** The specs in QUERY_KINDS order (the editor's order). */
export function allKindSpecs(): AnyKindSpec[] {
  return QUERY_KINDS.map(kindSpec);
}

/** Names of every kind's own fields (e.g. `metric`, `band`): dropped when the editor switches kind. */
export function ownFieldNames(): string[] {
  return [...new Set(allKindSpecs().flatMap((s) => Object.keys(s.schema)))];
}
