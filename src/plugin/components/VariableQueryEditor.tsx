import React, { useEffect, useState } from 'react';
import type { QueryEditorProps } from '@grafana/data';
import { InlineField, InlineFieldRow, Input, RadioButtonGroup } from '@grafana/ui';
import { LIST_KINDS, type ListKind } from '@contract';
import type { WaspendDataSourceApi, WaspendVariableQuery } from '../variables';
import type { WaspendOptions } from '../options';
import type { WaspendQuery } from '../query/types';
import { formatFilterList, parseFilterText } from './query-edit';

type Props = QueryEditorProps<WaspendDataSourceApi, WaspendQuery, WaspendOptions, WaspendVariableQuery>;

/** Editor for a query variable: which connector list, and optionally which WABAs (e.g. `$waba`). */
export function VariableQueryEditor({ query, onChange }: Props) {
  // Older dashboards may store the short text form (`phones`).
  const current: WaspendVariableQuery =
    typeof query === 'string' ? { refId: 'variable', list: query as ListKind } : { ...query, list: query?.list ?? 'wabas' };
  const committed = formatFilterList(current.waba);
  const [wabaText, setWabaText] = useState(committed);
  useEffect(() => setWabaText(committed), [committed]);
  const commitWaba = () => {
    const waba = parseFilterText(wabaText);
    if (formatFilterList(waba) !== committed) onChange({ ...current, waba });
  };
  return (
    <InlineFieldRow data-testid="waspend-variable-editor">
      <InlineField label="List" labelWidth={12}>
        <RadioButtonGroup<ListKind>
          aria-label="Variable list"
          options={LIST_KINDS.map((k) => ({ label: k, value: k }))}
          value={current.list}
          onChange={(list) => onChange({ ...current, list })}
        />
      </InlineField>
      {current.list !== 'wabas' && (
        <InlineField label="WABA" labelWidth={12} tooltip="Only values of these WABAs; comma-separated ids or $waba">
          <Input
            aria-label="Variable WABA filter"
            width={30}
            placeholder="all WABAs, or $waba"
            value={wabaText}
            onChange={(e) => setWabaText(e.currentTarget.value)}
            onBlur={commitWaba}
          />
        </InlineField>
      )}
    </InlineFieldRow>
  );
}
