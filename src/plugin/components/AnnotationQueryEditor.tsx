import React, { useEffect, useState } from 'react';
import { Checkbox, InlineField, InlineFieldRow, Input, Stack } from '@grafana/ui';
import { ANNOTATION_KINDS } from '@contract';
import { normaliseAnnotationTarget, type WaspendAnnotationQuery } from '../annotations';
import type { AnnotationKind } from '../api/lookups';
import { formatFilterList, parseFilterText } from './query-edit';

const KIND_LABELS: Record<AnnotationKind, string> = {
  rate_card: 'Rate card changes',
  pricing_model: 'Pricing model changes',
  tier: 'Volume tier changes',
  template_category: 'Template recategorisations',
  market_change: 'Market mapping changes',
};

interface Props {
  query: Partial<WaspendAnnotationQuery> & { refId?: string };
  onChange: (query: WaspendAnnotationQuery) => void;
}

/** Which connector events an annotation shows, and for which WABAs (ids or `$waba`). */
export function AnnotationQueryEditor({ query, onChange }: Props) {
  const current = normaliseAnnotationTarget(query ?? {});
  const committed = formatFilterList(current.waba);
  const [wabaText, setWabaText] = useState(committed);
  useEffect(() => setWabaText(committed), [committed]);
  const toggle = (kind: AnnotationKind, on: boolean) => {
    const kinds = on ? [...current.kinds, kind] : current.kinds.filter((k) => k !== kind);
    onChange({ ...current, kinds: ANNOTATION_KINDS.filter((k) => kinds.includes(k)) });
  };
  return (
    <div data-testid="waspend-annotation-editor">
      <InlineFieldRow>
        <InlineField label="Events" labelWidth={12} tooltip="None ticked means all kinds">
          <Stack direction="row" gap={2}>
            {ANNOTATION_KINDS.map((kind) => (
              <Checkbox
                key={kind}
                label={KIND_LABELS[kind]}
                aria-label={`Annotation kind ${kind}`}
                value={current.kinds.includes(kind)}
                onChange={(e) => toggle(kind, e.currentTarget.checked)}
              />
            ))}
          </Stack>
        </InlineField>
      </InlineFieldRow>
      <InlineFieldRow>
        <InlineField label="WABA" labelWidth={12} tooltip="Comma-separated WABA ids or $waba; empty means all">
          <Input
            aria-label="Annotation WABA filter"
            width={30}
            placeholder="all WABAs, or $waba"
            value={wabaText}
            onChange={(e) => setWabaText(e.currentTarget.value)}
            onBlur={() => {
              const waba = parseFilterText(wabaText);
              if (formatFilterList(waba) !== committed) onChange({ ...current, waba });
            }}
          />
        </InlineField>
      </InlineFieldRow>
    </div>
  );
}
