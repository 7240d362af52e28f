import { z } from 'zod';
import { addDays, firstDayOf, localDay, monthOf } from '@core';
import { usageQuery } from '@contract';
import { connectorRequest, filterParams } from '../api/connector-request';
import { buildProjectionFrames } from '../frames/projection-frames';
import { noGroupings } from './shared';
import type { KindSpec } from './spec';

/** Month-end cost estimate (core `projectWeekday`) from the month so far and the weeks before it. */
export const projectionKind: KindSpec<'projection'> = {
  kind: 'projection',
  label: 'Month-end projection',
  description: 'Where this month’s cost ends, from the month so far and the weekday pattern',
  editor: {
    source: true,
    interval: false,
    compare: false,
    groupBy: noGroupings,
    fields: [
      {
        control: 'switch',
        row: 'options',
        label: 'Band',
        labelWidth: 14,
        tooltip: 'Draw the low/high range of the month-end estimate',
        ariaLabel: 'Show band',
        value: (query) => query.band,
        set: (query, on) => ({ ...query, band: on }),
      },
    ],
  },
  schema: { band: z.boolean().default(true) },
  defaults: { band: true },
  text: { name: 'Month-end projection', interval: false },
  requests(query, range, options) {
    // Whole WABA-local days: the month so far plus the history the weekday profile learns from.
    const today = localDay(range.toMs, options.timeZone);
    const monthStart = firstDayOf(monthOf(today));
    const from = addDays(monthStart, -(options.historyDays ?? 56));
    const params = { from, to: today, ...filterParams(query), interval: 'day', source: query.source, by: '' };
    return [connectorRequest('main', 'usage', usageQuery, params)];
  },
  frames: (query, responses, { range, timeZone }) =>
    buildProjectionFrames(responses.get('main'), {
      refId: query.refId,
      today: localDay(range.toMs, timeZone),
      timeZone,
      band: query.band,
    }),
};
