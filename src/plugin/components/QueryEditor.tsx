import React, { useEffect, useState } from 'react';
import type { QueryEditorProps, SelectableValue } from '@grafana/data';
import { Alert, InlineField, InlineFieldRow, InlineSwitch, Input, MultiSelect, RadioButtonGroup, Select } from '@grafana/ui';
import { CATEGORIES, DIRECTIONS, PRICING_TYPES } from '@core';
import { INTERVALS, SOURCES, USAGE_DIMENSIONS, type Interval, type Source, type UsageDimension } from '@contract';
import type { DataSource } from '../datasource';
import type { WaspendOptions } from '../options';
import {
  BILLING_METRICS,
  FILTER_KEYS,
  QUERY_KINDS,
  type BillingMetric,
  type FilterKey,
  type QueryKind,
  type WaspendQuery,
} from '../query/types';
import { formatFilterList, groupByChoices, parseFilterText, readQueryForEditor, withKind } from './query-edit';

type Props = QueryEditorProps<DataSource, WaspendQuery, WaspendOptions>;

const KIND_LABELS: Record<QueryKind, string> = {
  messages: 'Messages',
  cost: 'Cost',
  calls: 'Calls',
  billing: 'Billing metrics',
  projection: 'Month-end projection',
  allocation: 'Cost allocation',
  reconciliation: 'Reconciliation',
  tiers: 'Volume tiers',
};

const FILTER_LABELS: Record<FilterKey, { label: string; hint: string }> = {
  waba: { label: 'WABA', hint: 'WABA ids or $waba' },
  phone: { label: 'Phone', hint: 'phone number ids or $phone' },
  country: { label: 'Country', hint: 'BR, IN or $country' },
  category: { label: 'Category', hint: `${CATEGORIES.join(', ')} or $category` },
  pricingType: { label: 'Pricing type', hint: PRICING_TYPES.join(', ') },
  direction: { label: 'Direction', hint: DIRECTIONS.join(', ') },
  group: { label: 'Group', hint: 'cost groups or $group' },
};

const options = <T extends string>(values: readonly T[], label: (v: T) => string = (v) => v): Array<SelectableValue<T>> =>
  values.map((v) => ({ label: label(v), value: v }));

/**
 * The panel query editor. Every field takes effect on change (filters on blur), then the query is
 * run, as Grafana's own editors do. Filter boxes accept template variables, including multi-value
 * ones, because interpolation happens at query time.
 */
export function QueryEditor({ query: stored, onChange, onRunQuery }: Props) {
  const { query, problem } = readQueryForEditor(stored, stored.refId ?? 'A');
  const update = (next: WaspendQuery) => {
    onChange(next);
    onRunQuery();
  };
  const groupChoices = groupByChoices(query, USAGE_DIMENSIONS);

  return (
    <div data-testid="waspend-query-editor">
      {problem && (
        <Alert severity="warning" title="This query could not be read and was reset to the default" data-testid="waspend-query-problem">
          {problem}
        </Alert>
      )}
      <InlineFieldRow>
        <InlineField label="Query" labelWidth={14} tooltip="What the panel shows; each kind asks the connector for one dataset.">
          <Select
            aria-label="Query kind"
            inputId="waspend-query-kind"
            width={28}
            options={options(QUERY_KINDS, (k) => KIND_LABELS[k])}
            value={query.kind}
            onChange={(v) => v.value && update(withKind(query, v.value))}
          />
        </InlineField>
        {query.kind !== 'tiers' && query.kind !== 'reconciliation' && (
          <InlineField
            label="Source"
            labelWidth={10}
            tooltip="estimate: priced from webhooks now; meta: Meta's billed figures (arrive later)"
          >
            <RadioButtonGroup<Source>
              aria-label="Source"
              options={options(SOURCES)}
              value={query.source}
              onChange={(v) => update({ ...query, source: v })}
            />
          </InlineField>
        )}
        {!['projection', 'tiers', 'reconciliation', 'allocation'].includes(query.kind) && (
          <InlineField label="Interval" labelWidth={10}>
            <RadioButtonGroup<Interval>
              aria-label="Interval"
              options={options(INTERVALS)}
              value={query.interval}
              onChange={(v) => update({ ...query, interval: v })}
            />
          </InlineField>
        )}
        {query.kind === 'reconciliation' && (
          <InlineField
            label="View"
            labelWidth={10}
            tooltip="Per day: estimate vs Meta's analytics. Per month: estimate, Meta and the entered invoice per WABA, with differences and whether Meta may still change the month (only the WABA filter applies)."
          >
            <RadioButtonGroup<Interval>
              aria-label="Reconciliation view"
              options={[
                { label: 'Per day', value: 'day' },
                { label: 'Per month with invoice', value: 'month' },
              ]}
              value={query.interval === 'month' ? 'month' : 'day'}
              onChange={(v) => update({ ...query, interval: v })}
            />
          </InlineField>
        )}
      </InlineFieldRow>

      <InlineFieldRow>
        {query.kind === 'billing' && (
          <InlineField label="Metric" labelWidth={14} tooltip="Unique contacts are not additive across days; billed units are.">
            <RadioButtonGroup<BillingMetric>
              aria-label="Billing metric"
              options={options(BILLING_METRICS, (m) => (m === 'unique_contacts' ? 'Unique contacts' : 'Billed units'))}
              value={query.metric}
              onChange={(v) => update({ ...query, metric: v })}
            />
          </InlineField>
        )}
        {query.kind === 'projection' && (
          <InlineField label="Band" labelWidth={14} tooltip="Draw the low/high range of the month-end estimate">
            <InlineSwitch aria-label="Show band" value={query.band} onChange={(e) => update({ ...query, band: e.currentTarget.checked })} />
          </InlineField>
        )}
        {groupChoices.length > 0 && (
          <InlineField label="Group by" labelWidth={14}>
            <MultiSelect<string>
              aria-label="Group by"
              inputId="waspend-group-by"
              width={48}
              options={options(groupChoices)}
              value={query.groupBy}
              onChange={(vs) => update({ ...query, groupBy: vs.map((v) => v.value).filter((v): v is UsageDimension => Boolean(v)) })}
            />
          </InlineField>
        )}
        {['messages', 'cost', 'calls', 'billing'].includes(query.kind) && (
          <InlineField label="Compare" labelWidth={12} tooltip="Add the previous period of the same length, shifted onto this range">
            <InlineSwitch
              aria-label="Compare previous period"
              label="previous period"
              showLabel
              value={query.compare === 'previous_period'}
              onChange={(e) => update(withCompare(query, e.currentTarget.checked))}
            />
          </InlineField>
        )}
      </InlineFieldRow>

      <InlineFieldRow>
        {FILTER_KEYS.map((key) => (
          <FilterInput
            key={key}
            filterKey={key}
            values={query.filters[key]}
            onCommit={(values) => update({ ...query, filters: { ...query.filters, [key]: values } })}
          />
        ))}
      </InlineFieldRow>
    </div>
  );
}

function withCompare(query: WaspendQuery, on: boolean): WaspendQuery {
  const { compare: _c, ...rest } = query;
  return on ? { ...query, compare: 'previous_period' } : (rest as WaspendQuery);
}

/** One filter: comma-separated values or template variables, applied when the box loses focus. */
function FilterInput({ filterKey, values, onCommit }: { filterKey: FilterKey; values: string[]; onCommit: (values: string[]) => void }) {
  const committed = formatFilterList(values);
  const [text, setText] = useState(committed);
  // A change from outside (another editor, undo) replaces what is shown.
  useEffect(() => setText(committed), [committed]);
  const { label, hint } = FILTER_LABELS[filterKey];
  const commit = () => {
    const next = parseFilterText(text);
    if (formatFilterList(next) !== committed) onCommit(next);
  };
  return (
    <InlineField label={label} labelWidth={16} tooltip={`Comma-separated; empty means all. E.g. ${hint}`}>
      <Input
        aria-label={`Filter ${label}`}
        data-testid={`waspend-filter-${filterKey}`}
        width={30}
        placeholder={hint}
        value={text}
        onChange={(e) => setText(e.currentTarget.value)}
        onBlur={commit}
        onKeyDown={(e) => e.key === 'Enter' && commit()}
      />
    </InlineField>
  );
}
