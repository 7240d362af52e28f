import { localDay, monthOf } from '@core';
import { tiersQuery } from '@contract';
import { connectorRequest, filterParams } from '../api/connector-request';
import { buildTiersFrame } from '../frames/reconciliation-frames';
import { noGroupings } from './shared';
import type { KindSpec } from './spec';

/** Where each WABA stands in this month's volume tiers, from `/tiers`. */
export const tiersKind: KindSpec<'tiers'> = {
  kind: 'tiers',
  label: 'Volume tiers',
  description: 'This month’s volume per portfolio, market and category, and the tier it has reached',
  editor: { source: false, interval: false, compare: false, groupBy: noGroupings, fields: [] },
  schema: {},
  defaults: {},
  text: { name: 'Volume tiers', interval: false },
  requests(query, range, options) {
    const month = monthOf(localDay(range.toMs, options.timeZone));
    const waba = filterParams(query).waba;
    return [connectorRequest('main', 'tiers', tiersQuery, { month, ...(waba ? { waba } : {}) })];
  },
  frames: (query, responses) => [buildTiersFrame(responses.get('main'), query.refId)],
};
