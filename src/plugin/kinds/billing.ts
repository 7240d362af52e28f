import { z } from 'zod';
import { contactsQuery } from '@contract';
import { withPreviousPeriod } from '../api/connector-request';
import { buildContactsFrame } from '../frames/calls-frames';
import { buildUsageFrames } from '../frames/usage-frames';
import { BILLING_METRICS, type BillingMetric } from '../query/types';
import { allGroupings, framesWithPrevious, noGroupings, usageRequests } from './shared';
import type { KindSpec } from './spec';

/** Unique contacts (`/contacts`, one HLL series, not additive) or billed units (`/usage`, additive). */
export const billingKind: KindSpec<'billing'> = {
  kind: 'billing',
  label: 'Billing metrics',
  description: 'Unique contacts or billed units per bucket',
  editor: {
    source: true,
    interval: true,
    compare: true,
    // Unique contacts come as one series (a sketch per day), not split by dimension.
    groupBy: (query) => (query.metric === 'unique_contacts' ? noGroupings() : allGroupings()),
    fields: [
      {
        control: 'radio',
        row: 'options',
        label: 'Metric',
        labelWidth: 14,
        tooltip: 'Unique contacts are not additive across days; billed units are.',
        ariaLabel: 'Billing metric',
        options: BILLING_METRICS.map((m) => ({ label: m === 'unique_contacts' ? 'Unique contacts' : 'Billed units', value: m })),
        value: (query) => query.metric,
        set: (query, value) => ({ ...query, metric: value as BillingMetric }),
      },
    ],
  },
  schema: { metric: z.enum(BILLING_METRICS).default('billed_units') },
  defaults: { metric: 'billed_units' },
  text: {
    name: 'Billing',
    interval: true,
    detail: (query) => ` (${query.metric === 'unique_contacts' ? 'unique contacts' : 'billed units'})`,
  },
  requests: (query, range) =>
    query.metric === 'unique_contacts'
      ? withPreviousPeriod(query, range, 'contacts', contactsQuery, { interval: query.interval })
      : usageRequests(query, range),
  frames: (query, responses, { range }) =>
    query.metric === 'unique_contacts'
      ? framesWithPrevious(query, responses, range, (body, o) => [buildContactsFrame(body, o)])
      : framesWithPrevious(query, responses, range, (body, o) => buildUsageFrames(body, 'billable', query.groupBy, o)),
};
