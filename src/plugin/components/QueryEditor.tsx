import React, { useEffect, useState } from 'react';
import type { QueryEditorProps, SelectableValue } from '@grafana/data';
import { Alert, InlineField, InlineFieldRow, InlineSwitch, Input, MultiSelect, RadioButtonGroup, Select } from '@grafana/ui';
import { CATEGORIES, DIRECTIONS, PRICING_TYPES } from '@core';
import { INTERVALS, SOURCES, type Interval, type Source, type UsageDimension } from '@contract';
import type { DataSource } from '../datasource';
import type { WaspendOptions } from '../options';
import { allKindSpecs, kindSpec, type KindField, type TextField } from '../kinds';
import { FILTER_KEYS, type FilterKey, type WaspendQuery } from '../query/types';
import { formatFilterList, groupByChoices, parseFilterText, readQueryForEditor, withKind } from './query-edit';

type Props = QueryEditorProps<DataSource, WaspendQuery, WaspendOptions>;

const FILTER_LABELS: Record<FilterKey, { label: string; hint: string }> = {
  waba: { label: 'WABA', hint: 'WABA ids or $waba' },
  phone: { label: 'Phone', hint: 'phone number ids or $phone' },
  country: { label: 'Country', hint: 'BR, IN or $country' },
  category: { label: 'Category', hint: `${CATEGORIES.join(', ')} or $category` },
  pricingType: { label: 'Pricing type', hint: PRICING_TYPES.join(', ') },
  direction: { label: 'Direction', hint: DIRECTIONS.join(', ') },
  group: { label: 'Group', hint: 'cost groups or $group' },
};

const KIND_OPTIONS: Array<SelectableValue<WaspendQuery['kind']>> = allKindSpecs().map((s) => ({
  label: s.label,
  value: s.kind,
  description: s.description,
}));

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
  const spec = kindSpec(query.kind);
  const groupChoices = groupByChoices(query);
  const kindFields = (row: KindField<WaspendQuery>['row']) =>
    spec.editor.fields
      .filter((f) => f.row === row)
      .map((f) => <KindFieldEditor key={f.ariaLabel} field={f} query={query} update={update} />);

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
            options={KIND_OPTIONS}
            value={query.kind}
            onChange={(v) => v.value && update(withKind(query, v.value))}
          />
        </InlineField>
        {spec.editor.source && (
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
        {spec.editor.interval && (
          <InlineField label="Interval" labelWidth={10}>
            <RadioButtonGroup<Interval>
              aria-label="Interval"
              options={options(INTERVALS)}
              value={query.interval}
              onChange={(v) => update({ ...query, interval: v })}
            />
          </InlineField>
        )}
        {kindFields('kind')}
      </InlineFieldRow>

      <InlineFieldRow>
        {kindFields('options')}
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
        {spec.editor.compare && (
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

      {spec.editor.fields.some((f) => f.row === 'scenario') && <InlineFieldRow>{kindFields('scenario')}</InlineFieldRow>}

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

/** A control of the query's kind (KindSpec.editor.fields). */
function KindFieldEditor({
  field,
  query,
  update,
}: {
  field: KindField<WaspendQuery>;
  query: WaspendQuery;
  update: (next: WaspendQuery) => void;
}) {
  switch (field.control) {
    case 'radio':
      return (
        <InlineField label={field.label} labelWidth={field.labelWidth} tooltip={field.tooltip}>
          <RadioButtonGroup<string>
            aria-label={field.ariaLabel}
            options={[...field.options]}
            value={field.value(query)}
            onChange={(v) => update(field.set(query, v))}
          />
        </InlineField>
      );
    case 'switch':
      return (
        <InlineField label={field.label} labelWidth={field.labelWidth} tooltip={field.tooltip}>
          <InlineSwitch
            aria-label={field.ariaLabel}
            value={field.value(query)}
            onChange={(e) => update(field.set(query, e.currentTarget.checked))}
          />
        </InlineField>
      );
    case 'text':
      return <KindTextField field={field} query={query} update={update} />;
  }
}

/** Free text of a kind, taken on blur or Enter (as the filter boxes are), so typing does not run the query. */
function KindTextField({
  field,
  query,
  update,
}: {
  field: TextField<WaspendQuery>;
  query: WaspendQuery;
  update: (next: WaspendQuery) => void;
}) {
  const committed = field.value(query);
  const [text, setText] = useState(committed);
  // A change from outside (another editor, undo) replaces what is shown.
  useEffect(() => setText(committed), [committed]);
  const commit = () => {
    if (text !== committed) update(field.set(query, text));
  };
  return (
    <InlineField label={field.label} labelWidth={field.labelWidth} tooltip={field.tooltip}>
      <Input
        aria-label={field.ariaLabel}
        width={field.width ?? 30}
        placeholder={field.placeholder}
        value={text}
        onChange={(e) => setText(e.currentTarget.value)}
        onBlur={commit}
        onKeyDown={(e) => e.key === 'Enter' && commit()}
      />
    </InlineField>
  );
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
