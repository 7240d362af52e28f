import React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { DataSource } from '../datasource';
import { KINDS, type KindSpec } from '../kinds';
import { createDefaultQuery } from '../query/defaults';
import type { WaspendQuery } from '../query/types';
import { QueryEditor } from './QueryEditor';

// The editor draws a kind's own controls from its KINDS entry. No built-in kind has a text control
// yet, so the tiers entry gets one for these tests (put back afterwards).
const original = KINDS.tiers;
const table = KINDS as { tiers: KindSpec<'tiers'> };

beforeEach(() => {
  table.tiers = {
    ...original,
    editor: {
      ...original.editor,
      fields: [
        {
          control: 'text',
          row: 'options',
          label: 'Scenario',
          labelWidth: 14,
          ariaLabel: 'Scenario text',
          placeholder: 'e.g. next quarter',
          value: (q) => q.filters.group.join(','),
          set: (q, text) => ({ ...q, filters: { ...q.filters, group: text ? [text] : [] } }),
        },
      ],
    },
  };
});
afterEach(() => {
  table.tiers = original;
});

function setup(query: WaspendQuery) {
  const onChange = jest.fn();
  const onRunQuery = jest.fn();
  render(<QueryEditor query={query} onChange={onChange} onRunQuery={onRunQuery} datasource={{} as DataSource} />);
  return { onChange, onRunQuery };
}

const tiers = (group: string[]): WaspendQuery => {
  const q = createDefaultQuery();
  return { ...q, kind: 'tiers', filters: { ...q.filters, group } };
};

describe("a kind's text control", () => {
  it('shows the stored value and commits what was typed on blur, not on each key', async () => {
    const { onChange, onRunQuery } = setup(tiers(['q1']));
    const box = screen.getByLabelText('Scenario text') as HTMLInputElement;
    expect(box.value).toBe('q1');
    expect(box.placeholder).toBe('e.g. next quarter');
    await userEvent.clear(box);
    await userEvent.type(box, 'next');
    expect(onChange).not.toHaveBeenCalled();
    fireEvent.blur(box);
    expect(onChange).toHaveBeenCalledTimes(1);
    expect(onChange.mock.calls[0]![0].filters.group).toEqual(['next']);
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });

  it('commits on Enter, and a blur with nothing changed commits nothing', async () => {
    const { onChange } = setup(tiers([]));
    const box = screen.getByLabelText('Scenario text');
    fireEvent.blur(box);
    expect(onChange).not.toHaveBeenCalled();
    await userEvent.type(box, 'late{Enter}');
    expect(onChange).toHaveBeenCalledTimes(1);
    expect(onChange.mock.calls[0]![0].filters.group).toEqual(['late']);
  });

  it('is drawn only for its kind', () => {
    setup(createDefaultQuery());
    expect(screen.queryByLabelText('Scenario text')).toBeNull();
  });
});
