import React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { DataSource } from '../datasource';
import type { WaspendQuery } from '../query/types';
import { createDefaultQuery } from '../query/defaults';
import { QueryEditor } from './QueryEditor';

function setup(query: object) {
  const onChange = jest.fn();
  const onRunQuery = jest.fn();
  const utils = render(
    <QueryEditor query={query as unknown as WaspendQuery} onChange={onChange} onRunQuery={onRunQuery} datasource={{} as DataSource} />,
  );
  const last = (): WaspendQuery => onChange.mock.calls.at(-1)![0];
  return { ...utils, onChange, onRunQuery, last };
}

describe('QueryEditor', () => {
  it('commits a filter with a multi-value variable on blur and runs the query', async () => {
    const { onChange, onRunQuery, last } = setup(createDefaultQuery());
    const box = screen.getByLabelText('Filter Country');
    await userEvent.type(box, 'BR, ${{country:csv}');
    expect(onChange).not.toHaveBeenCalled();
    fireEvent.blur(box);
    expect(last().filters.country).toEqual(['BR', '${country:csv}']);
    expect(last().filters.waba).toEqual([]);
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });

  it('shows stored filters, including ones from an old unversioned query', () => {
    setup({ refId: 'A', queryType: 'messages', waba: '111,222', by: 'country' });
    expect(screen.getByLabelText('Filter WABA')).toHaveProperty('value', '111, 222');
  });

  it('switches the source and the interval with the radio buttons', async () => {
    const { last } = setup(createDefaultQuery());
    await userEvent.click(screen.getByRole('radio', { name: 'meta' }));
    expect(last().source).toBe('meta');
    await userEvent.click(screen.getByRole('radio', { name: 'hour' }));
    expect(last().interval).toBe('hour');
  });

  it('turns compare-with-previous-period on and off', async () => {
    const { last, rerender, onChange, onRunQuery } = setup(createDefaultQuery());
    await userEvent.click(screen.getByLabelText('Compare previous period'));
    expect(last().compare).toBe('previous_period');
    rerender(<QueryEditor query={last()} onChange={onChange} onRunQuery={onRunQuery} datasource={{} as DataSource} />);
    await userEvent.click(screen.getByLabelText('Compare previous period'));
    expect(last()).not.toHaveProperty('compare');
  });

  it('offers the billing metric only for billing queries', async () => {
    const billing = { ...createDefaultQuery(), kind: 'billing', metric: 'billed_units' } as WaspendQuery;
    const { last } = setup(billing);
    expect(screen.getByLabelText('Group by')).toBeTruthy();
    await userEvent.click(screen.getByRole('radio', { name: 'Unique contacts' }));
    expect(last()).toMatchObject({ kind: 'billing', metric: 'unique_contacts' });
  });

  it('hides group-by for unique contacts, which come as one series', () => {
    setup({ ...createDefaultQuery(), kind: 'billing', metric: 'unique_contacts' });
    expect(screen.queryByLabelText('Group by')).toBeNull();
  });

  it('toggles the projection band', async () => {
    const { last } = setup({ ...createDefaultQuery(), kind: 'projection', band: true } as WaspendQuery);
    expect(screen.queryByLabelText('Billing metric')).toBeNull();
    await userEvent.click(screen.getByLabelText('Show band'));
    expect(last()).toMatchObject({ kind: 'projection', band: false });
  });

  it('changes the kind through the select, filling the new kind defaults', async () => {
    const { last } = setup(createDefaultQuery());
    await userEvent.click(screen.getByLabelText('Query kind'));
    await userEvent.click(await screen.findByText('Month-end projection'));
    expect(last()).toMatchObject({ kind: 'projection', band: true, source: 'estimate' });
  });

  it('adds a grouping through the multi-select', async () => {
    const { last } = setup({ ...createDefaultQuery(), groupBy: [] } as WaspendQuery);
    await userEvent.click(screen.getByLabelText('Group by'));
    await userEvent.click(await screen.findByText('market'));
    expect(last().groupBy).toEqual(['market']);
  });

  it('warns instead of crashing on a query it cannot read', () => {
    setup({ refId: 'A', schemaVersion: 1, kind: 'weather' });
    expect(screen.getByTestId('waspend-query-problem').textContent).toMatch(/kind/);
  });
});
